#pragma once
// A bounded history of one numeric metric, and the window functions rules apply to it:
//
//   rate(M, 1m)  increase(M, 5m)  changes(M, 5m)  avg_over(M, 5m)  max_over(M, 5m)  min_over(M, 5m)
//
// Pure: time is a parameter (unix seconds), nothing here reads a clock.
//
// Semantics, chosen to match what a Prometheus user expects:
// - A window is covered only when the history reaches back to its start (a point at or before
//   now - window). A window longer than the data seen so far has no value ("no data"), never 0.
// - increase/rate treat the metric as a counter: a drop is a reset (the process restarted and counts
//   from 0 again), so the value after the drop counts as the increase. They never go negative.
// - A window with no point inside it (the process was down the whole time) has no value.
// - The history holds at most `capacity` points (oldest dropped first): memory is bounded whatever
//   the sample interval. A window the capacity cannot reach back to has no value, honestly.
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace vigil {

enum class WindowFn { Rate, Increase, Changes, AvgOver, MaxOver, MinOver };

std::string_view to_string(WindowFn fn);
/// "rate" → WindowFn::Rate; nullopt for any other name.
std::optional<WindowFn> window_fn_named(std::string_view name);

class MetricSeries {
 public:
  static constexpr std::size_t kDefaultCapacity = 4096;
  explicit MetricSeries(std::size_t capacity = kDefaultCapacity) : capacity_(capacity) {}

  /// Records a reading. Times must not go backwards; a reading closer than `spacing` seconds to the
  /// last kept one replaces it (so a burst of evaluations cannot push the window's start out).
  void add(double t, double value, double spacing = 0);
  /// Forgets points older than what a window of `keep_seconds` ending at `now` needs.
  void prune(double now, double keep_seconds);

  std::size_t size() const { return points_.size(); }
  bool empty() const { return points_.empty(); }

  /// The function over (now - window, now]. nullopt when the window is not covered or holds no point.
  std::optional<double> apply(WindowFn fn, double now, double window) const;

 private:
  struct Point {
    double t;
    double v;
  };
  std::deque<Point> points_;
  std::size_t capacity_;
};

/// The metrics the rules in force look at over windows, each with its longest window (seconds).
/// `kUpdates` stands for `updates(W)`: the count of changes of the service's freshness timestamp.
using WindowNeeds = std::map<std::string, double>;
inline constexpr const char* kUpdates = "@updates";

/// Every service's histories of the metrics in WindowNeeds. Fed at each evaluation with the
/// service's readings; bounded: per series at most kPointsPerWindow points per longest window.
class WindowHistory {
 public:
  static constexpr double kPointsPerWindow = 1024;
  using Reader = std::function<std::optional<double>(const std::string& metric)>;

  /// The rule set changed: keeps what is still needed, forgets the rest.
  void set_needs(WindowNeeds needs);
  const WindowNeeds& needs() const { return needs_; }
  /// One service's readings at `now` (unix seconds). `data_timestamp`: its freshness timestamp, if read.
  void record(const std::string& service, double now, const Reader& read, std::optional<double> data_timestamp);
  std::optional<double> apply(const std::string& service, WindowFn fn, const std::string& metric, double now,
                              double window) const;
  void forget(const std::string& service) { services_.erase(service); }

 private:
  struct ServiceHistory {
    std::map<std::string, MetricSeries> series;
    std::optional<double> last_data_timestamp;
    double updates = 0;  // a counter: how many times the freshness timestamp changed
  };
  WindowNeeds needs_;
  std::map<std::string, ServiceHistory> services_;
};

}  // namespace vigil
