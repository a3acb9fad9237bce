#include "vigil/status_file_schedule.hpp"

#include "vigil/job_record.hpp"

namespace vigil {

namespace {

// The parts of a snapshot that change by events vigil does not note itself: which alerts exist and
// in which state, the store up or down, the rule set in force, each job's run. Figures that move
// every sample (values, ages) are not in it.
std::string state_key(const Snapshot& snap) {
  std::string key;
  auto field = [&key](std::string_view s) { key.append(s).push_back('\0'); };
  for (const AlertView& a : snap.alerts) {
    field(a.rule);
    field(a.service);
    key += static_cast<char>('0' + static_cast<int>(a.state));
    key += a.muted_by.empty() ? '\n' : 'm';
  }
  key += snap.store.configured ? (snap.store.up ? 'U' : 'D') : '-';
  field(std::to_string(snap.rules.loaded_at));
  field(snap.rules.error);
  for (const JobSnapshot& j : snap.jobs) {
    field(j.name);
    field(j.state);
    field(std::to_string(j.run ? j.run->run_id : 0) + (j.run ? "/" + std::to_string(j.run->attempt) : ""));
    key += j.queued ? 'q' : '\n';
  }
  return key;
}

}  // namespace

bool StatusFileSchedule::due(const Snapshot& snap, TimePoint now) {
  std::string key = state_key(snap);
  bool due = in_snapshot_ || !written_at_ || now - *written_at_ >= kRefresh || key != key_written_;
  in_snapshot_ = false;
  if (!due) return false;
  written_at_ = now;
  key_written_ = std::move(key);
  return true;
}

}  // namespace vigil
