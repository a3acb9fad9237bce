#pragma once
// When status.json is rewritten. The file is what a stopped or crashed vigil leaves behind for
// `vigil status` and `vigil logs`; live figures come from the control socket. So it follows every
// change of state at once and otherwise refreshes its figures every kRefresh, not at every sample:
// rewriting the whole status each second (60 KB at 100 services) is most of what an idle vigil does
// besides reading /proc, and on a runtime dir without tmpfs (/tmp/vigil-UID) a steady stream of
// disk writes. A change is either noted (note_change: a start, an exit, a probe verdict, a reload)
// or seen in the snapshot itself (alerts, the store, the rules in force, the jobs' runs).
#include <optional>
#include <string>

#include "vigil/clock.hpp"
#include "vigil/snapshot.hpp"

namespace vigil {

class StatusFileSchedule {
 public:
  static constexpr Clock::duration kRefresh = std::chrono::seconds(10);

  /// A change of state the snapshot's key does not show: the next snapshot taken is written.
  void note_change() { changed_ = true; }
  /// A snapshot is being taken: the changes noted until now are in it. One noted while it is
  /// evaluated (a rule's restart) waits for the next.
  void snapshot_taken() {
    in_snapshot_ = in_snapshot_ || changed_;
    changed_ = false;
  }
  /// Whether the snapshot published at `now` is written; when it is, it counts as written.
  bool due(const Snapshot& snap, TimePoint now);

 private:
  bool changed_ = true, in_snapshot_ = false;
  std::optional<TimePoint> written_at_;
  std::string key_written_;  // state_key() of the file written last
};

}  // namespace vigil
