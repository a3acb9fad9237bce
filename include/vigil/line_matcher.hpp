#pragma once
// A service's log-line rules, applied where the output pump has already split lines:
// `log_match = { errors = "ERROR|Traceback" }` counts the lines each pattern is found in (counters
// `log.errors`, for increase()/rate() in rules) and keeps the last matching line; `ready_log` marks
// the service ready at the first matching line. Pure: lines in, counts out. One per service, kept
// across its runs, so a counter never goes back (a restart is not a counter reset).
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/line_prefilter.hpp"
#include "vigil/pattern.hpp"

namespace vigil {

inline constexpr std::size_t kMatchedLineLimit = 512;  // how much of the last matching line is kept

struct LogCounterView {
  std::string name;
  std::uint64_t count = 0;
  std::string last_line;    // the last matching line, cut at kMatchedLineLimit bytes
  double last_at = 0;       // unix seconds of that line, 0 when none yet
};

class LineMatcher {
 public:
  LineMatcher(const std::vector<std::pair<std::string, std::string>>& counters, const std::string& ready_pattern);

  /// True when no line needs looking at (no counters, and readiness is not waited for).
  bool idle() const { return counters_.empty() && !waiting_ready_; }
  /// One line of output (without its newline). `now` is unix seconds.
  void feed(std::string_view line, double now);
  /// Before the lines of one read: `block` is the part of the read that starts a line (after the
  /// first '\n' when the read continues an earlier line). One pass over the block finds the lines
  /// that can match — LinePrefilter's SIMD scan where it can judge the block, else one RE2 expression
  /// made of all the patterns (Pattern::any_line_of); feed() passes over the others instead of trying
  /// each pattern on each line. Until end_block().
  void begin_block(std::string_view block);
  void end_block() { block_ = {}; }
  /// A new run: wait for `ready_log` again.
  void run_started() { waiting_ready_ = ready_.has_value(); }
  /// Called once per run, at the first line matching `ready_log`.
  std::function<void()> on_ready;

  std::vector<LogCounterView> counters() const;

 private:
  struct Counter {
    std::string name;
    Pattern pattern;
    std::uint64_t count = 0;
    std::string last_line;
    double last_at = 0;
  };
  std::vector<Counter> counters_;
  std::optional<Pattern> ready_;
  bool waiting_ready_ = false;
  std::optional<Pattern> gate_;  // Pattern::any_line_of all of the above
  std::unique_ptr<LinePrefilter> prefilter_;  // of the same patterns; null where it cannot serve them
  std::string_view block_;       // the read being fed, empty outside begin_block/end_block
  // The prefilter's answer for this block, when it gave one: the starts of the lines that can match.
  bool listed_ = false;
  std::vector<std::size_t> listed_starts_;
  std::size_t next_listed_ = 0;
  // Otherwise the RE2 gate's search, one candidate line at a time.
  std::size_t candidate_ = 0;    // offset in block_ of the next line that can match; npos: none left
  std::size_t searched_to_ = 0;  // offset in block_ where the next search for one starts (a line start)
  void find_candidate();
  bool passed_over(std::string_view line);
};

}  // namespace vigil
