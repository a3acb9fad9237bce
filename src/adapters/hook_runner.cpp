#include "vigil/hook_runner.hpp"

#include <boost/asio/post.hpp>
#include <csignal>

#include "vigil/child_process.hpp"
#include "vigil/oplog.hpp"
#include "vigil/output_pump.hpp"
#include "vigil/quantity.hpp"

namespace vigil {

namespace asio = boost::asio;

std::vector<std::string> HookRunner::environment(std::vector<std::string> env, const std::string& kind,
                                                 const HookOutcome& o) {
  env.push_back("VIGIL_HOOK=" + kind);
  if (!o.result.empty()) env.push_back("VIGIL_RESULT=" + o.result);
  if (o.exit_code >= 0) env.push_back("VIGIL_EXIT_CODE=" + std::to_string(o.exit_code));
  if (o.exit_signal > 0) env.push_back("VIGIL_EXIT_SIGNAL=" + std::to_string(o.exit_signal));
  return env;
}

std::shared_ptr<HookRunner> HookRunner::start(asio::io_context& io, std::vector<Hook> hooks, std::string kind,
                                              bool stop_at_failure, std::string cwd, std::vector<std::string> env,
                                              LogWriter& writer, LogWriter::StreamId stream,
                                              std::function<void(pid_t, bool)> own_pid, Done done) {
  std::shared_ptr<HookRunner> r(new HookRunner(io));
  r->hooks_ = std::move(hooks);
  r->kind_ = std::move(kind);
  r->stop_at_failure_ = stop_at_failure;
  r->cwd_ = std::move(cwd);
  r->env_ = std::move(env);
  r->writer_ = &writer;
  r->stream_ = stream;
  r->own_pid_ = std::move(own_pid);
  r->done_ = std::move(done);
  // Posted: `done` never runs inside the caller's own call.
  asio::post(io, [r] { r->next(); });
  return r;
}

void HookRunner::next() {
  if (finished_) return;
  if (index_ >= hooks_.size()) return finish(ok_, failure_);
  const Hook& h = hooks_[index_];
  SpawnSpec ss{h.argv, cwd_, env_};
  SpawnResult sr = spawn_child(ss);
  if (!sr.child) {
    std::string why = kind_ + " hook " + h.argv[0] + ": cannot start: " + sr.error;
    oplog::warn(why);
    if (ok_) failure_ = why;
    ok_ = false;
    ++index_;
    if (stop_at_failure_) return finish(false, failure_);
    return next();
  }
  pid_ = sr.child->pid;
  exited_ = false;
  timed_out_ = false;
  own_pid_(pid_, true);
  writer_->set_pid(stream_, pid_);
  oplog::info(kind_ + " hook " + sr.child->program + " started (pid " + std::to_string(pid_) + ")");
  pidfd_ = std::make_unique<asio::posix::stream_descriptor>(io_, sr.child->pidfd);
  pump_ = OutputPump::create(io_, sr.child->out_fd, sr.child->err_fd, *writer_, stream_);
  pump_->start();
  std::uint64_t gen = ++gen_;
  timer_.expires_after(h.timeout);
  auto self = shared_from_this();
  timer_.async_wait([self, gen](const boost::system::error_code& ec) {
    if (ec || gen != self->gen_ || self->exited_ || self->finished_) return;
    oplog::warn(self->kind_ + " hook " + self->hooks_[self->index_].argv[0] + " still running after its timeout (" +
                format_duration(self->hooks_[self->index_].timeout) + "); killing its process group");
    self->timed_out_ = true;
    signal_process_group(self->pid_, SIGKILL);
  });
  watch_exit(gen);
}

void HookRunner::watch_exit(std::uint64_t gen) {
  auto self = shared_from_this();
  pidfd_->async_wait(asio::posix::stream_descriptor::wait_read, [self, gen](const boost::system::error_code& ec) {
    if (ec || gen != self->gen_ || self->finished_) return;
    auto exit = reap_child(self->pid_);
    if (!exit) {  // a wake-up before the exit could be collected: wait again
      self->watch_exit(gen);
      return;
    }
    self->own_pid_(self->pid_, false);
    self->pidfd_.reset();
    self->exited_ = true;
    self->exit_ok_ = exit->success() && !self->timed_out_;
    self->exit_text_ = self->timed_out_ ? "timed out" : exit->describe();
    // Whatever the hook left behind goes with it.
    if (process_group_alive(self->pid_)) signal_process_group(self->pid_, SIGKILL);
    self->check_group();
  });
}

void HookRunner::check_group() {
  if (!exited_ || finished_ || pid_ == 0) return;
  if (process_group_alive(pid_)) {
    if (!group_poll_.active()) {
      std::weak_ptr<HookRunner> weak = shared_from_this();
      group_poll_ = every(io_, std::chrono::milliseconds(20), [weak] {
        if (auto s = weak.lock()) s->check_group();
      });
    }
    return;
  }
  group_poll_.stop();
  pid_ = 0;
  const Hook& h = hooks_[index_];
  ++index_;
  if (exit_ok_) {
    oplog::info(kind_ + " hook " + h.argv[0] + " succeeded");
  } else {
    std::string why = kind_ + " hook " + h.argv[0] + " " + exit_text_;
    oplog::warn(why);
    if (ok_) failure_ = why;
    ok_ = false;
    if (stop_at_failure_) return finish(false, failure_);
  }
  next();
}

void HookRunner::finish(bool ok, const std::string& failure) {
  if (finished_) return;
  finished_ = true;
  ++gen_;
  timer_.cancel();
  group_poll_.stop();
  auto done = std::move(done_);
  if (done) done(ok, failure);
}

void HookRunner::abandon() {
  if (finished_) return;
  finished_ = true;
  ++gen_;
  timer_.cancel();
  group_poll_.stop();
  if (pid_ > 0) {
    signal_process_group(pid_, SIGKILL);
    if (!exited_) {
      // Reap it when it is gone, so it never lingers as a zombie.
      pid_t pid = pid_;
      auto own = own_pid_;
      auto fd = std::shared_ptr<asio::posix::stream_descriptor>(std::move(pidfd_));
      if (fd)
        fd->async_wait(asio::posix::stream_descriptor::wait_read, [pid, own, fd](const boost::system::error_code&) {
          reap_child(pid);
          own(pid, false);
        });
    }
  }
}


void HookQueue::push(const std::vector<Hook>& hooks, const std::string& kind, std::string cwd,
                     std::vector<std::string> env, LogWriter::StreamId stream) {
  if (hooks.empty()) return;
  pending_.push_back({hooks, kind, std::move(cwd), std::move(env), stream});
  if (!current_) next();
}

void HookQueue::next() {
  current_.reset();
  if (pending_.empty()) return;
  Pending p = std::move(pending_.front());
  pending_.pop_front();
  current_ = HookRunner::start(io_, std::move(p.hooks), p.kind, false, std::move(p.cwd), std::move(p.env), writer_, p.stream,
                               own_pid_, [this](bool, const std::string&) { next(); });
}

void HookQueue::check_group() {
  // Held here: finishing may start the next list and drop this runner.
  if (auto keep = current_) keep->check_group();
}

void HookQueue::clear() {
  pending_.clear();
  if (current_) current_->abandon();
  current_.reset();
}

}  // namespace vigil
