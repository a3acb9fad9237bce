// The only libcurl include: for its types and constants. The library itself is loaded with
// dlopen on the first delivery (on a notifier thread), so a vigil without webhook channels never
// maps libcurl and its TLS, Kerberos and LDAP dependencies (~4.5 MB of RSS).
#include <curl/curl.h>
#include <dlfcn.h>

#include "vigil/notify_delivery.hpp"

namespace vigil {

namespace {

struct Curl {
  decltype(&curl_global_init) global_init = nullptr;
  decltype(&curl_easy_init) easy_init = nullptr;
  decltype(&curl_easy_setopt) easy_setopt = nullptr;
  decltype(&curl_easy_perform) easy_perform = nullptr;
  decltype(&curl_easy_getinfo) easy_getinfo = nullptr;
  decltype(&curl_easy_cleanup) easy_cleanup = nullptr;
  decltype(&curl_easy_strerror) easy_strerror = nullptr;
  decltype(&curl_slist_append) slist_append = nullptr;
  decltype(&curl_slist_free_all) slist_free_all = nullptr;
  std::string error;  // why it could not be loaded
};

template <class Fn>
bool bind_symbol(void* lib, const char* name, Fn& out, std::string& error) {
  out = reinterpret_cast<Fn>(::dlsym(lib, name));
  if (!out && error.empty()) error = std::string("libcurl.so.4 has no ") + name;
  return out != nullptr;
}

Curl load_curl() {
  Curl c;
  void* lib = ::dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    const char* why = ::dlerror();
    c.error = std::string("webhooks need libcurl, which cannot be loaded (") + (why ? why : "unknown") +
              "); install the libcurl4 package";
    return c;
  }
  bind_symbol(lib, "curl_global_init", c.global_init, c.error);
  bind_symbol(lib, "curl_easy_init", c.easy_init, c.error);
  bind_symbol(lib, "curl_easy_setopt", c.easy_setopt, c.error);
  bind_symbol(lib, "curl_easy_perform", c.easy_perform, c.error);
  bind_symbol(lib, "curl_easy_getinfo", c.easy_getinfo, c.error);
  bind_symbol(lib, "curl_easy_cleanup", c.easy_cleanup, c.error);
  bind_symbol(lib, "curl_easy_strerror", c.easy_strerror, c.error);
  bind_symbol(lib, "curl_slist_append", c.slist_append, c.error);
  bind_symbol(lib, "curl_slist_free_all", c.slist_free_all, c.error);
  if (!c.error.empty()) return c;
  // Debian's libcurl (7.88) is built thread-safe (CURL_VERSION_THREADSAFE), so a late global init
  // with other threads running is allowed; the function-local static below makes it happen once.
  if (CURLcode rc = c.global_init(CURL_GLOBAL_DEFAULT); rc != CURLE_OK)
    c.error = std::string("libcurl failed to initialise: ") + c.easy_strerror(rc);
  return c;
}

const Curl& curl_library() {
  static const Curl c = load_curl();  // thread-safe: the first delivery loads, the others wait
  return c;
}

size_t discard(char*, size_t size, size_t n, void*) { return size * n; }
// Called by libcurl at least once a second during a transfer: non-zero aborts it.
int check_cancel(void* cancel, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<const std::atomic<bool>*>(cancel)->load() ? 1 : 0;
}
}  // namespace

std::string deliver_webhook(const NotifierSpec& spec, const std::string& url, const std::string& body,
                            const std::atomic<bool>& cancel) {
  const Curl& lib = curl_library();
  if (!lib.error.empty()) return lib.error;
  CURL* curl = lib.easy_init();
  if (!curl) return "cannot create an HTTP client";
  curl_slist* headers = lib.slist_append(nullptr, "Content-Type: application/json");
  for (const auto& [k, v] : spec.headers) headers = lib.slist_append(headers, (k + ": " + v).c_str());
  char errbuf[CURL_ERROR_SIZE] = {0};
  lib.easy_setopt(curl, CURLOPT_URL, url.c_str());
  lib.easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  lib.easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  lib.easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  lib.easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(spec.timeout.count()));
  lib.easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(spec.timeout.count()));
  // Never a proxy from the environment (http_proxy, https_proxy, all_proxy): an alert for a
  // loopback receiver must not leave the host because of a variable vigil happened to inherit.
  // Only the notifier's own `proxy` setting routes through one.
  if (spec.proxy.empty()) {
    lib.easy_setopt(curl, CURLOPT_PROXY, "");
    lib.easy_setopt(curl, CURLOPT_NOPROXY, "*");
  } else {
    lib.easy_setopt(curl, CURLOPT_PROXY, spec.proxy.c_str());
    lib.easy_setopt(curl, CURLOPT_NOPROXY, "");
  }
  lib.easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM for DNS timeouts
  lib.easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
  lib.easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
  lib.easy_setopt(curl, CURLOPT_USERAGENT, "vigil/" VIGIL_VERSION);
  lib.easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  lib.easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, check_cancel);
  lib.easy_setopt(curl, CURLOPT_XFERINFODATA, const_cast<std::atomic<bool>*>(&cancel));
  CURLcode rc = lib.easy_perform(curl);
  long status = 0;
  lib.easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  lib.slist_free_all(headers);
  lib.easy_cleanup(curl);
  if (rc != CURLE_OK) return "POST " + url + " failed: " + (errbuf[0] ? errbuf : lib.easy_strerror(rc));
  if (status < 200 || status >= 300) return "POST " + url + " answered HTTP " + std::to_string(status);
  return "";
}

}  // namespace vigil
