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
  explicit Alertmanager(const TempDir& dir);
  std::string url() const;  // .../api/v2/alerts
  /// GET /api/v2/alerts as JSON (an array), or null if it did not answer.
  nlohmann::json alerts() const;

 private:
  int port_ = 0;
  std::unique_ptr<ChildProcess> proc_;
};

int free_tcp_port();

}  // namespace vt
