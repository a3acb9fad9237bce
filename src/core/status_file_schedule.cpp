#include "vigil/status_file_schedule.hpp"

namespace vigil {

namespace {

// Which alerts exist and in which state: a rule turning pending, firing or resolved changes it;
// figures that move every sample (values, ages) do not.
std::string alert_states(const Snapshot& snap) {
  std::string key;
  for (const AlertView& a : snap.alerts) {
    key += a.rule;
    key += '\0';
    key += a.service;
    key += '\0';
    key += static_cast<char>('0' + static_cast<int>(a.state));
    key += a.muted_by.empty() ? '\n' : 'm';
  }
  return key;
}

}  // namespace

bool StatusFileSchedule::due(const Snapshot& snap, TimePoint now) {
  std::string alerts = alert_states(snap);
  bool due = changed_ || !written_at_ || now - *written_at_ >= kRefresh || alerts != alerts_written_;
  if (!due) return false;
  changed_ = false;
  written_at_ = now;
  alerts_written_ = std::move(alerts);
  return true;
}

}  // namespace vigil
