#include "vigil/line_matcher.hpp"

namespace vigil {

LineMatcher::LineMatcher(const std::vector<std::pair<std::string, std::string>>& counters,
                         const std::string& ready_pattern) {
  // The patterns were checked when the config was read; one that does not compile here is skipped.
  for (const auto& [name, text] : counters)
    if (auto p = Pattern::compile(text, nullptr)) counters_.push_back({name, std::move(*p), 0, {}, 0});
  if (!ready_pattern.empty()) ready_ = Pattern::compile(ready_pattern, nullptr);
  std::vector<const Pattern*> all;
  std::vector<std::string> texts;
  for (const auto& c : counters_) all.push_back(&c.pattern);
  if (ready_) all.push_back(&*ready_);
  for (const Pattern* p : all) texts.push_back(p->text());
  if (!all.empty()) gate_ = Pattern::any_line_of(all);
  if (gate_) prefilter_ = LinePrefilter::build(texts);
}

void LineMatcher::begin_block(std::string_view block) {
  block_ = gate_ ? block : std::string_view();
  listed_ = prefilter_ && !block_.empty() && prefilter_->candidate_lines(block_, listed_starts_);
  next_listed_ = 0;
  if (listed_) return;
  searched_to_ = 0;
  find_candidate();
}

// The line where the combined expression's leftmost match in the rest of the block begins. No line
// before it can match: a match of one pattern inside one line is also a match of the combined one,
// beginning at the same place, so it would have been the leftmost. Each search starts at a line start.
void LineMatcher::find_candidate() {
  std::optional<std::size_t> at;
  if (searched_to_ < block_.size()) at = gate_->find_in(block_.substr(searched_to_));
  if (!at) {
    candidate_ = std::string_view::npos;
    searched_to_ = block_.size();
    return;
  }
  std::size_t match = searched_to_ + *at;
  std::size_t line_start = match == 0 ? std::string_view::npos : block_.rfind('\n', match - 1);
  candidate_ = line_start == std::string_view::npos || line_start < searched_to_ ? searched_to_ : line_start + 1;
  std::size_t line_end = block_.find('\n', match);
  searched_to_ = line_end == std::string_view::npos ? block_.size() : line_end + 1;
}

// Only whole lines the search has seen are passed over: inside the block, with a line's edges on both
// sides. A piece of an over-long line, or a line begun in an earlier read, is matched on its own.
bool LineMatcher::passed_over(std::string_view line) {
  if (block_.empty()) return false;
  const char* begin = block_.data();
  const char* end = begin + block_.size();
  if (line.data() < begin || line.data() + line.size() >= end) return false;
  if (!(line.data() == begin || line.data()[-1] == '\n') || line.data()[line.size()] != '\n') return false;
  auto at = static_cast<std::size_t>(line.data() - begin);
  if (listed_) {
    while (next_listed_ < listed_starts_.size() && listed_starts_[next_listed_] < at) ++next_listed_;
    return next_listed_ == listed_starts_.size() || listed_starts_[next_listed_] != at;
  }
  while (candidate_ != std::string_view::npos && at > candidate_) find_candidate();
  return at != candidate_;
}

void LineMatcher::feed(std::string_view line, double now) {
  if (passed_over(line)) return;
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
