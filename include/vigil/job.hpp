#pragma once
// One job at runtime (docs/jobs.md): its current run and that run's attempts. Every change of a
// run's state goes through the pure transition() of job_run_state.hpp; this class only performs the
// actions it returns (spawn the condition or the command, signal or kill the process group, arm
// timers, record an attempt, finish the run). Runs on the event-loop thread.
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vigil/clock.hpp"
#include "vigil/config.hpp"
#include "vigil/exit_status.hpp"
#include "vigil/job_record.hpp"
#include "vigil/job_run_state.hpp"
#include "vigil/log_writer.hpp"
#include "vigil/periodic.hpp"
#include "vigil/run_group.hpp"

namespace vigil {

class Containment;
class OutputPump;
class HookRunner;
class HookQueue;
struct HookOutcome;
class Job;

/// What a Job needs from its owner (the JobRunner).
class JobHost {
 public:
  virtual ~JobHost() = default;
  virtual void own_pid(pid_t pid, bool owned) = 0;
  /// Where runs are kept: their own cgroups, or process groups only.
  virtual const Containment& containment() const = 0;
  /// The run wants a slot (max_parallel_jobs): the host calls Job::admit() when one is free.
  virtual void want_slot(Job& job) = 0;
  virtual void attempt_started(Job& job, const AttemptRecord& record) = 0;
  virtual void attempt_over(Job& job, const AttemptRecord& record) = 0;
  /// The run is over with `result`; the slot is free.
  virtual void run_finished(Job& job, RunResult result) = 0;
};

class Job {
 public:
  Job(boost::asio::io_context& io, JobSpec spec, const VigilSpec& vigil, LogWriter& writer, JobHost& host);
  ~Job();
  Job(const Job&) = delete;
  Job& operator=(const Job&) = delete;

  enum class Outcome { Started, Queued, Skipped };
  /// A reason to run. Started: a new run (waiting for a slot); Queued (concurrency = "queue"): it
  /// starts when the current one ends; Skipped: a run is going and concurrency = "skip" (or one
  /// already waits). `*run_id` is the new run's id unless skipped.
  Outcome trigger(Trigger why, std::int64_t* run_id);
  /// The host gives the waiting run its slot.
  void admit();
  /// Stops the current run (whole process group) and drops a queued one. The run ends cancelled.
  /// `shutdown`: vigil is stopping; hooks still queued are dropped and running ones killed.
  void cancel(bool shutdown = false);
  /// Shutdown escalation: SIGKILL the current process group now.
  void kill_now();
  /// SIGCHLD: re-check a process group we wait on.
  void check_group();
  void resume_output();
  void close_output();
  /// A reload: the new definition applies from the next run on.
  void redefine(JobSpec spec);

  const std::string& name() const { return spec_.name; }
  const JobSpec& spec() const { return spec_; }
  RunState state() const { return state_; }
  bool active() const { return state_ != RunState::Done; }
  bool has_processes() const { return group_.active(); }
  pid_t pid() const { return pid_; }
  std::int64_t run_id() const { return run_id_; }
  Trigger run_trigger() const { return trigger_; }
  int attempt() const { return attempt_; }
  double run_started() const { return run_started_unix_; }
  LogWriter::StreamId log_stream() const { return stream_; }
  const std::string& log_file() const { return log_file_; }
  /// The last finished run: its result and last attempt (nullopt before the first).
  const std::optional<AttemptRecord>& last_run() const { return last_run_; }
  void set_last_run(AttemptRecord r) { last_run_ = std::move(r); }
  /// The final attempt of the last run that is over, and when a run last ended ok (rules:
  /// last_run_ok, last_duration, last_success_age). Kept across vigil's restarts by the history.
  const std::optional<AttemptRecord>& last_finished() const { return last_finished_; }
  void set_last_finished(AttemptRecord r) { last_finished_ = std::move(r); }
  double last_success_at() const { return last_success_at_; }
  void set_last_success_at(double at) { last_success_at_ = at; }
  bool queued() const { return queued_.has_value(); }
  /// Run ids come from the owner (the history's next id).
  void set_next_run_id(std::int64_t* counter) { next_id_ = counter; }

 private:
  void dispatch(RunEvent e);
  void perform(const RunStep& step);
  RunFacts facts() const;
  void spawn(bool condition);
  void watch_exit();
  void on_exit(const ExitStatus& exit);
  void group_gone();
  void arm_state_timer(Duration d, RunEvent fire);
  void arm_output_timer();
  void record_attempt(RunResult result, bool final);
  AttemptRecord attempt_record() const;
  // Hooks (hook_runner.hpp): pre_start gates each attempt's command; the others run one after
  // the other, in the order they became due, beside the run.
  void run_pre_start();
  void queue_hooks(const std::vector<Hook>& hooks, const char* kind, const HookOutcome& outcome);
  std::vector<std::string> hook_base_env() const;
  void start_run(Trigger why, std::int64_t id);

  boost::asio::io_context& io_;
  JobSpec spec_;
  std::optional<JobSpec> next_spec_;
  LogWriter& writer_;
  JobHost& host_;
  LogWriter::StreamId stream_;
  std::string log_file_;
  std::int64_t* next_id_ = nullptr;
  std::int64_t local_ids_ = 0;

  RunState state_ = RunState::Done;
  RunResult stopping_for_ = RunResult::None;
  std::int64_t run_id_ = 0;
  Trigger trigger_ = Trigger::Manual;
  int attempt_ = 0;
  double run_started_unix_ = 0;
  std::optional<std::pair<Trigger, std::int64_t>> queued_;  // concurrency = "queue": the next run

  // The current attempt's process (condition or command).
  bool in_condition_ = false;
  pid_t pid_ = 0;
  RunGroup group_;  // the attempt's process group and cgroup, until both are empty
  double attempt_started_unix_ = 0;
  TimePoint attempt_steady_{};
  std::optional<ExitStatus> exit_;
  std::string spawn_error_;
  std::unique_ptr<boost::asio::posix::stream_descriptor> pidfd_;
  std::vector<std::shared_ptr<OutputPump>> pumps_;
  PeriodicTimer group_poll_;

  // The run's timeout, the state's timer (stop_timeout, retry_delay) and output_timeout, each with
  // a generation that discards a callback already queued when it was re-armed or cancelled.
  boost::asio::steady_timer run_timer_, state_timer_, output_timer_;
  std::uint64_t run_gen_ = 0, state_gen_ = 0, output_gen_ = 0;

  std::optional<AttemptRecord> last_run_;
  std::optional<AttemptRecord> last_finished_;
  double last_success_at_ = 0;

  std::shared_ptr<HookRunner> pre_start_;   // gating the current attempt
  std::unique_ptr<HookQueue> side_hooks_;   // post_start, post_stop, on_success, on_failure: one at a time
  bool no_hooks_ = false;  // vigil is stopping
};

}  // namespace vigil
