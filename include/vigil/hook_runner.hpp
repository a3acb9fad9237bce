#pragma once
// Hooks (docs/config.md, "Hooks"): a list of argv commands run one after the other, each bounded
// by its timeout (then its process group is killed), never through a shell. They run as children
// watched on the loop (pidfd), so the loop never waits for them; their output goes to the
// service's or job's log. Runs on the event-loop thread.
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "vigil/log_writer.hpp"
#include "vigil/periodic.hpp"
#include "vigil/run_settings.hpp"

namespace vigil {

class OutputPump;

/// What a hook is told about the run it follows (the VIGIL_* variables).
struct HookOutcome {
  std::string result;  // "" before a run (pre_start, post_start); success|exit-code|signal|timeout|...
  int exit_code = -1;  // -1: none
  int exit_signal = 0;
};

class HookRunner : public std::enable_shared_from_this<HookRunner> {
 public:
  /// ok: every hook exited 0; failure: the first that did not, worded ("pre_start hook
  /// ./check exited with status 3").
  using Done = std::function<void(bool ok, const std::string& failure)>;

  /// Runs `hooks` of kind `kind` ("pre_start"...) in order. `stop_at_failure`: a failing hook ends
  /// the list (pre_start); else every hook runs. `done` is called once, on the loop.
  static std::shared_ptr<HookRunner> start(boost::asio::io_context& io, std::vector<Hook> hooks, std::string kind,
                                           bool stop_at_failure, std::string cwd, std::vector<std::string> env,
                                           LogWriter& writer, LogWriter::StreamId stream,
                                           std::function<void(pid_t, bool)> own_pid, Done done);
  /// Kills the running hook's process group; `done` is not called.
  void abandon();
  /// SIGCHLD: re-check a group we wait on.
  void check_group();
  bool running() const { return !finished_; }

  /// The environment of a hook: `base` plus VIGIL_HOOK, VIGIL_RESULT, VIGIL_EXIT_CODE, VIGIL_EXIT_SIGNAL.
  static std::vector<std::string> environment(std::vector<std::string> base, const std::string& kind,
                                              const HookOutcome& outcome);

 private:
  HookRunner(boost::asio::io_context& io) : io_(io), timer_(io) {}
  void next();
  void watch_exit(std::uint64_t gen);
  void finish(bool ok, const std::string& failure);

  boost::asio::io_context& io_;
  std::vector<Hook> hooks_;
  std::size_t index_ = 0;
  std::string kind_;
  bool stop_at_failure_ = false;
  std::string cwd_;
  std::vector<std::string> env_;
  LogWriter* writer_ = nullptr;
  LogWriter::StreamId stream_{};
  std::function<void(pid_t, bool)> own_pid_;
  Done done_;
  bool ok_ = true;
  std::string failure_;
  bool finished_ = false;
  bool timed_out_ = false;

  pid_t pid_ = 0;
  bool exited_ = false;
  bool exit_ok_ = false;
  std::string exit_text_;
  std::unique_ptr<boost::asio::posix::stream_descriptor> pidfd_;
  std::shared_ptr<OutputPump> pump_;
  boost::asio::steady_timer timer_;
  std::uint64_t gen_ = 0;
  PeriodicTimer group_poll_;
};

/// Hook lists that run one after the other, in the order they became due (post_start, post_stop,
/// on_failure, on_success of one service or job), beside the process itself.
class HookQueue {
 public:
  HookQueue(boost::asio::io_context& io, LogWriter& writer, std::function<void(pid_t, bool)> own_pid)
      : io_(io), writer_(writer), own_pid_(std::move(own_pid)) {}
  ~HookQueue() { clear(); }
  /// `env`: complete (HookRunner::environment()).
  void push(const std::vector<Hook>& hooks, const std::string& kind, std::string cwd, std::vector<std::string> env,
            LogWriter::StreamId stream);
  void check_group();
  /// Drops what waits and kills what runs.
  void clear();
  bool idle() const { return !current_; }

 private:
  void next();
  struct Pending {
    std::vector<Hook> hooks;
    std::string kind, cwd;
    std::vector<std::string> env;
    LogWriter::StreamId stream;
  };
  boost::asio::io_context& io_;
  LogWriter& writer_;
  std::function<void(pid_t, bool)> own_pid_;
  std::deque<Pending> pending_;
  std::shared_ptr<HookRunner> current_;
};

}  // namespace vigil
