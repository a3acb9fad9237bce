#include "vigil/service.hpp"

#include <csignal>

#include "vigil/child_process.hpp"
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
    : io_(io), spec_(std::move(spec)), writer_(writer), host_(host), timer_(io), group_poll_(io) {
  LogFileOptions opt;
  opt.path = vigil.log_dir + "/" + spec_.name + ".log";
  opt.max_size = vigil.log_max_size;
  opt.keep = vigil.log_keep;
  opt.overflow = vigil.log_overflow;
  stream_ = writer_.add_stream(opt);
}

Service::~Service() = default;

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

void Service::kill_now() {
  if (pgid_ > 0) signal_process_group(pgid_, SIGKILL);
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
  ++timer_gen_;  // every timer belongs to the state being left
  timer_.cancel();
  oplog::state_changed(spec_.name, from, next, why);
  host_.on_state_changed(*this, from);
}

void Service::perform(std::uint32_t actions) {
  if (actions & kSignalGroup) {
    signal_process_group(pgid_, spec_.stop_signal);
    signal_process_group(pgid_, SIGCONT);  // a stopped process must wake up to act on the signal
  }
  if (actions & kKillGroup) {
    if (state_ == State::Stopping)
      oplog::stop_escalated(spec_.name, pgid_, format_duration(spec_.stop_timeout));
    else
      oplog::leftovers_killed(spec_.name, pgid_);
    signal_process_group(pgid_, SIGKILL);
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
  if (actions & kSpawn) spawn();
}

void Service::arm_timer(Duration d, Event fire) {
  std::uint64_t gen = ++timer_gen_;
  timer_.expires_after(d);
  timer_.async_wait([this, gen, fire](const boost::system::error_code& ec) {
    if (ec || gen != timer_gen_) return;
    if (fire == Event::StartTimeout) {
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

void Service::spawn() {
  end_cause_ = EndCause::OnItsOwn;
  exit_.reset();
  leftovers_seen_ = false;
  SpawnSpec ss{spec_.command, spec_.cwd, child_environment(spec_.env, spec_.name)};
  SpawnResult r = spawn_child(ss);
  TimePoint now = Clock::now();
  tracker_.record_start(now);
  started_at_ = now;
  if (!r.child) {
    decision_ = tracker_.decide(spec_.restart, EndCause::OnItsOwn, nullptr, now, now);
    oplog::spawn_failed(spec_.name, r.error, decision_, spec_.restart);
    dispatch(Event::SpawnFailed);
    return;
  }
  pid_ = r.child->pid;
  pgid_ = r.child->pid;
  host_.own_pid(pid_, true);
  oplog::started(spec_.name, pid_, r.child->program);
  pidfd_ = std::make_unique<asio::posix::stream_descriptor>(io_, r.child->pidfd);
  auto pump = OutputPump::create(io_, r.child->out_fd, r.child->err_fd, writer_, stream_);
  pump->start();
  // Older runs' pumps that reached EOF are done.
  std::erase_if(pumps_, [](const std::shared_ptr<OutputPump>& p) { return p->finished(); });
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
  if (!exit_ || pgid_ == 0) return;
  if (!process_group_alive(pgid_)) {
    group_poll_.cancel();
    finish_run();
    return;
  }
  if (!leftovers_seen_) {
    // A crashed service's leftovers are killed now; while stopping, the stop timer covers them.
    leftovers_seen_ = true;
    dispatch(Event::MainExited);
  }
  if (!group_polling_) {
    group_polling_ = true;
    group_poll_.expires_after(kGroupPoll);
    group_poll_.async_wait([this](const boost::system::error_code& ec) {
      group_polling_ = false;
      if (!ec) check_group();
    });
  }
}

void Service::finish_run() {
  TimePoint now = Clock::now();
  ExitStatus exit = *exit_;
  exit_.reset();
  pgid_ = 0;
  EndCause cause = end_cause_;
  end_cause_ = EndCause::OnItsOwn;
  decision_ = tracker_.decide(spec_.restart, cause, &exit, started_at_, now);
  double ran = std::chrono::duration<double>(now - started_at_).count();
  oplog::ended(spec_.name, exit, ran, decision_, spec_.restart);
  dispatch(Event::Exited);
}

void Service::resume_output() {
  for (auto& p : pumps_) p->resume();
}

void Service::close_output() {
  for (auto& p : pumps_) p->drain_and_close();
  pumps_.clear();
}

}  // namespace vigil
