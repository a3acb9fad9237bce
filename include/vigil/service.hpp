#pragma once
// One supervised service at runtime. It feeds events into the pure transition() of
// service_state.hpp and performs the resulting actions; set_state() is the only place the state
// changes: it cancels the timer of the state being left, logs "old -> new (event)", and tells the host.
//
// Runs entirely on the event-loop thread.
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vigil/config.hpp"
#include "vigil/log_writer.hpp"
#include "vigil/notify_message.hpp"
#include "vigil/periodic.hpp"
#include "vigil/line_matcher.hpp"
#include "vigil/restart_policy.hpp"
#include "vigil/run_group.hpp"
#include "vigil/service_probes.hpp"
#include "vigil/snapshot.hpp"
#include "vigil/service_state.hpp"

namespace vigil {

class Containment;
class OutputPump;
class HookRunner;
class HookQueue;
class Service;

/// What a Service needs from its owner (the Supervisor).
class ServiceHost {
 public:
  virtual ~ServiceHost() = default;
  virtual void on_state_changed(Service& svc, State from) = 0;
  virtual void own_pid(pid_t pid, bool owned) = 0;  // the reaper must leave owned pids alone
  virtual std::string notify_socket_path() const = 0;  // "" when vigil has none
  /// Where runs are kept: their own cgroups, or process groups only.
  virtual const Containment& containment() const = 0;
  /// A probe's verdict changed, or a log line made the service ready: status should say so soon.
  virtual void on_health_changed(Service& svc) { (void)svc; }
};

class Service {
 public:
  Service(boost::asio::io_context& io, ServiceSpec spec, const VigilSpec& vigil, LogWriter& writer, ServiceHost& host);
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // Requests (operator, supervisor, later rules). Each goes through the state machine.
  void start();    // up; a failed service gets a fresh start budget
  void stop();     // down; stop_signal to the group, SIGKILL after stop_timeout
  void restart();  // down then up at once
  /// A reload changed the definition. Only while stopped: no run may see two specs.
  void redefine(ServiceSpec spec);
  /// A reload changed only keys that do not reach the process (spec_diff.hpp): they apply now,
  /// to the running service; the restart policy's memory (start limit, backoff) is kept.
  void update_live(ServiceSpec spec);
  /// Shutdown escalation (second SIGTERM): SIGKILL the process group now.
  void kill_now();

  /// Called when children may have been reaped (SIGCHLD): re-checks a group we wait on.
  void check_group();
  /// The log writer caught up: pumps may read again.
  void resume_output();
  /// Shutdown: drain and close the output pipes of finished runs.
  void close_output();

  /// A datagram from this service's process tree on vigil's NOTIFY_SOCKET.
  void on_notify(const NotifyMessage& msg);
  /// vigil acts on a fault (watchdog, rule action): restart through the policy, counting toward
  /// the start limit. `reason` goes to the operator log, `result` to the hooks as VIGIL_RESULT
  /// (watchdog, timeout, rule).
  void fault(const std::string& reason, const char* result);
  /// A restart now would be refused by the start limit (the service would end failed).
  bool start_limit_reached();

  /// What the service itself knows. The sampled metrics (cpu, memory, threads, fds, data_age, the
  /// values of its custom metrics) are the Supervisor's SampleTable's to fill in.
  ServiceSnapshot snapshot(TimePoint now) const;

  const std::string& name() const { return spec_.name; }
  const ServiceSpec& spec() const { return spec_; }
  State state() const { return state_; }
  pid_t pid() const { return pid_; }
  /// The current run's cgroup directory ("" without one): what the sampler reads.
  const std::string& cgroup() const { return group_.cgroup(); }
  LogWriter::StreamId log_stream() const { return stream_; }

 private:
  void dispatch(Event e);
  void set_state(State next, Event why);
  void perform(std::uint32_t actions);
  void start_run();  // the pre_start hooks, then spawn()
  void spawn(const std::string& refused = "");  // `refused`: why it may not start (a failed pre_start hook)
  void queue_hooks(const std::vector<Hook>& hooks, const char* kind, const std::string& result, const ExitStatus* exit);
  void arm_timer(Duration d, Event fire);
  void watch_exit();
  void on_main_exit(const ExitStatus& exit);
  void finish_run();
  void arm_watchdog();
  void make_matcher();
  void on_probe_changed(const ProbeView& view, ProbeState from);

  boost::asio::io_context& io_;
  ServiceSpec spec_;
  LogWriter& writer_;
  ServiceHost& host_;
  LogWriter::StreamId stream_;
  std::string log_file_;

  State state_ = State::Stopped;
  EndCause end_cause_ = EndCause::OnItsOwn;
  RestartTracker tracker_;
  Decision decision_;  // the verdict handed to the next Exited / SpawnFailed

  // The current run.
  pid_t pid_ = 0;        // main process; 0 when none
  RunGroup group_;       // its process group (= pid at spawn) and cgroup; kept until both are empty
  TimePoint started_at_{};
  std::optional<ExitStatus> exit_;  // main process exited, group maybe not yet gone
  std::unique_ptr<boost::asio::posix::stream_descriptor> pidfd_;
  std::vector<std::shared_ptr<OutputPump>> pumps_;  // current run's and still-draining older ones
  std::uint64_t lines_done_[2] = {0, 0};  // stdout, stderr lines of the pumps already gone
  void retire_pump(const OutputPump& p);

  // One timer serves every state: each timer belongs to exactly one state (start_timeout to
  // starting, stop_timeout to stopping, delay to backoff, failed_retry to failed). The generation
  // counter discards a callback that was already queued when the timer was re-armed or cancelled.
  boost::asio::steady_timer timer_;
  std::uint64_t timer_gen_ = 0;
  PeriodicTimer group_poll_;  // while the main process is gone but its group is not
  boost::asio::steady_timer watchdog_timer_;
  std::uint64_t watchdog_gen_ = 0;
  TimePoint last_watchdog_{};
  TimePoint timer_deadline_{};  // when timer_ fires, for countdowns in status

  // What status and rules see.
  std::string status_text_;
  std::optional<pid_t> notified_mainpid_;
  std::optional<LastExit> last_exit_;
  TimePoint last_exit_at_{};
  std::deque<TimePoint> recent_starts_;  // the last hour, for restarts(WINDOW)
  int total_starts_ = 0;
  int exits_ = 0;
  bool leftovers_seen_ = false;  // MainExited already dispatched for this run

  // Hooks (hook_runner.hpp): pre_start gates the spawn; the others queue up and run one at a time.
  std::shared_ptr<HookRunner> pre_start_;
  std::unique_ptr<HookQueue> hooks_;
  std::string fault_result_;  // VIGIL_RESULT when vigil ended the run: "watchdog", "timeout", "rule"
  // Health checks: probes (per run) and the log-line matcher (kept across runs: its counters only grow).
  std::unique_ptr<ServiceProbes> probes_;
  std::shared_ptr<LineMatcher> matcher_;
};

}  // namespace vigil
