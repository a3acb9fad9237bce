#pragma once
// What is known of a job's runs without the machinery that runs them: one attempt as the run
// history records it, and a job as status, rules and /metrics see it. Plain values.
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "vigil/job_run_state.hpp"

namespace vigil {

class JsonOut;

/// Why a run was started (the history's `trigger` column).
enum class Trigger { Schedule, Manual, After, CatchUp };
std::string_view to_string(Trigger t);

/// One attempt of a run: one row of the run history.
struct AttemptRecord {
  std::int64_t run_id = 0;
  std::string job;
  Trigger trigger = Trigger::Manual;
  int attempt = 1;             // 1 for the first, 2 for the first retry...
  double started = 0, ended = 0;  // unix seconds
  RunResult result = RunResult::None;
  int exit_code = -1;          // -1 when it did not exit normally (or never started)
  int signal = 0;              // the signal that ended it, 0 if none
  double cpu_seconds = 0;
  std::uint64_t max_rss = 0;
  std::string log_file;        // where its output is: this file, between `started` and `ended`
  std::string error;           // why it could not start, if it could not
  bool final = false;          // the run's last attempt
};

/// One attempt as JSON (the history rows of `vigil history --json`, a job's `last`).
void attempt_json(JsonOut& j, const AttemptRecord& r);

/// The run going on now.
struct ActiveRun {
  std::int64_t run_id = 0;
  Trigger trigger = Trigger::Manual;
  int attempt = 1;
  double started = 0;  // unix seconds
  pid_t pid = 0;       // the attempt's process, 0 between attempts
};

/// One job at one moment (docs/jobs.md): status and status.json show it, rules read its metrics
/// (metrics.hpp, job_metric_table) and /metrics exports them.
struct JobSnapshot {
  std::string name;
  std::string state = "idle";  // idle, or the current run's state
  std::string schedule;        // "0 2 * * *", "every 30s", "" when it runs only on demand or after others
  double next_run = 0;         // unix seconds; 0 when nothing is scheduled
  std::optional<ActiveRun> run;
  bool queued = false;
  std::string log_file;
  std::optional<AttemptRecord> last;           // the latest attempt recorded (of a run that may still go on)
  std::optional<AttemptRecord> last_finished;  // the final attempt of the last run that is over
  double last_success_at = 0;                  // unix seconds the last successful run ended; 0 = never
  double taken_at = 0;                         // unix seconds of this picture (ages are relative to it)
};

/// The run ended the way it should: it succeeded, or its condition said there was nothing to do.
bool run_ok(RunResult r);

}  // namespace vigil
