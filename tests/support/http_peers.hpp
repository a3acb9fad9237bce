#pragma once
// Real HTTP peers on 127.0.0.1 for notifier tests: the webhook receiver fixture and a real
// prometheus-alertmanager (Debian's), each started on a free port and stopped by the destructor.
#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace vt {

class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& argv, const std::string& log);
  ~ChildProcess();
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
};

class WebhookReceiver {
 public:
  explicit WebhookReceiver(const TempDir& dir);
  std::string url(const std::string& path = "/hook") const;
  /// Every request so far: {"path", "headers", "body"}.
  std::vector<nlohmann::json> requests() const;

 private:
  std::string dir_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> proc_;
};

class Alertmanager {
 public:
  /// `name` keeps the files of several in one dir apart (config, storage, log).
  explicit Alertmanager(const TempDir& dir, const std::string& name = "alertmanager");
  int port() const { return port_; }
  std::string url() const;  // .../api/v2/alerts
  /// GET /api/v2/alerts as JSON (an array), or null if it did not answer.
  nlohmann::json alerts() const;

 private:
  int port_ = 0;
  std::unique_ptr<ChildProcess> proc_;
};

int free_tcp_port();

struct HttpResult {
  int status = 0;  // 0: no answer
  std::string head, body;
};
/// One request over a fresh connection to 127.0.0.1:`port` ("Connection: close"); `headers` are
/// extra header lines, each ending in "\r\n". Bounded by a 5 s receive timeout.
HttpResult http_get(int port, const std::string& target, const std::string& headers = "",
                    const std::string& method = "GET");
/// Sends `bytes` as they are and returns what comes back until the server closes (or 5 s pass).
std::string http_raw(int port, const std::string& bytes);
std::string url_encode(const std::string& s);

/// A real Prometheus server (Debian's) scraping `targets` (host:port) every 500 ms.
class Prometheus {
 public:
  Prometheus(const TempDir& dir, const std::vector<std::string>& targets, const std::string& bearer_token = "");
  int port() const { return port_; }
  /// GET /api/v1/query: the result array, or null.
  nlohmann::json query(const std::string& promql) const;
  std::string log() const;

 private:
  std::string dir_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> proc_;
};

}  // namespace vt
