// `vigil run [-c FILE]`: supervise in the foreground until SIGTERM/SIGINT.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <csignal>
#include <iostream>
#include <optional>

#include "vigil/commands.hpp"
#include "vigil/config.hpp"
#include "vigil/control_handler.hpp"
#include "vigil/control_server.hpp"
#include "vigil/fd_limit.hpp"
#include "vigil/files.hpp"
#include "vigil/http_server.hpp"
#include "vigil/http_site.hpp"
#include "vigil/journal.hpp"
#include "vigil/log_writer.hpp"
#include "vigil/manager_notify.hpp"
#include "vigil/oplog.hpp"
#include "vigil/periodic.hpp"
#include "vigil/reaper.hpp"
#include "vigil/signal_names.hpp"
#include "vigil/supervisor.hpp"
#include "vigil/trusted_file.hpp"

namespace vigil {

namespace asio = boost::asio;

namespace {

// A pipe or log file must never land on fd 0-2 and then be clobbered by a child's dup2:
// if vigil was started with any of them closed, fill the gap with /dev/null.
void ensure_standard_fds() {
  for (int fd = 0; fd <= 2; ++fd) {
    if (::fcntl(fd, F_GETFD) < 0) {
      int n = ::open("/dev/null", O_RDWR);
      if (n >= 0 && n != fd) {
        ::dup2(n, fd);
        ::close(n);
      }
    }
  }
}

// The bearer token of `http_token_file`: its first line. "" with `why` set when there is none.
std::string read_token(const std::string& path, std::string* why) {
  std::string err;
  auto text = read_file(path, &err);
  if (!text) {
    *why = "cannot read http_token_file " + path + ": " + err;
    return "";
  }
  std::string token = text->substr(0, text->find('\n'));
  while (!token.empty() && (token.back() == '\r' || token.back() == ' ' || token.back() == '\t')) token.pop_back();
  if (token.size() < 16) *why = "http_token_file " + path + " holds no token of at least 16 characters";
  struct stat st{};
  if (why->empty() && ::stat(path.c_str(), &st) == 0 && (st.st_mode & 077))
    oplog::warn("http_token_file " + path + " can be read by others (chmod 600 it)");
  return why->empty() ? token : "";
}

}  // namespace

int cmd_run(const Args& args) {
  std::string path;
  bool debug = false;
  if (!parse_config_option(args, &path, &debug, "run")) return 2;
  ConfigResult r = load_config(path, process_env());
  if (!r.config) {
    for (const Diagnostic& d : r.errors) std::cerr << d.str() << "\n";
    std::cerr << "vigil: not starting: " << r.errors.size() << (r.errors.size() == 1 ? " error" : " errors")
              << " in " << path << " (check it with `vigil check -c " << path << "`)\n";
    return 1;
  }
  const Config& config = *r.config;
  oplog::init(debug, use_journal(config.vigil.journal));
  if (config.vigil.journal.value_or(false) && !journal_available())
    oplog::warn("journal = true, but no journald listens on this machine; logging to stderr and files only");
  ensure_standard_fds();
  // About four fds per service (pidfd, two output pipes, a log file) plus vigil's own.
  rlim_t fd_limit = raise_fd_limit();
  std::size_t fds_needed = 4 * config.services.size() + 64;
  if (fd_limit != RLIM_INFINITY && fd_limit < fds_needed)
    oplog::warn("the open-file limit is " + std::to_string(fd_limit) + " and cannot be raised; " +
                std::to_string(config.services.size()) + " services need about " + std::to_string(fds_needed) +
                " (raise LimitNOFILE= in the unit, or the hard limit with `ulimit -Hn`)");
  std::signal(SIGPIPE, SIG_IGN);
  if (!become_subreaper())
    oplog::warn("cannot become a child subreaper; orphaned grandchildren will be reaped by PID 1 instead");

  asio::io_context io(1);
  Supervisor* sup = nullptr;
  // The writer thread only hands its news back to the loop.
  LogWriter::Hooks hooks;
  hooks.resume = [&io, &sup](LogWriter::StreamId id) { asio::post(io, [&sup, id] { sup->on_log_resume(id); }); };
  hooks.write_failed = [&io, &sup](LogWriter::StreamId id, std::string err, bool held) {
    asio::post(io, [&sup, id, err, held] { oplog::log_write_failed(sup->service_for_stream(id), err, held); });
  };
  hooks.write_recovered = [&io, &sup](LogWriter::StreamId id, std::uint64_t lost) {
    asio::post(io, [&sup, id, lost] { oplog::log_write_recovered(sup->service_for_stream(id), lost); });
  };
  hooks.rotate_failed = [&io, &sup](LogWriter::StreamId id, std::string err) {
    asio::post(io, [&sup, id, err] { oplog::log_rotate_failed(sup->service_for_stream(id), err); });
  };
  hooks.dropped = [&io, &sup](LogWriter::StreamId id, std::uint64_t n) {
    asio::post(io, [&sup, id, n] {
      sup->on_log_dropped(id, n);
      oplog::log_lines_dropped(sup->service_for_stream(id), n);
    });
  };
  LogWriter writer(hooks);
  // The control socket comes first: a second vigil on the same socket must refuse before it
  // touches anything of the first one's (its notify socket lives in the same folder) and before it
  // starts a single service. Requests are only served once the loop runs, after `sup` is set.
  if (auto why = prepare_private_dir(parent_dir(config.vigil.socket))) {
    oplog::error("not starting: the runtime dir " + *why);
    return 1;
  }
  std::optional<ControlHandler> handler;
  ControlServer control(io, config.vigil.socket, [&handler](const Request& req) { return handler->handle(req); });
  if (!control.ok()) {
    oplog::error("not starting: " + control.error());
    return 1;
  }
  Containment containment = Containment::take_over(config.vigil.cgroups);
  Supervisor supervisor(io, config, writer, parent_dir(config.vigil.socket), containment);  // a copy: reloads replace it
  sup = &supervisor;
  handler.emplace(supervisor);
  ManagerNotify manager;
  // The HTTP listener answers from the snapshot last published; the textfile is the same text.
  HttpSite site(read_self_process);
  if (!config.vigil.http_token_file.empty()) {
    std::string why, token = read_token(config.vigil.http_token_file, &why);
    if (token.empty()) {
      oplog::error("not starting: " + why);
      return 1;
    }
    site.set_token(std::move(token));
  }
  HttpServer http(io, config.vigil.http, site);
  std::string textfile = config.vigil.textfile;
  supervisor.on_publish([&manager, &site, &writer, &textfile](const std::shared_ptr<const Snapshot>& snap) {
    manager.status(status_line(*snap));
    site.publish(snap);
    if (!textfile.empty()) writer.write_file_atomically(textfile, site.metrics_text(), 0644);
  });
  // The watchdog ping comes from the loop itself: if the loop hangs, the pings stop and systemd
  // restarts vigil.
  PeriodicTimer watchdog_pings;
  auto reload = [&] {
    manager.reloading();
    std::string err = supervisor.reload();
    manager.ready();
    return err;
  };
  supervisor.on_reload_request(reload);

  asio::signal_set stop_signals(io, SIGTERM, SIGINT, SIGHUP);
  TimePoint first_stop_signal{};
  asio::signal_set child_signals(io, SIGCHLD);
  std::function<void(const boost::system::error_code&, int)> on_stop_signal =
      [&](const boost::system::error_code& ec, int signo) {
        if (ec) return;
        if (signo == SIGHUP) {
          oplog::info("received SIGHUP: re-reading the config and the rules");
          reload();
        } else if (!supervisor.shutting_down()) {
          first_stop_signal = Clock::now();
          manager.stopping();
          watchdog_pings.stop();
          oplog::info("received " + signal_name(signo) + ": stopping all services in reverse dependency order");
          supervisor.shutdown([&] {
            supervisor.close_output();
            oplog::info("all services stopped; vigil exits");
            io.stop();
          });
        } else if (Clock::now() - first_stop_signal > std::chrono::seconds(1)) {
          oplog::warn("received " + signal_name(signo) + " again: killing every service's process group now");
          supervisor.kill_all_now();
        } else {
          // Tools like timeout(1) deliver one request twice (to vigil, then to its process group):
          // only a repeat that comes later is the operator insisting.
          oplog::info("received " + signal_name(signo) + " again within 1s: already stopping (repeat it to force)");
        }
        stop_signals.async_wait(on_stop_signal);
      };
  stop_signals.async_wait(on_stop_signal);
  std::function<void(const boost::system::error_code&, int)> on_child =
      [&](const boost::system::error_code& ec, int) {
        if (ec) return;
        supervisor.on_child_signal();
        child_signals.async_wait(on_child);
      };
  child_signals.async_wait(on_child);

  oplog::info(std::string("vigil ") + VIGIL_VERSION + " supervising " + std::to_string(config.services.size()) +
              " services and " + std::to_string(config.jobs.size()) + " jobs from " + path + "; child logs in " + config.vigil.log_dir);
  supervisor.start_all();
  // The control socket is up and the initial services are launched: ready.
  manager.ready();
  site.set_ready(true);
  if (manager.watchdog_period()) {
    manager.watchdog();
    watchdog_pings = every(io, *manager.watchdog_period(), [&manager] { manager.watchdog(); });
  }
  io.run();
  writer.flush();
  return 0;
}

}  // namespace vigil
