#pragma once
// The job run history in SQLite (docs/jobs.md, "History"): one row per attempt, in WAL mode under
// $XDG_STATE_HOME/vigil/history.db, kept for [vigil] history_retention. The only sqlite3 include.
//
// Threads: open() and load() run before the event loop (vigil's start); afterwards every write is
// queued to the history's own thread, so a slow disk never stalls supervision. A row is written
// when an attempt starts (result "running") and updated when it ends; a row still "running" when
// vigil starts again belonged to a vigil that died, and is marked "interrupted".
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "vigil/job.hpp"

struct sqlite3;

namespace vigil {

class History {
 public:
  History() = default;
  ~History();
  History(const History&) = delete;
  History& operator=(const History&) = delete;

  /// Opens (creating) the database, marks rows left "running" as interrupted and drops rows older
  /// than `retention`. On failure returns why; vigil then runs without a history file.
  std::optional<std::string> open(const std::string& path, Duration retention);
  bool is_open() const { return db_ != nullptr; }
  const std::string& path() const { return path_; }
  /// How many rows open() marked interrupted.
  int interrupted() const { return interrupted_; }

  /// What open() found, for the JobRunner's start: the newest attempts (oldest first), the largest
  /// run id, and per job when its last scheduled (or caught-up) run started.
  std::vector<AttemptRecord> newest(int limit) const;
  std::int64_t max_run_id() const;
  std::map<std::string, double> last_scheduled() const;
  /// When each job's last run that ended ok (success, or skipped: nothing to do) ended.
  std::map<std::string, double> last_ok_end() const;

  /// Queued to the history thread.
  void attempt_started(const AttemptRecord& r);
  void attempt_ended(const AttemptRecord& r);
  /// Waits until every queued write is done, then stops the thread (shutdown).
  void close();

 private:
  void run();
  void post(std::function<void(sqlite3*)> op);
  void write(sqlite3* db, const AttemptRecord& r, bool insert);

  sqlite3* db_ = nullptr;
  std::string path_;
  Duration retention_{0};
  int interrupted_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void(sqlite3*)>> queue_;
  bool stop_ = false;
  int writes_ = 0;
};

/// "success" → RunResult::Success...; "running" and unknown words → RunResult::None.
RunResult run_result_from(std::string_view word);
Trigger trigger_from(std::string_view word);

}  // namespace vigil
