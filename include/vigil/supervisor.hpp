#pragma once
// Owns the services of one config and orders them: a service starts once every service it names in
// `after` is running (ready); at shutdown a service is stopped once every service that runs after it
// is down, so the tree comes down in reverse. Runs on the event-loop thread.
#include <boost/asio/io_context.hpp>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "vigil/alerting.hpp"
#include "vigil/config.hpp"
#include "vigil/containment.hpp"
#include "vigil/job_runner.hpp"
#include "vigil/log_writer.hpp"
#include "vigil/notify_socket.hpp"
#include "vigil/samples.hpp"
#include "vigil/periodic.hpp"
#include "vigil/sampling_thread.hpp"
#include "vigil/service.hpp"
#include "vigil/snapshot.hpp"
#include "vigil/status_file_schedule.hpp"
#include "vigil/store_sampler.hpp"

namespace vigil {

class Supervisor : public ServiceHost {
 public:
  /// `runtime_dir` (0700, created if missing) holds notify.sock and status.json.
  /// `containment` (Containment::take_over) outlives the Supervisor.
  Supervisor(boost::asio::io_context& io, Config config, LogWriter& writer, std::string runtime_dir,
             const Containment& containment);
  ~Supervisor();

  /// Starts every service in dependency order.
  void start_all();
  /// Stops every service in reverse dependency order; `done` runs once all are down.
  void shutdown(std::function<void()> done);
  /// A second SIGTERM/SIGINT during shutdown: SIGKILL every process group now.
  void kill_all_now();
  bool shutting_down() const { return shutting_down_; }

  /// SIGCHLD: collect adopted orphans, then let services re-check groups they wait on.
  void on_child_signal();
  /// From the log writer (posted to the loop): a service's output may be read again.
  void on_log_resume(LogWriter::StreamId stream);
  /// Name of the service writing to `stream`, for messages from the log writer.
  std::string service_for_stream(LogWriter::StreamId stream) const;
  /// From the log writer (posted to the loop): `lines` of `stream` were dropped (log_overflow = "drop").
  void on_log_dropped(LogWriter::StreamId stream, std::uint64_t lines);

  Service* find(const std::string& name);
  /// The service whose process tree `pid` belongs to (main process, same session, or a descendant).
  Service* service_for_pid(pid_t pid);
  Snapshot snapshot() const;
  /// SIGHUP / `vigil reload`: re-reads the config and the rules. Services whose definition changed
  /// are restarted, new ones started, removed ones stopped; the rest are not touched. A config with
  /// errors changes nothing. Returns "" or why something was refused (FILE:LINE:COL lines).
  std::string reload();
  /// The snapshot with its alerts, rules and notifiers described (what `vigil status` shows).
  Snapshot described_snapshot() const;
  /// A `reload` request: through the hook cmd_run set (RELOADING=1 / READY=1 around it), else reload().
  std::string request_reload();
  /// An operator started or stopped `name` by hand: it no longer waits for its `after` services.
  void drop_from_start_order(const std::string& name) { waiting_to_start_.erase(name); }
  std::vector<std::string> service_names() const;
  Alerting& alerting() { return *alerting_; }
  /// Writes status.json soon (coalesced), off the loop.
  void publish_soon();
  /// Called with every published snapshot (vigil's STATUS= line to its manager).
  void on_publish(std::function<void(const std::shared_ptr<const Snapshot>&)> hook) { on_publish_ = std::move(hook); }
  /// How a `reload` request is carried out (cmd_run wraps reload() in RELOADING=1 / READY=1).
  void on_reload_request(std::function<std::string()> hook) { on_reload_request_ = std::move(hook); }
  const std::vector<std::unique_ptr<Service>>& services() const { return services_; }
  /// The jobs (docs/jobs.md): scheduled and on-demand runs, beside the services.
  JobRunner& jobs() { return *jobs_; }
  /// Shutdown: drain and close every service's and job's output pipes.
  void close_output();

  // ServiceHost
  void on_state_changed(Service& svc, State from) override;
  void own_pid(pid_t pid, bool owned) override;
  std::string notify_socket_path() const override;
  const Containment& containment() const override { return containment_; }
  void on_health_changed(Service& svc) override;

 private:
  void start_waiting();
  void continue_shutdown();
  bool dependants_down(const Service& svc) const;

  // Every sample_interval: sample() starts the /proc pass and the store batch; once both are in,
  // refresh() takes a snapshot, evaluate()s the rules on it and publish()es it. A state change or a
  // store write refreshes too (publish_soon, coalesced).
  void sample();
  void refresh();
  void evaluate(Snapshot& snap);
  void publish(std::shared_ptr<const Snapshot> snap);
  std::vector<StoreReads> store_plan() const;

  boost::asio::io_context& io_;
  std::string apply_config(Config next);  // returns what changed (" +new ~changed -removed")
  void settle_redefinitions();

  Config config_;  // the config in force (Alerting reads it by reference)
  LogWriter& writer_;
  std::string runtime_dir_;
  const Containment& containment_;
  TimePoint started_at_;
  std::unique_ptr<NotifySocket> notify_;
  SamplingThread sampling_;
  std::unique_ptr<StoreSampler> store_;
  SampleTable samples_;  // what the last /proc pass and store reads found, by service
  std::unique_ptr<Alerting> alerting_;
  std::string act(const ActionRequest& a);  // what became of it (Alerting::ActionHook)
  PeriodicTimer sample_timer_;
  boost::asio::steady_timer publish_timer_;
  boost::asio::steady_timer early_timer_;  // an evaluation due before the next sample
  TimePoint next_sample_{};
  bool read_store_then(std::function<void()> done);  // false: no read started, `done` not called
  void make_store();
  void sample_part_done();
  int sample_parts_left_ = 0;  // the /proc pass and the store batch of the current sample
  bool publish_pending_ = false;
  StatusFileSchedule status_file_;  // status.json follows changes of state, not every sample
  std::vector<std::unique_ptr<Service>> services_;  // in config order
  std::map<std::string, ServiceSpec> redefine_;  // changed by a reload: applied once stopped
  std::set<std::string> retiring_;               // removed by a reload: dropped once stopped
  std::vector<std::unique_ptr<Service>> retired_;  // removed by a reload; each freed by a handler posted then
  std::set<std::string> waiting_to_start_;
  bool starting_waiting_ = false;  // start_waiting() is on the stack
  bool in_shutdown_pass_ = false;  // continue_shutdown() is on the stack
  bool shutdown_again_ = false;    // ...and a state changed under it
  std::set<pid_t> owned_pids_;
  bool shutting_down_ = false;
  std::function<void()> on_all_down_;
  std::function<void(const std::shared_ptr<const Snapshot>&)> on_publish_;
  std::function<std::string()> on_reload_request_;
  ReloadView last_reload_;  // what the last reload did
  double config_loaded_at_ = 0;  // unix seconds: when the config in force was read
  std::map<std::string, std::uint64_t> dropped_lines_;  // by service, since vigil started
  std::unique_ptr<JobRunner> jobs_;
  bool jobs_down_ = false;  // shutdown: no job run is left
};

}  // namespace vigil
