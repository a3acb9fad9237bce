#include "vigil/service.hpp"

#include <boost/asio/post.hpp>
#include <csignal>
#include <cstdio>

#include "vigil/child_process.hpp"
#include "vigil/containment.hpp"
#include "vigil/hook_runner.hpp"
#include "vigil/clock.hpp"
#include "vigil/journal.hpp"
#include "vigil/oplog.hpp"
#include "vigil/output_pump.hpp"
#include "vigil/signal_names.hpp"

namespace vigil {

namespace asio = boost::asio;

namespace {
// How often to look again at a process group that outlived its main process. SIGCHLD from the
// subreaper usually answers sooner; this is the safety net.
constexpr auto kGroupPoll = std::chrono::milliseconds(20);
}  // namespace

Service::Service(asio::io_context& io, ServiceSpec spec, const VigilSpec& vigil, LogWriter& writer, ServiceHost& host)
    : io_(io), spec_(std::move(spec)), writer_(writer), host_(host), timer_(io), watchdog_timer_(io) {
  LogFileOptions opt;
  opt.path = vigil.log_dir + "/" + spec_.name + ".log";
  log_file_ = opt.path;
  opt.max_size = vigil.log_max_size;
  opt.keep = vigil.log_keep;
  opt.overflow = vigil.log_overflow;
  stream_ = writer_.add_stream(opt);
  if (use_journal(vigil.journal)) writer_.set_journal(stream_, spec_.name);
  ServiceHost* h = &host_;
  hooks_ = std::make_unique<HookQueue>(io, writer, [h](pid_t pid, bool owned) { h->own_pid(pid, owned); });
  ServiceProbes::Hooks probe_hooks;
  probe_hooks.changed = [this](const ProbeView& v, ProbeState from) { on_probe_changed(v, from); };
  probe_hooks.startup_failed = [this](const std::string& reason) { fault(reason + ": the start failed", "timeout"); };
  probes_ = std::make_unique<ServiceProbes>(io_, spec_.name, spec_.probes,
                                            std::chrono::duration_cast<std::chrono::milliseconds>(spec_.start_timeout),
                                            std::move(probe_hooks));
  make_matcher();
}

Service::~Service() {
  if (pre_start_) pre_start_->abandon();  // its callback names this service
  if (matcher_) matcher_->on_ready = nullptr;  // a pump may outlive this Service by a queued handler
}

void Service::make_matcher() {
  if (matcher_) matcher_->on_ready = nullptr;
  matcher_.reset();
  if (spec_.log_match.empty() && spec_.ready_log.empty()) return;
  matcher_ = std::make_shared<LineMatcher>(spec_.log_match, spec_.ready_log);
  matcher_->on_ready = [this] {
    if (state_ != State::Starting || spec_.ready != ReadyMode::Log) return;
    oplog::info(spec_.name + ": ready (a line matched ready_log \"" + spec_.ready_log + "\")");
    dispatch(Event::Ready);
    host_.on_health_changed(*this);
  };
}

namespace {

// One probe check as a person reads it: "HTTP 503 in 4ms: unhealthy", "exit code 1: ...".
std::string describe_check(const ProbeView& v) {
  std::string what;
  if (v.http_status) what = "HTTP " + std::to_string(v.http_status);
  std::string detail = v.detail.substr(0, std::min(v.detail.find('\n'), std::size_t{200}));
  if (v.latency) {
    char ms[32];
    std::snprintf(ms, sizeof ms, *v.latency < 1 ? "%.1fms" : "%.2fs", *v.latency < 1 ? *v.latency * 1000 : *v.latency);
    what += (what.empty() ? "" : " ") + std::string("in ") + ms;
  }
  if (!detail.empty()) what += (what.empty() ? "" : ": ") + detail;
  return what.empty() ? "no detail" : what;
}

}  // namespace

void Service::on_probe_changed(const ProbeView& v, ProbeState from) {
  std::string metric = "probe." + v.name;
  if (v.state == ProbeState::Failing) {
    oplog::warn(spec_.name + ": probe " + v.name + " is failing: " + std::to_string(v.failures) +
                " checks in a row failed; last: " + describe_check(v) + ". Rules now see " + metric + " = false");
  } else if (v.state == ProbeState::Passing) {
    std::string again = from == ProbeState::Failing ? " again" : "";
    oplog::info(spec_.name + ": probe " + v.name + " is passing" + again + ": " + describe_check(v) +
                ". Rules now see " + metric + " = true");
    if (spec_.ready == ReadyMode::Probe && spec_.ready_probe == v.name && state_ == State::Starting) {
      oplog::info(spec_.name + ": ready (probe " + v.name + " passed)");
      dispatch(Event::Ready);
    }
  }
  host_.on_health_changed(*this);
}

void Service::start() {
  if (state_ == State::Failed) tracker_.reset_limit();
  if (state_ == State::Stopping) end_cause_ = EndCause::RestartRequested;
  dispatch(Event::Start);
}

void Service::stop() {
  end_cause_ = EndCause::StopRequested;
  dispatch(Event::Stop);
}

void Service::restart() {
  end_cause_ = EndCause::RestartRequested;
  dispatch(Event::Restart);
}

void Service::redefine(ServiceSpec spec) {
  if (state_ != State::Stopped) return;
  update_live(std::move(spec));
}

void Service::update_live(ServiceSpec spec) {
  bool probes_changed = !(spec.probes == spec_.probes) || spec.start_timeout != spec_.start_timeout;
  bool matcher_changed = spec.log_match != spec_.log_match || spec.ready_log != spec_.ready_log;
  spec_ = std::move(spec);
  if (probes_changed)
    probes_->set_specs(spec_.probes, std::chrono::duration_cast<std::chrono::milliseconds>(spec_.start_timeout));
  if (matcher_changed) {
    make_matcher();
    if (matcher_) matcher_->run_started();
    for (auto& p : pumps_) p->set_matcher(matcher_);
  }
}

void Service::kill_now() {
  group_.kill();
  hooks_->clear();
}

void Service::dispatch(Event e) {
  Step step = transition(state_, e, decision_.verdict);
  if (step.ignored) {
    oplog::debug(spec_.name + ": " + std::string(to_string(e)) + " ignored while " + std::string(to_string(state_)));
    return;
  }
  if (step.next != state_) set_state(step.next, e);
  perform(step.actions);
}

void Service::set_state(State next, Event why) {
  State from = state_;
  state_ = next;
  // Probes check a run that is starting or running; stopping ends their run.
  if (next != State::Starting && next != State::Running) probes_->run_ended();
  ++timer_gen_;  // every timer belongs to the state being left
  timer_.cancel();
  // The watchdog runs while the service is running: from ready until it stops.
  ++watchdog_gen_;
  watchdog_timer_.cancel();
  if (next == State::Running && spec_.watchdog) {
    last_watchdog_ = Clock::now();
    arm_watchdog();
  }
  if (next == State::Running) queue_hooks(spec_.hooks.post_start, "post_start", "", nullptr);
  oplog::state_changed(spec_.name, from, next, why);
  host_.on_state_changed(*this, from);
}

void Service::perform(std::uint32_t actions) {
  if (actions & kSignalGroup && pre_start_) {
    // Stopped while its pre_start hooks ran: they are killed, and the run ends as if its process
    // had been stopped by the stop signal (no process was started).
    pre_start_->abandon();
    pre_start_.reset();
    ExitStatus stopped;
    stopped.signaled = true;
    stopped.signal = spec_.stop_signal;
    exit_ = stopped;
    boost::asio::post(io_, [this] {
      if (exit_ && state_ == State::Stopping) finish_run();
    });
  }
  if (actions & kSignalGroup) {
    group_.signal(spec_.stop_signal);
    group_.signal(SIGCONT);  // a stopped process must wake up to act on the signal
  }
  if (actions & kKillGroup) {
    if (state_ == State::Stopping)
      oplog::stop_escalated(spec_.name, group_.describe(), format_duration(spec_.stop_timeout));
    else
      oplog::leftovers_killed(spec_.name, group_.describe());
    group_.kill();
  }
  if (actions & kArmStartTimer) {
    if (spec_.ready == ReadyMode::Started)
      dispatch(Event::Ready);  // "started" means ready as soon as exec succeeded
    else
      arm_timer(spec_.start_timeout, Event::StartTimeout);
  }
  if (actions & kArmStopTimer) arm_timer(spec_.stop_timeout, Event::StopTimeout);
  if (actions & kArmDelayTimer) arm_timer(decision_.delay, Event::DelayElapsed);
  if (actions & kArmRetryTimer && spec_.restart.failed_retry) arm_timer(*spec_.restart.failed_retry, Event::RetryElapsed);
  if (actions & kSpawn) start_run();
}

void Service::start_run() {
  if (spec_.hooks.pre_start.empty()) return spawn();
  ServiceHost* host = &host_;
  pre_start_ = HookRunner::start(
      io_, spec_.hooks.pre_start, "pre_start", true, spec_.cwd,
      HookRunner::environment(child_environment(spec_.env, spec_.name), "pre_start", HookOutcome{}), writer_, stream_,
      [host](pid_t pid, bool owned) { host->own_pid(pid, owned); },
      [this](bool ok, const std::string& failure) {
        pre_start_.reset();
        if (state_ != State::Starting) return;
        spawn(ok ? "" : failure);
      });
}

void Service::queue_hooks(const std::vector<Hook>& hooks, const char* kind, const std::string& result, const ExitStatus* exit) {
  if (hooks.empty()) return;
  HookOutcome o;
  o.result = result;
  if (exit) {
    o.exit_code = exit->signaled ? -1 : exit->code;
    o.exit_signal = exit->signaled ? exit->signal : 0;
  }
  hooks_->push(hooks, kind, spec_.cwd, HookRunner::environment(child_environment(spec_.env, spec_.name), kind, o), stream_);
}

void Service::arm_timer(Duration d, Event fire) {
  std::uint64_t gen = ++timer_gen_;
  timer_deadline_ = Clock::now() + d;
  timer_.expires_after(d);
  timer_.async_wait([this, gen, fire](const boost::system::error_code& ec) {
    if (ec || gen != timer_gen_) return;
    if (fire == Event::StartTimeout) {
      fault_result_ = "timeout";
      oplog::warn(spec_.name + ": not ready within start_timeout (" + format_duration(spec_.start_timeout) +
                  "); stopping it and treating the start as failed");
      end_cause_ = EndCause::Fault;
    }
    if (fire == Event::RetryElapsed) {
      oplog::info(spec_.name + ": failed_retry elapsed; trying again with a fresh start budget");
      tracker_.reset_limit();
    }
    dispatch(fire);
  });
}

void Service::spawn(const std::string& refused) {
  end_cause_ = EndCause::OnItsOwn;
  fault_result_.clear();
  exit_.reset();
  leftovers_seen_ = false;
  SpawnSpec ss{spec_.command, spec_.cwd, child_environment(spec_.env, spec_.name)};
  ss.run = spec_.run;
  // vigil is the child's systemd: its own notify socket, and the watchdog period if one is set.
  if (std::string sock = host_.notify_socket_path(); !sock.empty()) ss.env.push_back("NOTIFY_SOCKET=" + sock);
  if (spec_.watchdog) {
    ss.env.push_back("WATCHDOG_USEC=" + std::to_string(spec_.watchdog->count() * 1000));
    ss.env.push_back(kWatchdogPidPlaceholder);  // spawn_child writes the child's own pid here
  }
  SpawnResult r;
  if (refused.empty()) r = host_.containment().spawn_run("service", spec_.name, ss);
  else r.error = refused + "; the service was not started";
  TimePoint now = Clock::now();
  tracker_.record_start(now);
  started_at_ = now;
  if (total_starts_++ > 0) {
    recent_starts_.push_front(now);
    while (recent_starts_.size() > 1 && now - recent_starts_.back() > std::chrono::hours(1)) recent_starts_.pop_back();
  }
  status_text_.clear();
  notified_mainpid_.reset();
  if (!r.child) {
    decision_ = tracker_.decide(spec_.restart, EndCause::OnItsOwn, nullptr, now, now);
    oplog::spawn_failed(spec_.name, r.error, decision_, spec_.restart);
    queue_hooks(spec_.hooks.on_failure, "on_failure", "start-failed", nullptr);
    dispatch(Event::SpawnFailed);
    return;
  }
  pid_ = r.child->pid;
  group_ = RunGroup(r.child->pid, ss.cgroup);
  writer_.set_pid(stream_, pid_);
  host_.own_pid(pid_, true);
  oplog::started(spec_.name, pid_, r.child->program);
  pidfd_ = std::make_unique<asio::posix::stream_descriptor>(io_, r.child->pidfd);
  auto pump = OutputPump::create(io_, r.child->out_fd, r.child->err_fd, writer_, stream_);
  if (matcher_) {
    matcher_->run_started();
    pump->set_matcher(matcher_);
  }
  pump->start();
  if (!probes_->empty())
    probes_->run_started(ProbeEnv{spec_.cwd, child_environment(spec_.env, spec_.name),
                                  // The host, not this Service: a cancelled check is reaped later, maybe after a reload retired us.
                                  [&host = host_](pid_t p, bool owned) { host.own_pid(p, owned); }});
  // Older runs' pumps that reached EOF are done.
  std::erase_if(pumps_, [this](const std::shared_ptr<OutputPump>& p) {
    if (p->finished()) retire_pump(*p);
    return p->finished();
  });
  pumps_.push_back(std::move(pump));
  watch_exit();
  dispatch(Event::Spawned);
}

void Service::watch_exit() {
  pidfd_->async_wait(asio::posix::stream_descriptor::wait_read, [this](const boost::system::error_code& ec) {
    if (ec) return;
    auto exit = reap_child(pid_);
    if (!exit) {
      watch_exit();
      return;
    }
    on_main_exit(*exit);
  });
}

void Service::on_main_exit(const ExitStatus& exit) {
  host_.own_pid(pid_, false);
  pidfd_.reset();
  pid_ = 0;
  exit_ = exit;
  check_group();
}

void Service::check_group() {
  hooks_->check_group();
  if (auto keep = pre_start_) keep->check_group();  // its callback drops pre_start_
  if (!exit_ || !group_.active()) return;
  if (!group_.alive()) {
    group_poll_.stop();
    finish_run();
    return;
  }
  if (!leftovers_seen_) {
    // A crashed service's leftovers are killed now; while stopping, the stop timer covers them.
    leftovers_seen_ = true;
    dispatch(Event::MainExited);
  }
  // SIGCHLD may not come for a group member that is not our child: poll until the group is gone.
  if (!group_poll_.active()) group_poll_ = every(io_, kGroupPoll, [this] { check_group(); });
}

void Service::finish_run() {
  TimePoint now = Clock::now();
  ExitStatus exit = *exit_;
  exit_.reset();
  group_.release(spec_.name);
  EndCause cause = end_cause_;
  end_cause_ = EndCause::OnItsOwn;
  decision_ = tracker_.decide(spec_.restart, cause, &exit, started_at_, now);
  double ran = to_seconds(now - started_at_);
  last_exit_ = LastExit{exit, 0, cause != EndCause::OnItsOwn};
  ++exits_;
  last_exit_at_ = now;
  oplog::ended(spec_.name, exit, ran, decision_, spec_.restart);
  // VIGIL_RESULT as systemd's SERVICE_RESULT: a stop that was asked for and obeyed is a success.
  bool requested = cause == EndCause::StopRequested || cause == EndCause::RestartRequested;
  std::string result = cause == EndCause::Fault ? (fault_result_.empty() ? "fault" : fault_result_)
                       : exit.success() || (requested && exit.signaled && exit.signal == spec_.stop_signal)
                           ? "success"
                       : exit.signaled ? "signal"
                                       : "exit-code";
  queue_hooks(spec_.hooks.post_stop, "post_stop", result, &exit);
  if (result == "success") queue_hooks(spec_.hooks.on_success, "on_success", result, &exit);
  else queue_hooks(spec_.hooks.on_failure, "on_failure", result, &exit);
  dispatch(Event::Exited);
}

void Service::arm_watchdog() {
  std::uint64_t gen = ++watchdog_gen_;
  watchdog_timer_.expires_at(last_watchdog_ + *spec_.watchdog);
  watchdog_timer_.async_wait([this, gen](const boost::system::error_code& ec) {
    if (ec || gen != watchdog_gen_) return;
    fault("no WATCHDOG=1 for " + format_duration(*spec_.watchdog) + " (watchdog)", "watchdog");
  });
}

void Service::on_notify(const NotifyMessage& m) {
  if (m.status) status_text_ = *m.status;
  if (m.mainpid) notified_mainpid_ = *m.mainpid;
  if (m.stopping) oplog::info(spec_.name + ": says it is stopping (STOPPING=1)");
  if (m.watchdog) {
    last_watchdog_ = Clock::now();
    if (state_ == State::Running && spec_.watchdog) arm_watchdog();
  }
  if (m.ready && state_ == State::Starting) dispatch(Event::Ready);
  if (m.watchdog_trigger) fault("asked for a watchdog restart (WATCHDOG_TRIGGER=1)", "watchdog");
}

void Service::fault(const std::string& reason, const char* result) {
  if (!has_processes(state_) || state_ == State::Stopping) return;
  oplog::fault(spec_.name, reason);
  end_cause_ = EndCause::Fault;
  fault_result_ = result;
  dispatch(Event::Restart);
}

bool Service::start_limit_reached() {
  return tracker_.starts_in_window(spec_.restart, Clock::now()) >= spec_.restart.start_limit_burst;
}

ServiceSnapshot Service::snapshot(TimePoint now) const {
  auto secs = [&](TimePoint t) { return to_seconds(now - t); };
  ServiceSnapshot s;
  s.name = spec_.name;
  s.state = state_;
  s.pid = pid_;
  bool live = has_processes(state_) && pid_ > 0;
  if (live) s.uptime = secs(started_at_);
  s.restarts = total_starts_ > 0 ? total_starts_ - 1 : 0;
  s.exits = exits_;
  for (TimePoint t : recent_starts_) s.start_ages.push_back(secs(t));
  if (last_exit_) s.last_exit = LastExit{last_exit_->status, secs(last_exit_at_), last_exit_->requested};
  if (state_ == State::Backoff || (state_ == State::Failed && spec_.restart.failed_retry))
    s.next_start_in = std::max(0.0, -secs(timer_deadline_));
  if (state_ == State::Failed) s.failed_reason = decision_.reason;
  s.status_text = status_text_;
  s.log_file = log_file_;
  s.notified_mainpid = notified_mainpid_;
  s.in_health_grace = live && now - started_at_ < spec_.health_grace;
  if (live && !pumps_.empty()) s.output_idle = secs(pumps_.back()->last_output());
  s.log_lines_stdout = lines_done_[0];
  s.log_lines_stderr = lines_done_[1];
  for (const auto& p : pumps_) {
    s.log_lines_stdout += p->stdout_lines();
    s.log_lines_stderr += p->stderr_lines();
  }
  if (state_ == State::Running && spec_.watchdog) s.watchdog_age = secs(last_watchdog_);
  for (const auto& [name, m] : spec_.metrics) s.custom[name] = std::nullopt;  // declared; SampleTable fills values
  probes_->fill(s, now);
  if (s.startup_held && live) s.in_health_grace = true;  // health rules wait for the startup probe
  if (matcher_) {
    s.log_counters = matcher_->counters();
    for (const LogCounterView& c : s.log_counters) s.custom["log." + c.name] = static_cast<double>(c.count);
  }
  return s;
}

void Service::retire_pump(const OutputPump& p) {
  lines_done_[0] += p.stdout_lines();
  lines_done_[1] += p.stderr_lines();
}

void Service::resume_output() {
  for (auto& p : pumps_) p->resume();
}

void Service::close_output() {
  for (auto& p : pumps_) {
    p->drain_and_close();
    retire_pump(*p);
  }
  pumps_.clear();
}

}  // namespace vigil
