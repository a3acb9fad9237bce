#include "test_support.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace vt {

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "vigil-test-XXXXXX").string();
  if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

bool wait_for(const std::function<bool()>& pred, Ms timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (pred()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

bool file_exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

int count_of(const std::string& haystack, const std::string& needle) {
  int n = 0;
  for (std::size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++n;
  return n;
}

char process_state(pid_t pid) {
  std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  if (stat.empty()) return 0;
  auto close = stat.rfind(')');
  if (close == std::string::npos || close + 2 >= stat.size()) return 0;
  return stat[close + 2];
}

bool process_gone(pid_t pid) {
  char s = process_state(pid);
  return s == 0 || s == 'Z' || s == 'X';
}

std::vector<pid_t> children_of(pid_t pid) {
  std::vector<pid_t> out;
  std::string task_dir = "/proc/" + std::to_string(pid) + "/task";
  DIR* d = ::opendir(task_dir.c_str());
  if (!d) return out;
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] == '.') continue;
    std::istringstream in(read_file(task_dir + "/" + e->d_name + "/children"));
    pid_t c;
    while (in >> c) out.push_back(c);
  }
  ::closedir(d);
  return out;
}

pid_t read_pid_file(const std::string& path) {
  pid_t pid = 0;
  wait_for([&] {
    std::string s = read_file(path);
    if (s.empty() || s.back() != '\n') return false;
    pid = static_cast<pid_t>(std::atoi(s.c_str()));
    return pid > 0;
  });
  return pid;
}

namespace {

// fork/exec with stdout and stderr redirected to files; returns the pid.
pid_t spawn(const std::vector<std::string>& argv, const std::string& out, const std::string& err,
            const std::vector<std::string>& env) {
  std::vector<char*> a, e;
  for (auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
  a.push_back(nullptr);
  for (auto& s : env) e.push_back(const_cast<char*>(s.c_str()));
  e.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid == 0) {
    int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int r = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(o, 1);
    ::dup2(r, 2);
    ::execve(a[0], a.data(), e.data());
    ::_exit(127);
  }
  return pid;
}

std::vector<std::string> current_env() {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) env.emplace_back(*e);
  return env;
}

}  // namespace

CommandResult run_command(const std::vector<std::string>& argv) {
  TempDir dir;
  pid_t pid = spawn(argv, dir / "out", dir / "err", current_env());
  int ws = 0;
  ::waitpid(pid, &ws, 0);
  CommandResult r;
  r.exit_code = WIFEXITED(ws) ? WEXITSTATUS(ws) : -WTERMSIG(ws);
  r.out = read_file(dir / "out");
  r.err = read_file(dir / "err");
  return r;
}

std::string control_socket(const TempDir& dir) { return dir / "run/vigil/control.sock"; }

CommandResult vigil_cli(const TempDir& dir, std::vector<std::string> args) {
  std::vector<std::string> argv = {VIGIL_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.insert(argv.end(), {"-s", control_socket(dir)});
  return run_command(argv);
}

namespace {

// Tests run in parallel: each vigil left on the default listener (127.0.0.1:9464) would race the
// others for it, and whether its socket exists would depend on who won. A test that wants the
// listener names its own `http`.
std::string without_default_listener(const std::string& config) {
  static const std::regex names_http(R"((^|\n)\s*http\s*=)");
  if (std::regex_search(config, names_http)) return config;
  static const std::regex vigil_table(R"((^|\n)\[vigil\][^\n]*\n)");
  std::smatch m;
  if (std::regex_search(config, m, vigil_table)) {
    std::size_t at = static_cast<std::size_t>(m.position(0) + m.length(0));
    return config.substr(0, at) + "http = \"off\"\n" + config.substr(at);
  }
  return config + "\n[vigil]\nhttp = \"off\"\n";
}

}  // namespace

VigilRun::VigilRun(const TempDir& dir, const std::string& config_text, std::vector<std::string> extra_env,
                   std::vector<std::string> wrapper)
    : config_(dir / "vigil.toml"), log_(dir / "vigil.log"), status_(dir / "run/vigil/status.json") {
  write_file(config_, without_default_listener(config_text));
  std::vector<std::string> env = current_env();
  // Keep vigil's defaults inside the test's folder.
  env.push_back("XDG_STATE_HOME=" + dir.path() + "/state");
  env.push_back("XDG_RUNTIME_DIR=" + dir.path() + "/run");
  for (auto& e : extra_env) {  // replaces a variable of the same name (getenv finds the first)
    std::string name = e.substr(0, e.find('=') + 1);
    std::erase_if(env, [&](const std::string& kv) { return kv.rfind(name, 0) == 0; });
    env.push_back(e);
  }
  wrapper.insert(wrapper.end(), {VIGIL_BINARY, "run", "-c", config_});
  pid_ = spawn(wrapper, dir / "vigil.out", log_, env);
}

VigilRun::~VigilRun() {
  if (reaped_ || pid_ <= 0) return;
  // Stop it as an operator would, so it takes its whole tree down; SIGKILL only if it hangs.
  // (A SIGKILLed vigil takes its direct children along, but not their orphaned grandchildren.)
  ::kill(pid_, SIGTERM);
  if (wait_exit(10s)) return;
  ::kill(pid_, SIGKILL);
  int ws;
  ::waitpid(pid_, &ws, 0);
}

std::string VigilRun::log() const { return read_file(log_); }

bool VigilRun::wait_log(const std::string& needle, int count, Ms timeout) const {
  return wait_for([&] { return count_of(log(), needle) >= count; }, timeout);
}

void VigilRun::signal(int sig) const { ::kill(pid_, sig); }

nlohmann::json control_request(const std::string& socket, const nlohmann::json& request) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strncpy(a.sun_path, socket.c_str(), sizeof a.sun_path - 1);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string line = request.dump() + "\n", reply;
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
            ::send(fd, line.data(), line.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(line.size());
  char buf[65536];
  while (ok && (reply.empty() || reply.back() != '\n')) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    reply.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  if (reply.empty() || reply.back() != '\n') return nullptr;
  return nlohmann::json::parse(reply, nullptr, false);
}

nlohmann::json VigilRun::status() const {
  // Live, as `vigil status --json` gets it; once vigil is gone, what it left in status.json.
  std::string socket = status_.substr(0, status_.rfind('/')) + "/control.sock";
  nlohmann::json reply = control_request(socket, {{"cmd", "status"}});
  if (reply.is_object() && reply.value("ok", false) && reply.contains("status")) return reply["status"];
  return status_file();
}

nlohmann::json VigilRun::status_file() const {
  std::string text = read_file(status_);
  if (text.empty()) return nullptr;
  return nlohmann::json::parse(text, nullptr, false);
}

nlohmann::json VigilRun::service(const std::string& name) const {
  nlohmann::json st = status();
  if (!st.is_object()) return nullptr;
  for (auto& s : st["services"])
    if (s["name"] == name) return s;
  return nullptr;
}

std::optional<double> VigilRun::metric(const std::string& svc, const std::string& name) const {
  nlohmann::json s = service(svc);
  if (!s.is_object() || !s["metrics"].contains(name) || !s["metrics"][name].is_number()) return std::nullopt;
  return s["metrics"][name].get<double>();
}

std::optional<int> VigilRun::wait_exit(Ms timeout) {
  int ws = 0;
  bool done = wait_for([&] { return ::waitpid(pid_, &ws, WNOHANG) == pid_; }, timeout);
  if (!done) return std::nullopt;
  reaped_ = true;
  return WIFEXITED(ws) ? WEXITSTATUS(ws) : -WTERMSIG(ws);
}

}  // namespace vt
