#pragma once
// The jobs of one config (docs/jobs.md): when each runs (cron schedule in its zone, `every`,
// after other jobs, on demand), how many run at once ([vigil] max_parallel_jobs, higher `priority`
// first), and what is remembered of their runs. Runs on the event-loop thread.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "vigil/config.hpp"
#include "vigil/history.hpp"
#include "vigil/job.hpp"
#include "vigil/log_writer.hpp"

namespace vigil {

class JobRunner : public JobHost {
 public:
  using OwnPid = std::function<void(pid_t, bool)>;
  /// `history_path`: the SQLite file of the run history ("" for none); opened here, before the loop runs.
  JobRunner(boost::asio::io_context& io, const Config& config, LogWriter& writer, OwnPid own_pid,
            const std::string& history_path, const Containment& containment);
  ~JobRunner() override;

  /// Called when a run is over (after its retries), with its result: the Supervisor raises job_failed.
  void on_finished(std::function<void(const Job&, RunResult)> hook) { on_finished_ = std::move(hook); }
  /// Arms every schedule.
  void start();
  /// Shutdown: cancels every run (and what waits); `done` runs once no job has a process left.
  void shutdown(std::function<void()> done);
  void kill_all_now();
  /// A reload: new jobs added, removed ones cancelled and dropped, changed ones apply at their next run.
  void apply(const Config& config);

  Job* find(const std::string& name);
  std::vector<std::string> names() const;
  /// `vigil run-now`: a run now, whatever the schedule, honouring `concurrency`.
  Job::Outcome run_now(Job& job, std::int64_t* run_id);
  /// `vigil cancel`: how many runs were stopped or dropped.
  int cancel(Job& job);

  void on_child_signal();
  void on_log_resume(LogWriter::StreamId stream);
  std::string name_for_stream(LogWriter::StreamId stream) const;
  void close_output();

  /// Every job as status, rules and /metrics see it (snapshot.hpp writes it as JSON).
  std::vector<JobSnapshot> snapshot(double now) const;
  /// When the job runs next on its own (unix seconds), or 0.
  double next_run(const Job& job) const;
  /// The attempts recorded since vigil started (newest last), for `vigil history` until the
  /// history database has them; at most 1,000.
  const std::deque<AttemptRecord>& recent() const { return recent_; }

  // JobHost
  void own_pid(pid_t pid, bool owned) override;
  const Containment& containment() const override { return containment_; }
  void want_slot(Job& job) override;
  void attempt_started(Job& job, const AttemptRecord& record) override;
  void attempt_over(Job& job, const AttemptRecord& record) override;
  const History& history() const { return history_; }
  void run_finished(Job& job, RunResult result) override;

 private:
  struct Entry {
    std::unique_ptr<Job> job;
    std::unique_ptr<boost::asio::steady_timer> timer;
    std::uint64_t gen = 0;
    double next_due = 0;  // unix seconds; 0 when it has no schedule
    bool removed = false;
  };
  void arm(Entry& e);
  void admit_waiting();
  Entry* entry(const std::string& name);
  void maybe_done();

  boost::asio::io_context& io_;
  const Config* config_;
  LogWriter& writer_;
  OwnPid own_pid_;
  const Containment& containment_;
  std::vector<Entry> jobs_;        // in config order
  std::vector<Job*> waiting_;      // want a slot, in the order they asked
  int running_ = 0;                // runs holding a slot
  std::int64_t next_id_ = 0;
  bool shutting_down_ = false;
  std::function<void()> on_down_;
  std::vector<std::unique_ptr<Job>> retired_;
  std::deque<AttemptRecord> recent_;
  History history_;
  std::map<std::string, double> last_scheduled_;  // from the history: for catch_up
  bool admitting_ = false;
  std::function<void(const Job&, RunResult)> on_finished_;
};

}  // namespace vigil
