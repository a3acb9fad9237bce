#pragma once
// Helpers for driving the real vigil binary: temp dirs, deadline polling (never sleep-and-hope),
// /proc inspection. Nothing here fakes what users run.
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace vt {

using namespace std::chrono_literals;
using Ms = std::chrono::milliseconds;

/// Generous: the suite must pass on a loaded 2-core machine. Tests poll, so passing runs are fast.
constexpr Ms kDeadline = 15s;

class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

/// Polls `pred` every 10 ms until it is true or `timeout` passes.
bool wait_for(const std::function<bool()>& pred, Ms timeout = kDeadline);

std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& text);
bool file_exists(const std::string& path);
std::vector<std::string> lines_of(const std::string& text);
int count_of(const std::string& haystack, const std::string& needle);

/// True when /proc/PID/stat is absent or says zombie (a killed grandchild may wait for PID 1).
bool process_gone(pid_t pid);
/// Children of a process (all its threads), read from /proc.
std::vector<pid_t> children_of(pid_t pid);
char process_state(pid_t pid);

/// Reads a pid a fixture child wrote into a file, waiting until it is there.
pid_t read_pid_file(const std::string& path);

struct CommandResult {
  int exit_code = -1;
  std::string out, err;
};
/// Runs a command to completion with stdout/stderr captured (argv, no shell).
CommandResult run_command(const std::vector<std::string>& argv);

/// The control socket of a VigilRun in `dir` (its XDG_RUNTIME_DIR is dir/run).
std::string control_socket(const TempDir& dir);
/// One request over a control socket and its one-line reply (null if there is no answer).
nlohmann::json control_request(const std::string& socket, const nlohmann::json& request);
/// The real `vigil ARGS... -s <that socket>`, run to completion.
CommandResult vigil_cli(const TempDir& dir, std::vector<std::string> args);

/// The real `vigil run` on a config, its stderr (the operator log) captured to a file.
class VigilRun {
 public:
  /// `wrapper` runs before vigil's argv (a full path, e.g. {"/usr/bin/prlimit", "--nofile=32:32", "--"}: it execs vigil).
  VigilRun(const TempDir& dir, const std::string& config_text, std::vector<std::string> extra_env = {},
           std::vector<std::string> wrapper = {});
  ~VigilRun();  // SIGKILLs a vigil still running and reaps it

  pid_t pid() const { return pid_; }
  std::string config_path() const { return config_; }
  std::string log() const;
  /// Waits until the operator log contains `needle` (count times).
  bool wait_log(const std::string& needle, int count = 1, Ms timeout = kDeadline) const;
  void signal(int sig) const;
  /// The status object: over the control socket while vigil answers, else the status.json it left
  /// (null if neither).
  nlohmann::json status() const;
  /// status.json as vigil last wrote it (null until it exists): written after the rules have seen a
  /// sample, at every change of state, and every 10 s.
  nlohmann::json status_file() const;
  /// One service's object from status() (null if absent).
  nlohmann::json service(const std::string& name) const;
  /// A metric of a service as a number; nullopt while it has no value.
  std::optional<double> metric(const std::string& service, const std::string& name) const;
  /// Raw exit code once vigil exited, or nullopt on timeout; -SIG if killed by a signal.
  std::optional<int> wait_exit(Ms timeout = kDeadline);

 private:
  pid_t pid_ = -1;
  std::string config_, log_, status_;
  bool reaped_ = false;
};

}  // namespace vt
