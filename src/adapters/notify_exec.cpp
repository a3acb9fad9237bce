#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "vigil/child_process.hpp"
#include "vigil/notify_delivery.hpp"
#include "vigil/reaper.hpp"

namespace vigil {

std::string deliver_exec(const NotifierSpec& spec, const std::string& input,
                         const std::vector<std::pair<std::string, std::string>>& env, const std::atomic<bool>& cancel) {
  SpawnSpec ss;
  ss.argv = spec.command;
  ss.cwd = spec.cwd.empty() ? "/" : spec.cwd;
  ss.env = child_environment(env, "notify-" + spec.name);
  ss.stdin_pipe = true;
  SpawnResult r;
  {
    auto lock = lock_children();  // the loop's reaper must not collect this child
    r = spawn_child(ss);
    if (r.child) claim_child(r.child->pid);
  }
  if (!r.child) return r.error;
  SpawnedChild c = *r.child;

  // The alert goes to stdin inside the same poll loop as everything else, non-blocking, so the
  // timeout and the cancel flag hold while it is written: a command that never reads its stdin
  // cannot hang delivery (or vigil's exit) once the alert outgrows the pipe. A command that
  // exits without reading gets EPIPE here, which is fine (SIGPIPE is ignored in vigil).
  ::fcntl(c.in_fd, F_SETFL, ::fcntl(c.in_fd, F_GETFL) | O_NONBLOCK);
  std::size_t sent = 0;
  int in_fd = c.in_fd;
  auto write_some = [&] {
    while (in_fd >= 0 && sent < input.size()) {
      ssize_t w = ::write(in_fd, input.data() + sent, input.size() - sent);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0 && errno == EAGAIN) return;
      if (w <= 0) break;  // EPIPE: it does not want the rest
      sent += static_cast<std::size_t>(w);
    }
    if (in_fd >= 0) ::close(in_fd);  // all written (or refused): EOF
    in_fd = -1;
  };
  write_some();

  auto deadline = std::chrono::steady_clock::now() + spec.timeout;
  std::string err_tail;
  bool exited = false, timed_out = false, cancelled = false;
  int fds[3] = {c.pidfd, c.out_fd, c.err_fd};
  while (!exited) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || cancel) {
      (cancel ? cancelled : timed_out) = true;
      ::kill(-c.pid, SIGKILL);  // the whole group: a hung curl child goes too
      break;
    }
    left = std::min(left, std::chrono::milliseconds(100));  // look at `cancel` now and then
    pollfd p[4];
    int n = 0;
    for (int fd : fds)
      if (fd >= 0) p[n++] = pollfd{fd, POLLIN, 0};
    if (in_fd >= 0) p[n++] = pollfd{in_fd, POLLOUT, 0};
    if (::poll(p, static_cast<nfds_t>(n), static_cast<int>(left.count())) < 0 && errno != EINTR) break;
    for (int i = 0; i < n; ++i) {
      if (!p[i].revents) continue;
      if (p[i].fd == in_fd) {
        write_some();
        continue;
      }
      if (p[i].fd == c.pidfd) {
        exited = true;
        continue;
      }
      char buf[512];
      ssize_t got = ::read(p[i].fd, buf, sizeof buf);
      if (got <= 0) {
        for (int& fd : fds)
          if (fd == p[i].fd) fd = -1;
        ::close(p[i].fd);
      } else if (p[i].fd == c.err_fd) {
        err_tail.append(buf, static_cast<std::size_t>(got));
        if (err_tail.size() > 400) err_tail.erase(0, err_tail.size() - 400);
      }
    }
  }
  int ws = 0;
  while (::waitpid(c.pid, &ws, 0) < 0 && errno == EINTR) {
  }
  release_child(c.pid);
  ::kill(-c.pid, SIGKILL);  // anything it left in its group
  for (int fd : {fds[1], fds[2], in_fd})
    if (fd >= 0) ::close(fd);
  ::close(c.pidfd);

  while (!err_tail.empty() && (err_tail.back() == '\n' || err_tail.back() == '\r')) err_tail.pop_back();
  if (timed_out) return "killed after its timeout of " + format_duration(spec.timeout);
  if (cancelled) return "killed because vigil is stopping";
  ExitStatus e = ExitStatus::from_wait_status(ws);
  if (e.success()) return "";
  return spec.command[0] + " " + e.describe() + (err_tail.empty() ? "" : ": " + err_tail);
}

}  // namespace vigil
