#include "vigil/line_matcher.hpp"

namespace vigil {

LineMatcher::LineMatcher(const std::vector<std::pair<std::string, std::string>>& counters,
                         const std::string& ready_pattern) {
  // The patterns were checked when the config was read; one that does not compile here is skipped.
  for (const auto& [name, text] : counters)
    if (auto p = Pattern::compile(text, nullptr)) counters_.push_back({name, std::move(*p), 0, {}, 0});
  if (!ready_pattern.empty()) ready_ = Pattern::compile(ready_pattern, nullptr);
}

void LineMatcher::feed(std::string_view line, double now) {
  for (auto& c : counters_) {
    if (!c.pattern.found_in(line)) continue;
    ++c.count;
    c.last_line.assign(line.substr(0, kMatchedLineLimit));
    c.last_at = now;
  }
  if (waiting_ready_ && ready_->found_in(line)) {
    waiting_ready_ = false;
    if (on_ready) on_ready();
  }
}

std::vector<LogCounterView> LineMatcher::counters() const {
  std::vector<LogCounterView> out;
  for (const auto& c : counters_) out.push_back({c.name, c.count, c.last_line, c.last_at});
  return out;
}

}  // namespace vigil
