#include "vigil/job.hpp"

#include <boost/asio/post.hpp>
#include <csignal>

#include "vigil/child_process.hpp"
#include "vigil/containment.hpp"
#include "vigil/hook_runner.hpp"
#include "vigil/journal.hpp"
#include "vigil/oplog.hpp"
#include "vigil/output_pump.hpp"
#include "vigil/signal_names.hpp"

namespace vigil {

namespace asio = boost::asio;

namespace {
constexpr auto kJobGroupPoll = std::chrono::milliseconds(20);
}  // namespace

Job::Job(asio::io_context& io, JobSpec spec, const VigilSpec& vigil, LogWriter& writer, JobHost& host)
    : io_(io), spec_(std::move(spec)), writer_(writer), host_(host), run_timer_(io), state_timer_(io), output_timer_(io) {
  JobHost* h = &host_;
  side_hooks_ = std::make_unique<HookQueue>(io, writer, [h](pid_t pid, bool owned) { h->own_pid(pid, owned); });
  LogFileOptions opt;
  opt.path = vigil.log_dir + "/" + spec_.name + ".log";
  log_file_ = opt.path;
  opt.max_size = vigil.log_max_size;
  opt.keep = vigil.log_keep;
  opt.overflow = vigil.log_overflow;
  stream_ = writer_.add_stream(opt);
  if (use_journal(vigil.journal)) writer_.set_journal(stream_, spec_.name);
}

Job::~Job() {
  // Their callbacks name this job: they must never run now.
  if (pre_start_) pre_start_->abandon();
}

Job::Outcome Job::trigger(Trigger why, std::int64_t* run_id) {
  std::int64_t id = next_id_ ? ++*next_id_ : ++local_ids_;
  if (state_ == RunState::Done) {
    start_run(why, id);
    if (run_id) *run_id = id;
    return Outcome::Started;
  }
  if (spec_.concurrency == JobConcurrency::Queue && !queued_) {
    queued_ = std::make_pair(why, id);
    oplog::info(spec_.name + ": run " + std::to_string(id) + " (" + std::string(to_string(why)) +
                ") queued behind run " + std::to_string(run_id_));
    if (run_id) *run_id = id;
    return Outcome::Queued;
  }
  oplog::info(spec_.name + ": " + std::string(to_string(why)) + " run skipped: run " + std::to_string(run_id_) +
              " is still " + std::string(to_string(state_)) +
              (spec_.concurrency == JobConcurrency::Queue ? " and another waits" : " (concurrency = \"skip\")"));
  return Outcome::Skipped;
}

void Job::start_run(Trigger why, std::int64_t id) {
  if (next_spec_) {
    spec_ = std::move(*next_spec_);
    next_spec_.reset();
  }
  run_id_ = id;
  trigger_ = why;
  attempt_ = 0;
  stopping_for_ = RunResult::None;
  run_started_unix_ = unix_now();
  // A new run is a new instance of the run state machine, which begins in Waiting.
  state_ = RunState::Waiting;
  oplog::info(spec_.name + ": run " + std::to_string(id) + " (" + std::string(to_string(why)) + ") waiting for a slot");
  host_.want_slot(*this);
}

void Job::admit() { dispatch(RunEvent::Admitted); }

void Job::cancel(bool shutdown) {
  if (shutdown) {
    no_hooks_ = true;
    side_hooks_->clear();
  }
  if (queued_) {
    oplog::info(spec_.name + ": queued run " + std::to_string(queued_->second) + " dropped (cancel)");
    queued_.reset();
  }
  if (!active()) return;
  // The table ignores a cancel while stopping; remembered here, a timed-out run that is also
  // cancelled is not retried (job_run_state.hpp).
  if (state_ == RunState::Stopping) stopping_for_ = RunResult::Cancelled;
  dispatch(RunEvent::Cancel);
}

void Job::kill_now() {
  group_.kill();
}

void Job::redefine(JobSpec spec) {
  if (active()) next_spec_ = std::move(spec);
  else spec_ = std::move(spec);
}

RunFacts Job::facts() const {
  RunFacts f;
  f.has_condition = !spec_.condition.empty();
  f.retries_left = attempt_ <= spec_.retries;
  f.stopping_for = stopping_for_;
  return f;
}

void Job::dispatch(RunEvent e) {
  RunStep step = transition(state_, e, facts());
  if (step.ignored) {
    oplog::debug(spec_.name + ": " + std::string(to_string(e)) + " ignored while " + std::string(to_string(state_)));
    return;
  }
  RunState from = state_;
  state_ = step.next;
  if (from != state_) {
    ++state_gen_;  // stop_timeout and retry_delay belong to the state being left
    state_timer_.cancel();
    if (from == RunState::Running) {
      ++output_gen_;
      output_timer_.cancel();
    }
    if (state_ == RunState::Stopping) stopping_for_ = step.result;
    if ((from == RunState::Waiting || from == RunState::RetryWait) &&
        (state_ == RunState::Condition || state_ == RunState::Running)) {
      ++attempt_;
      attempt_started_unix_ = unix_now();
      host_.attempt_started(*this, attempt_record());
    }
    oplog::debug(spec_.name + ": run " + std::to_string(run_id_) + " " + std::string(to_string(from)) + " -> " +
                 std::string(to_string(state_)) + " (" + std::string(to_string(e)) + ")");
  }
  perform(step);
}

void Job::perform(const RunStep& step) {
  const std::uint32_t a = step.actions;
  if (a & kRunArmTimeout && spec_.timeout.count() > 0) {
    std::uint64_t gen = ++run_gen_;
    run_timer_.expires_after(spec_.timeout);
    run_timer_.async_wait([this, gen](const boost::system::error_code& ec) {
      if (ec || gen != run_gen_) return;
      oplog::warn(spec_.name + ": run " + std::to_string(run_id_) + " still going after timeout (" +
                  format_duration(spec_.timeout) + "); stopping it");
      dispatch(RunEvent::Timeout);
    });
  }
  if (a & kRunEndAttempt) record_attempt(step.result, a & kRunFinish);
  if (a & kRunSignalGroup) {
    if (pre_start_) {  // stopped while its pre_start hooks ran: no command was started
      pre_start_->abandon();
      pre_start_.reset();
    }
    if (group_.active()) {
      group_.signal(spec_.stop_signal);
      group_.signal(SIGCONT);
      arm_state_timer(spec_.stop_timeout, RunEvent::StopTimeout);
    } else {
      asio::post(io_, [this, id = run_id_] {
        if (id == run_id_ && state_ == RunState::Stopping) dispatch(RunEvent::Gone);
      });
    }
  }
  if (a & kRunKillGroup) {
    oplog::stop_escalated(spec_.name, group_.describe(), format_duration(spec_.stop_timeout));
    group_.kill();
  }
  if (a & kRunArmRetry) {
    Duration delay = spec_.retry_delay;
    for (int i = 1; i < attempt_ && delay < spec_.retry_max_delay; ++i) delay *= 2;
    if (delay > spec_.retry_max_delay) delay = spec_.retry_max_delay;
    oplog::info(spec_.name + ": run " + std::to_string(run_id_) + " attempt " + std::to_string(attempt_) + " " +
                std::string(to_string(step.result)) + "; retry " + std::to_string(attempt_) + " of " +
                std::to_string(spec_.retries) + " in " + format_duration(delay));
    arm_state_timer(delay, RunEvent::RetryElapsed);
  }
  if (a & kRunSpawnCondition) spawn(true);
  if (a & kRunSpawnCommand) {
    if (spec_.hooks.pre_start.empty()) spawn(false);
    else run_pre_start();
  }
  if (a & kRunFinish) {
    ++run_gen_;
    run_timer_.cancel();
    RunResult result = step.result;
    if (last_run_ && last_run_->run_id == run_id_) {
      last_run_->result = result;  // a run that timed out between attempts ends as timed out
      last_run_->final = true;
      last_finished_ = last_run_;
      if (run_ok(result)) last_success_at_ = last_run_->ended;
    }
    oplog::info(spec_.name + ": run " + std::to_string(run_id_) + " " + std::string(to_string(result)) +
                (attempt_ > 1 ? " after " + std::to_string(attempt_) + " attempts" : ""));
    HookOutcome outcome;
    outcome.result = result == RunResult::Success ? "success" : std::string(to_string(result));
    if (last_run_ && last_run_->run_id == run_id_) {
      outcome.exit_code = last_run_->exit_code;
      outcome.exit_signal = last_run_->signal;
      if (result == RunResult::Failed)
        outcome.result = last_run_->signal > 0 ? "signal" : last_run_->exit_code >= 0 ? "exit-code" : "start-failed";
    }
    if (result == RunResult::Success) queue_hooks(spec_.hooks.on_success, "on_success", outcome);
    if (result == RunResult::Failed || result == RunResult::Timeout || result == RunResult::OutputTimeout)
      queue_hooks(spec_.hooks.on_failure, "on_failure", outcome);
    host_.run_finished(*this, result);
    if (queued_ && state_ == RunState::Done) {
      auto [why, id] = *queued_;
      queued_.reset();
      start_run(why, id);
    }
  }
}

void Job::arm_state_timer(Duration d, RunEvent fire) {
  std::uint64_t gen = ++state_gen_;
  state_timer_.expires_after(d);
  state_timer_.async_wait([this, gen, fire](const boost::system::error_code& ec) {
    if (ec || gen != state_gen_) return;
    dispatch(fire);
  });
}

void Job::arm_output_timer() {
  if (spec_.output_timeout.count() <= 0 || pumps_.empty()) return;
  std::uint64_t gen = ++output_gen_;
  TimePoint base = std::max(pumps_.back()->last_output(), attempt_steady_);
  output_timer_.expires_at(base + spec_.output_timeout);
  output_timer_.async_wait([this, gen](const boost::system::error_code& ec) {
    if (ec || gen != output_gen_ || state_ != RunState::Running) return;
    TimePoint base2 = std::max(pumps_.back()->last_output(), attempt_steady_);
    if (Clock::now() - base2 < spec_.output_timeout) {
      arm_output_timer();
      return;
    }
    oplog::warn(spec_.name + ": run " + std::to_string(run_id_) + " wrote nothing for output_timeout (" +
                format_duration(spec_.output_timeout) + "); stopping it");
    dispatch(RunEvent::OutputTimeout);
  });
}

void Job::spawn(bool condition) {
  in_condition_ = condition;
  exit_.reset();
  spawn_error_.clear();
  SpawnSpec ss{condition ? spec_.condition : spec_.command, spec_.cwd, child_environment(spec_.env, spec_.name)};
  ss.env.push_back("VIGIL_JOB=" + spec_.name);
  ss.env.push_back("VIGIL_RUN_ID=" + std::to_string(run_id_));
  ss.env.push_back("VIGIL_ATTEMPT=" + std::to_string(attempt_));
  ss.run = spec_.run;
  SpawnResult r = host_.containment().spawn_run("job", spec_.name, ss);
  attempt_steady_ = Clock::now();
  if (!r.child) {
    spawn_error_ = r.error;
    oplog::error(spec_.name + ": run " + std::to_string(run_id_) + ": cannot start the " +
                 (condition ? "condition" : "command") + ": " + r.error);
    dispatch(condition ? RunEvent::ConditionFailed : RunEvent::SpawnFailed);
    return;
  }
  pid_ = r.child->pid;
  group_ = RunGroup(r.child->pid, ss.cgroup);
  writer_.set_pid(stream_, pid_);
  host_.own_pid(pid_, true);
  oplog::info(spec_.name + ": run " + std::to_string(run_id_) + " (" + std::string(to_string(trigger_)) + ") attempt " +
              std::to_string(attempt_) + ": " + (condition ? "condition " : "") + r.child->program + " started (pid " +
              std::to_string(pid_) + ")");
  pidfd_ = std::make_unique<asio::posix::stream_descriptor>(io_, r.child->pidfd);
  auto pump = OutputPump::create(io_, r.child->out_fd, r.child->err_fd, writer_, stream_);
  pump->start();
  std::erase_if(pumps_, [](const std::shared_ptr<OutputPump>& p) { return p->finished(); });
  pumps_.push_back(std::move(pump));
  watch_exit();
  if (!condition) {
    arm_output_timer();
    queue_hooks(spec_.hooks.post_start, "post_start", HookOutcome{});
  }
}

std::vector<std::string> Job::hook_base_env() const {
  std::vector<std::string> env = child_environment(spec_.env, spec_.name);
  env.push_back("VIGIL_JOB=" + spec_.name);
  env.push_back("VIGIL_RUN_ID=" + std::to_string(run_id_));
  env.push_back("VIGIL_ATTEMPT=" + std::to_string(attempt_));
  return env;
}

void Job::run_pre_start() {
  in_condition_ = false;
  exit_.reset();
  spawn_error_.clear();
  std::int64_t id = run_id_;
  int attempt = attempt_;
  JobHost* host = &host_;
  pre_start_ = HookRunner::start(
      io_, spec_.hooks.pre_start, "pre_start", true, spec_.cwd,
      HookRunner::environment(hook_base_env(), "pre_start", HookOutcome{}), writer_, stream_,
      [host](pid_t p, bool owned) { host->own_pid(p, owned); },
      [this, id, attempt](bool ok, const std::string& failure) {
        pre_start_.reset();
        if (id != run_id_ || attempt != attempt_ || state_ != RunState::Running) return;
        if (ok) {
          spawn(false);
          return;
        }
        spawn_error_ = spec_.name + ": " + failure + "; the command was not started";
        oplog::error(spawn_error_);
        dispatch(RunEvent::SpawnFailed);
      });
}

void Job::queue_hooks(const std::vector<Hook>& hooks, const char* kind, const HookOutcome& outcome) {
  if (hooks.empty() || no_hooks_) return;
  side_hooks_->push(hooks, kind, spec_.cwd, HookRunner::environment(hook_base_env(), kind, outcome), stream_);
}

void Job::watch_exit() {
  pidfd_->async_wait(asio::posix::stream_descriptor::wait_read, [this](const boost::system::error_code& ec) {
    if (ec) return;
    auto exit = reap_child(pid_);
    if (!exit) {
      watch_exit();
      return;
    }
    on_exit(*exit);
  });
}

void Job::on_exit(const ExitStatus& exit) {
  host_.own_pid(pid_, false);
  pidfd_.reset();
  pid_ = 0;
  exit_ = exit;
  if (group_.alive()) {
    // A run is over when its main process is: what it left behind goes with it.
    oplog::leftovers_killed(spec_.name, group_.describe());
    group_.kill();
  }
  check_group();
}

void Job::check_group() {
  if (auto keep = pre_start_) keep->check_group();  // its callback drops pre_start_
  side_hooks_->check_group();
  if (!exit_ || !group_.active()) return;
  if (group_.alive()) {
    if (!group_poll_.active()) group_poll_ = every(io_, kJobGroupPoll, [this] { check_group(); });
    return;
  }
  group_poll_.stop();
  group_gone();
}

void Job::group_gone() {
  group_.release(spec_.name);
  const ExitStatus& x = *exit_;
  if (!in_condition_) {
    HookOutcome o;
    o.result = x.success() ? "success" : x.signaled ? "signal" : "exit-code";
    if (state_ == RunState::Stopping) o.result = std::string(to_string(stopping_for_));
    o.exit_code = x.signaled ? -1 : x.code;
    o.exit_signal = x.signaled ? x.signal : 0;
    queue_hooks(spec_.hooks.post_stop, "post_stop", o);
  }
  if (state_ == RunState::Stopping) {
    dispatch(RunEvent::Gone);
  } else if (in_condition_) {
    dispatch(x.success() ? RunEvent::ConditionPassed
                         : (!x.signaled && x.code == 1) ? RunEvent::ConditionSkip : RunEvent::ConditionFailed);
  } else {
    dispatch(x.success() ? RunEvent::Succeeded : RunEvent::Failed);
  }
}

AttemptRecord Job::attempt_record() const {
  AttemptRecord r;
  r.run_id = run_id_;
  r.job = spec_.name;
  r.trigger = trigger_;
  r.attempt = std::max(attempt_, 1);
  r.started = attempt_ > 0 ? attempt_started_unix_ : run_started_unix_;
  r.log_file = log_file_;
  return r;
}

void Job::record_attempt(RunResult result, bool final) {
  AttemptRecord r = attempt_record();
  r.ended = unix_now();
  r.result = result;
  if (exit_ && attempt_ > 0) {
    r.exit_code = exit_->signaled ? -1 : exit_->code;
    r.signal = exit_->signaled ? exit_->signal : 0;
    r.cpu_seconds = exit_->cpu_seconds;
    r.max_rss = exit_->max_rss;
  }
  r.error = spawn_error_;
  r.final = final;
  std::string how = exit_ && attempt_ > 0 ? exit_->describe() : spawn_error_.empty() ? "never started" : spawn_error_;
  oplog::info(spec_.name + ": run " + std::to_string(run_id_) + " attempt " + std::to_string(r.attempt) + " " +
              std::string(to_string(result)) + ": " + (in_condition_ && result != RunResult::Cancelled ? "condition " : "") +
              how + " after " + format_duration(std::chrono::milliseconds(static_cast<std::int64_t>((r.ended - r.started) * 1000))));
  last_run_ = r;
  exit_.reset();
  host_.attempt_over(*this, r);
}

void Job::resume_output() {
  for (auto& p : pumps_) p->resume();
}

void Job::close_output() {
  for (auto& p : pumps_) p->drain_and_close();
  pumps_.clear();
}

}  // namespace vigil
