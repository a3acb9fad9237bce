#include "vigil/control_client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "vigil/config.hpp"

namespace vigil {

bool parse_client_args(const Args& args, const std::string& command, const std::string& usage,
                       const std::set<std::string>& flags, const std::set<std::string>& valued, ClientArgs* out) {
  std::string socket_opt, config_opt;
  auto fail = [&](const std::string& msg) {
    std::cerr << "vigil " << command << ": " << msg << "\nusage: " << usage << "\n";
    return false;
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string* dst) {
      if (i + 1 >= args.size()) return false;
      *dst = args[++i];
      return true;
    };
    if (a == "-s" || a == "--socket") {
      if (!value(&socket_opt)) return fail(a + " needs a path");
    } else if (a == "-c" || a == "--config") {
      if (!value(&config_opt)) return fail(a + " needs a file");
    } else if (flags.count(a)) {
      out->flags.insert(a);
    } else if (auto eq = a.find('='); eq != std::string::npos && valued.count(a.substr(0, eq))) {
      out->values[a.substr(0, eq)] = a.substr(eq + 1);  // --format=nagios
    } else if (valued.count(a)) {
      std::string v;
      if (!value(&v)) return fail(a + " needs a value");
      out->values[a] = v;
    } else if (!a.empty() && a[0] == '-' && a != "-") {
      return fail("unknown option '" + a + "'");
    } else {
      out->positional.push_back(a);
    }
  }
  // -s, then $VIGIL_SOCKET, then the socket the config names, then the default.
  if (!socket_opt.empty()) {
    out->socket = socket_opt;
  } else if (const char* env = std::getenv("VIGIL_SOCKET"); env && *env) {
    out->socket = env;
  } else if (!config_opt.empty()) {
    ConfigResult r = load_config(config_opt, process_env());
    if (!r.config) {
      for (const auto& d : r.errors) std::cerr << d.str() << "\n";
      return fail("cannot read the socket path from " + config_opt);
    }
    out->socket = r.config->vigil.socket;
  } else {
    out->socket = default_socket_path(process_env());
  }
  return true;
}

namespace {

// ": vigil runs as uid N": the owner of the socket, or of the nearest folder above it this user
// may look at (a 0700 runtime folder hides the socket itself).
std::string socket_owner_note(const std::string& socket) {
  struct stat st {};
  for (std::string p = socket; !p.empty() && p != "/"; p = p.substr(0, p.find_last_of('/'))) {
    if (::stat(p.c_str(), &st) == 0)
      return ": vigil runs as uid " + std::to_string(st.st_uid) + " (you are uid " + std::to_string(::getuid()) + ")";
    if (p.find('/') == std::string::npos) break;
  }
  return "";
}

}  // namespace

Reply send_request(const std::string& socket, const nlohmann::json& request, int timeout_ms) {
  Reply r;
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  if (socket.size() >= sizeof a.sun_path) {
    r.error = "socket path too long: " + socket;
    ::close(fd);
    return r;
  }
  std::strncpy(a.sun_path, socket.c_str(), sizeof a.sun_path - 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0) {
    int err = errno;
    if (err == EACCES || err == EPERM) {
      // Not "vigil is not running": it may well be, as another user. Say whose it is.
      r.denied = true;
      r.error = "permission denied on " + socket + socket_owner_note(socket);
    } else {
      r.error = "no answer on " + socket + ": " + std::strerror(err);
    }
    ::close(fd);
    return r;
  }
  std::string line = request.dump() + "\n";
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  auto left = [&] {
    return static_cast<int>(std::max<long>(
        0, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count()));
  };
  for (std::size_t sent = 0; sent < line.size();) {
    ssize_t n = ::send(fd, line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
    if (n < 0) {
      r.error = std::string("cannot send the request: ") + std::strerror(errno);
      ::close(fd);
      return r;
    }
    sent += static_cast<std::size_t>(n);
  }
  std::string in;
  char buf[65536];
  while (in.find('\n') == std::string::npos) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, left()) <= 0) {
      r.error = "vigil did not answer within " + std::to_string(timeout_ms) + " ms on " + socket;
      ::close(fd);
      return r;
    }
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) {
      r.error = "vigil closed the connection without answering";
      ::close(fd);
      return r;
    }
    in.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  r.body = nlohmann::json::parse(in.substr(0, in.find('\n')), nullptr, false);
  if (r.body.is_discarded() || !r.body.is_object()) {
    r.error = "vigil answered something that is not JSON";
    return r;
  }
  r.reached = true;
  if (!r.body.value("ok", false)) r.error = r.body.value("error", "request failed");
  return r;
}

bool use_color() { return ::isatty(1) && !std::getenv("NO_COLOR"); }

}  // namespace vigil
