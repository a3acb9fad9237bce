// `vigil logs [SERVICE...] [-n N] [-f]`: the last N lines of each service's log; -f follows them,
// across rotation (the file is replaced) and truncation. One service: its lines as they are. Several
// (or none: every service): each line prefixed with its service's name, -n per service, and with -f
// the lines of all of them interleaved as they arrive (as `pm2 logs` and `journalctl -f` do).
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "vigil/commands.hpp"
#include "vigil/config_paths.hpp"
#include "vigil/control_client.hpp"
#include "vigil/json_member.hpp"
#include "vigil/files.hpp"

namespace vigil {

namespace {

struct Followed {
  std::string name, file, prefix;
  ino_t inode = 0;
  std::streamoff pos = 0;
};

// The last `lines` lines of `file`, reading at most its last 1 MiB per 1,000 lines asked.
std::deque<std::string> tail_of(const std::string& file, long lines, std::streamoff* end) {
  std::deque<std::string> tail;
  std::ifstream in(file, std::ios::binary);
  *end = 0;
  if (!in) return tail;
  in.seekg(0, std::ios::end);
  std::streamoff size = in.tellg();
  *end = size;
  std::streamoff budget = std::max<std::streamoff>(1 << 20, static_cast<std::streamoff>(lines) * 1024);
  std::streamoff from = std::max<std::streamoff>(0, size - budget);
  in.seekg(from);
  std::string line;
  bool first = from > 0;
  while (std::getline(in, line)) {
    if (first) {  // started mid-line
      first = false;
      continue;
    }
    tail.push_back(line);
    if (static_cast<long>(tail.size()) > lines) tail.pop_front();
  }
  return tail;
}

}  // namespace

int cmd_logs(const Args& args) {
  ClientArgs a;
  std::string usage = "vigil logs [SERVICE|JOB...] [-n N] [-f] [-s SOCKET | -c FILE]";
  if (!parse_client_args(args, "logs", usage, {"-f", "--follow"}, {"-n", "--lines"}, &a)) return 2;
  long lines = 20;
  std::string n = a.values.count("-n") ? a.values["-n"] : a.values.count("--lines") ? a.values["--lines"] : "";
  if (!n.empty()) {
    char* end = nullptr;
    lines = std::strtol(n.c_str(), &end, 10);
    if (*end || lines < 0) {
      std::cerr << "vigil logs: -n takes a number of lines\n";
      return 2;
    }
  }
  bool follow = a.flags.count("-f") || a.flags.count("--follow");

  // Ask vigil where the logs are; if it is not running, the last status.json still knows.
  nlohmann::json services = nlohmann::json::array();
  // A job's log (vigil logs JOB) is found in the jobs list; the rest are services.
  std::vector<std::string> service_names;
  Reply jobs = send_request(a.socket, {{"cmd", "jobs"}});
  for (const auto& name : a.positional) {
    bool job = false;
    if (jobs.ok())
      for (const auto& j : jobs.body["jobs"])
        if (member(j, "name") == name) {
          services.push_back({{"name", name}, {"log_file", j.value("log_file", "")}});
          job = true;
        }
    if (!job) service_names.push_back(name);
  }
  bool only_jobs = !a.positional.empty() && service_names.empty();
  Reply r = only_jobs ? Reply{} : send_request(a.socket, {{"cmd", "status"}, {"services", service_names}});
  if (only_jobs) {
  } else if (r.ok()) {
    for (const auto& s : r.body["status"]["services"]) services.push_back(s);
  } else if (r.reached) {
    std::cerr << "vigil logs: " << r.error << "\n";
    return 1;
  } else {
    auto last = nlohmann::json::parse(read_file(parent_dir(a.socket) + "/status.json").value_or(""), nullptr, false);
    if (last.is_object())
      for (const auto& s : last["services"])
        if (a.positional.empty() || std::find(a.positional.begin(), a.positional.end(), s.value("name", "")) != a.positional.end())
          services.push_back(s);
    if (services.empty() || (!a.positional.empty() && services.size() != a.positional.size())) {
      std::cerr << "vigil logs: " << r.error << ", and no last known state names a log for "
                << (a.positional.empty() ? "any service" : "'" + a.positional[0] + "'") << "\n";
      return 1;
    }
  }

  bool prefixed = a.positional.size() != 1;
  std::size_t width = 0;
  for (const auto& s : services) width = std::max(width, s.value("name", "").size());
  std::vector<Followed> logs;
  for (const auto& s : services) {
    Followed f;
    f.name = s.value("name", "");
    f.file = s.value("log_file", "");
    if (prefixed) f.prefix = f.name + std::string(width - f.name.size(), ' ') + " | ";
    logs.push_back(std::move(f));
  }
  for (Followed& f : logs) {
    std::deque<std::string> tail = tail_of(f.file, lines, &f.pos);
    if (tail.empty() && !follow && !prefixed && !std::filesystem::exists(f.file)) {
      std::cerr << "vigil logs: " << f.name << " has written nothing yet (" << f.file << ")\n";
      return 0;
    }
    for (const auto& l : tail) std::cout << f.prefix << l << "\n";
    struct stat st {};
    if (::stat(f.file.c_str(), &st) == 0) f.inode = st.st_ino;
  }
  std::cout.flush();
  if (!follow) return 0;

  // Follow: print what is appended to any of them, in the order it is seen; when a file is
  // replaced (rotation) or shrinks, start over on the new one from its beginning.
  for (;;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    for (Followed& f : logs) {
      struct stat st {};
      if (::stat(f.file.c_str(), &st) != 0) continue;
      if (st.st_ino != f.inode || st.st_size < f.pos) {
        f.inode = st.st_ino;
        f.pos = 0;
      }
      if (st.st_size == f.pos) continue;
      std::ifstream in(f.file, std::ios::binary);
      in.seekg(f.pos);
      std::string chunk((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      std::size_t complete = chunk.rfind('\n');
      if (complete == std::string::npos) continue;  // wait for the line to finish
      if (f.prefix.empty()) {
        std::cout << chunk.substr(0, complete + 1);
      } else {
        std::size_t start = 0;
        for (std::size_t nl; start <= complete && (nl = chunk.find('\n', start)) != std::string::npos; start = nl + 1)
          std::cout << f.prefix << std::string_view(chunk).substr(start, nl - start + 1);
      }
      std::cout.flush();
      f.pos += static_cast<std::streamoff>(complete + 1);
    }
  }
}

}  // namespace vigil
