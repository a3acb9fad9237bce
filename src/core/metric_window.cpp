// Window functions over a bounded metric history (metric_window.hpp). Pure.
#include "vigil/metric_window.hpp"

#include <algorithm>

namespace vigil {

std::string_view to_string(WindowFn fn) {
  switch (fn) {
    case WindowFn::Rate: return "rate";
    case WindowFn::Increase: return "increase";
    case WindowFn::Changes: return "changes";
    case WindowFn::AvgOver: return "avg_over";
    case WindowFn::MaxOver: return "max_over";
    case WindowFn::MinOver: return "min_over";
  }
  return "?";
}

std::optional<WindowFn> window_fn_named(std::string_view name) {
  for (WindowFn fn : {WindowFn::Rate, WindowFn::Increase, WindowFn::Changes, WindowFn::AvgOver, WindowFn::MaxOver,
                      WindowFn::MinOver})
    if (to_string(fn) == name) return fn;
  return std::nullopt;
}

void MetricSeries::add(double t, double value, double spacing) {
  // The first point is never replaced: it is what makes a window covered.
  if (!points_.empty() && (t <= points_.back().t || (points_.size() > 1 && t - points_[points_.size() - 2].t < spacing))) {
    if (t >= points_.back().t) points_.back() = {t, value};
    return;
  }
  points_.push_back({t, value});
  while (points_.size() > capacity_) points_.pop_front();
}

void MetricSeries::prune(double now, double keep_seconds) {
  // Keep the newest point at or before the window start: it is the baseline of increase/changes.
  const double start = now - keep_seconds;
  while (points_.size() >= 2 && points_[1].t <= start) points_.pop_front();
}

std::optional<double> MetricSeries::apply(WindowFn fn, double now, double window) const {
  const double start = now - window;
  if (points_.empty() || points_.front().t > start) return std::nullopt;  // not covered yet
  // First point inside the window; the one before it is the baseline.
  auto first = std::upper_bound(points_.begin(), points_.end(), start,
                                [](double s, const Point& p) { return s < p.t; });
  auto end = std::upper_bound(first, points_.end(), now, [](double s, const Point& p) { return s < p.t; });
  if (first == end) return std::nullopt;  // nothing observed inside the window
  switch (fn) {
    case WindowFn::Rate:
    case WindowFn::Increase: {
      double inc = 0;
      double prev = std::prev(first)->v;
      for (auto it = first; it != end; ++it) {
        inc += it->v >= prev ? it->v - prev : it->v;  // a drop is a counter reset
        prev = it->v;
      }
      return fn == WindowFn::Rate ? inc / window : inc;
    }
    case WindowFn::Changes: {
      double n = 0;
      double prev = std::prev(first)->v;
      for (auto it = first; it != end; ++it) {
        if (it->v != prev) ++n;
        prev = it->v;
      }
      return n;
    }
    case WindowFn::AvgOver: {
      double sum = 0;
      for (auto it = first; it != end; ++it) sum += it->v;
      return sum / static_cast<double>(end - first);
    }
    case WindowFn::MaxOver:
      return std::max_element(first, end, [](const Point& a, const Point& b) { return a.v < b.v; })->v;
    case WindowFn::MinOver:
      return std::min_element(first, end, [](const Point& a, const Point& b) { return a.v < b.v; })->v;
  }
  return std::nullopt;
}

void WindowHistory::set_needs(WindowNeeds needs) {
  needs_ = std::move(needs);
  for (auto& [name, h] : services_)
    std::erase_if(h.series, [&](const auto& kv) { return !needs_.count(kv.first); });
}

void WindowHistory::record(const std::string& service, double now, const Reader& read,
                           std::optional<double> data_timestamp) {
  if (needs_.empty()) return;
  ServiceHistory& h = services_[service];
  if (data_timestamp && h.last_data_timestamp && *data_timestamp != *h.last_data_timestamp) h.updates += 1;
  if (data_timestamp) h.last_data_timestamp = data_timestamp;
  for (const auto& [metric, window] : needs_) {
    double value = 0;
    bool has = false;
    if (metric == kUpdates) {
      has = h.last_data_timestamp.has_value();  // nothing read yet: no data
      value = h.updates;
    } else if (auto r = read(metric)) {
      has = true;
      value = *r;
    }
    auto& series = h.series[metric];
    if (has) series.add(now, value, window / kPointsPerWindow);
    series.prune(now, window);
  }
}

std::optional<double> WindowHistory::apply(const std::string& service, WindowFn fn, const std::string& metric,
                                           double now, double window) const {
  auto s = services_.find(service);
  if (s == services_.end()) return std::nullopt;
  auto m = s->second.series.find(metric);
  if (m == s->second.series.end()) return std::nullopt;
  return m->second.apply(fn, now, window);
}

}  // namespace vigil
