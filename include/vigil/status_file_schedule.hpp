#pragma once
// When status.json is rewritten. The file is what a stopped or crashed vigil leaves behind for
// `vigil status` and `vigil logs`; live figures come from the control socket. So it follows every
// change of state at once (a start, an exit, a probe verdict, a reload, an alert pending, firing or
// resolved) and otherwise refreshes its figures every kRefresh, not at every sample: rewriting the
// whole status each second (60 KB at 100 services) is most of what an idle vigil does besides
// reading /proc, and on a runtime dir without tmpfs (/tmp/vigil-UID) a steady stream of disk writes.
#include <optional>
#include <string>

#include "vigil/clock.hpp"
#include "vigil/snapshot.hpp"

namespace vigil {

class StatusFileSchedule {
 public:
  static constexpr Clock::duration kRefresh = std::chrono::seconds(10);

  /// A change of state the alerts do not show (a service started or exited, a probe's verdict,
  /// a reload, a job): the next publish writes.
  void note_change() { changed_ = true; }
  /// Whether the snapshot published at `now` is written; when it is, it counts as written.
  bool due(const Snapshot& snap, TimePoint now);

 private:
  bool changed_ = true;
  std::optional<TimePoint> written_at_;
  std::string alerts_written_;  // each alert's rule, service and state in the file written last
};

}  // namespace vigil
