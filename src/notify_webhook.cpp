// The only libcurl include.
#include <curl/curl.h>

#include <mutex>

#include "vigil/notify_delivery.hpp"

namespace vigil {

// libcurl's global init loads and initialises the TLS stack (~2 MB of RSS): done only once a
// webhook channel exists. Debian's libcurl (7.88) is built thread-safe (CURL_VERSION_THREADSAFE),
// so a late init with other threads running is allowed; std::call_once keeps it to one.
void webhook_global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

namespace {
size_t discard(char*, size_t size, size_t n, void*) { return size * n; }
// Called by libcurl at least once a second during a transfer: non-zero aborts it.
int check_cancel(void* cancel, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<const std::atomic<bool>*>(cancel)->load() ? 1 : 0;
}
}  // namespace

std::string deliver_webhook(const NotifierSpec& spec, const std::string& body, const std::atomic<bool>& cancel) {
  CURL* curl = curl_easy_init();
  if (!curl) return "cannot create an HTTP client";
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  for (const auto& [k, v] : spec.headers) headers = curl_slist_append(headers, (k + ": " + v).c_str());
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_URL, spec.url.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(spec.timeout.count()));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(spec.timeout.count()));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM for DNS timeouts
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "vigil/" VIGIL_VERSION);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, check_cancel);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, const_cast<std::atomic<bool>*>(&cancel));
  CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK) return "POST " + spec.url + " failed: " + (errbuf[0] ? errbuf : curl_easy_strerror(rc));
  if (status < 200 || status >= 300) return "POST " + spec.url + " answered HTTP " + std::to_string(status);
  return "";
}

}  // namespace vigil
