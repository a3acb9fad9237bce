#pragma once
// What vigil's HTTP listener serves (docs/fleet.md), apart from the sockets: one answer per request,
// built from the snapshot last published (never a fresh one: a scrape costs no sampling and no
// evaluation), the dashboard's history (the last hour of CPU, memory and data age per service,
// bounded) and its recent events (starts, exits, alerts, reloads: told apart by comparing one
// published snapshot with the next). Runs on the event loop; the socket side is http_server.
//
//   GET /              the dashboard (one self-contained page, read-only)
//   GET /metrics       Prometheus text format (exposition.hpp)
//   GET /-/healthy     200 while the loop answers
//   GET /-/ready       200 once the config is loaded and the services launched, else 503
//   GET /api/v1/status the `vigil status --json` object;  /api/v1/history, /api/v1/events
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "vigil/exposition.hpp"
#include "vigil/snapshot.hpp"

namespace vigil {

struct HttpAnswer {
  unsigned status = 200;
  std::string_view content_type = "text/plain; charset=utf-8";
  std::string body;
  std::string allow;             // 405: the methods allowed
  bool authenticate = false;     // 401: ask for a bearer token
};

/// The last hour of a few numbers per service, for the dashboard's sparklines: one point per
/// `step` seconds (the average of the samples in it), at most `points` points; NaN = no value.
class DashboardHistory {
 public:
  static constexpr double kStep = 30;
  static constexpr std::size_t kPoints = 120;  // an hour
  /// One series: its points, and their JSON text kept up to date point by point (the history
  /// of 1,000 services is written in well under a millisecond, without formatting 360,000 numbers).
  struct Points {
    std::deque<float> values;
    std::string text;                  // "1.5,null,2," : each point followed by a comma
    std::deque<std::uint16_t> widths;  // each point's share of `text`
    void push(float v);
    std::size_t size() const { return values.size(); }
    float back() const { return values.back(); }
  };
  struct Acc {
    double cpu = 0, memory = 0, data_age = 0;
    int n_cpu = 0, n_memory = 0, n_data_age = 0;
  };
  struct Series {
    Points cpu, memory, data_age;
    Acc acc;                    // the bucket being filled
    std::uint64_t seen = 0;     // the last record() that had this service
  };
  void record(const Snapshot& snap);
  const std::unordered_map<std::string, Series>& series() const { return series_; }
  /// The closed points only (the current bucket is still filling): changes once per step, so it
  /// is written once per step however often the dashboards ask.
  const std::string& json();

 private:
  void close_bucket();
  double bucket_start_ = 0;
  std::uint64_t records_ = 0;
  std::unordered_map<std::string, Series> series_;
  std::string json_;
  bool json_valid_ = false;
};

/// Recent events, newest last, at most kMax.
class DashboardEvents {
 public:
  static constexpr std::size_t kMax = 200;
  struct Event {
    double at;
    std::string kind;  // start, exit, alert, resolved, reload
    std::string service, text;
  };
  /// What changed between the previous published snapshot and `next`.
  void compare(const Snapshot* prev, const Snapshot& next);
  const std::deque<Event>& events() const { return events_; }
  std::string json() const;

 private:
  void add(double at, std::string kind, std::string service, std::string text);
  std::deque<Event> events_;
};

class HttpSite {
 public:
  /// `self`: vigil's own process figures, read when /metrics is asked for.
  explicit HttpSite(std::function<SelfProcess()> self) : self_(std::move(self)) {}

  /// Every published snapshot, shared with whoever else keeps it (no copy per sample).
  void publish(std::shared_ptr<const Snapshot> snap);
  void publish(const Snapshot& snap) { publish(std::make_shared<const Snapshot>(snap)); }
  /// Config loaded and services launched (GET /-/ready).
  void set_ready(bool ready) { ready_ = ready; }
  /// Requests must carry `Authorization: Bearer TOKEN`; "" = no token asked.
  void set_token(std::string token) { token_ = std::move(token); }

  /// The answer to one request (`target` with its query string; `authorization` the header's value).
  HttpAnswer answer(std::string_view method, std::string_view target, std::string_view authorization);
  /// The exposition of the current snapshot without process_* (the textfile), rendered once per snapshot.
  const std::string& metrics_text();

  const DashboardHistory& history() const { return history_; }
  const DashboardEvents& events() const { return events_; }

 private:
  std::function<SelfProcess()> self_;
  std::shared_ptr<const Snapshot> snap_;
  bool ready_ = false;
  std::string token_;
  std::string metrics_cache_;  // of snap_, without process_*
  bool metrics_cached_ = false;
  std::string status_cache_;
  bool status_cached_ = false;
  DashboardHistory history_;
  DashboardEvents events_;
};

/// The dashboard page (src/core/dashboard.html, embedded at build time).
std::string_view dashboard_page();

/// vigil's own process figures from /proc/self (an edge; cheap reads of the kernel's own files).
SelfProcess read_self_process();

}  // namespace vigil
