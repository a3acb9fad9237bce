#pragma once
// [job.NAME] as typed values (docs/config.md, "Jobs"; docs/jobs.md). Read by config_jobs.cpp.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "vigil/cron.hpp"
#include "vigil/quantity.hpp"
#include "vigil/run_settings.hpp"
#include "vigil/time_zone.hpp"

namespace vigil {

/// What happens when a job is triggered while a run of it is still going.
enum class JobConcurrency {
  Skip,   // the new trigger is dropped (and logged): runs never overlap
  Queue,  // the new trigger waits for the current run to end (at most one waits)
};

struct JobSpec {
  std::string name;
  std::vector<std::string> command;                       // argv, resolved in PATH at each run
  std::string cwd;                                        // absolute; default: the config file's folder
  std::vector<std::pair<std::string, std::string>> env;  // env_file merged in, sorted
  RunSettings run;
  Hooks hooks;

  // When it runs on its own: a cron schedule in a zone, or a fixed period; neither = only on demand
  // (run-now) or after other jobs.
  std::string schedule;  // as written; "" when none
  CronSchedule cron{};
  bool has_cron = false;
  TimeZone zone = TimeZone::utc();
  Duration every{0};  // > 0: a run every this long from vigil's start

  std::vector<std::string> condition;  // argv run first: 0 run, 1 skipped, else failed
  Duration timeout{0};                 // 0: none; the whole run, condition and attempts together
  Duration output_timeout{0};          // 0: none; no output for this long kills the attempt
  int retries = 0;
  Duration retry_delay = std::chrono::seconds(1);
  Duration retry_max_delay = std::chrono::minutes(5);
  std::vector<std::string> after;  // run when each of these jobs' latest run succeeded
  JobConcurrency concurrency = JobConcurrency::Skip;
  int priority = 0;  // higher first when runs wait for max_parallel_jobs
  bool catch_up = false;
  int stop_signal = 15;
  Duration stop_timeout = std::chrono::seconds(10);
  std::uint32_t line = 0;  // where [job.NAME] stands
};

}  // namespace vigil
