// `vigil logs SERVICE [-n N] [-f]`: the last N lines of a service's log; -f follows it, across
// rotation (the file is replaced) and truncation.
#include <sys/stat.h>

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
#include "vigil/files.hpp"

namespace vigil {

int cmd_logs(const Args& args) {
  ClientArgs a;
  std::string usage = "vigil logs SERVICE|JOB [-n N] [-f] [-s SOCKET | -c FILE]";
  if (!parse_client_args(args, "logs", usage, {"-f", "--follow"}, {"-n", "--lines"}, &a)) return 2;
  if (a.positional.size() != 1) {
    std::cerr << "vigil logs: name one service\nusage: " << usage << "\n";
    return 2;
  }
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
  std::string name = a.positional[0];

  // Ask vigil where the log is; if it is not running, the last status.json still knows.
  std::string file;
  // A job's log (vigil logs JOB) is found in the jobs list.
  Reply jobs = send_request(a.socket, {{"cmd", "jobs"}});
  if (jobs.ok())
    for (const auto& j : jobs.body["jobs"])
      if (j["name"] == name) file = j.value("log_file", "");
  Reply r = file.empty() ? send_request(a.socket, {{"cmd", "status"}, {"services", {name}}}) : Reply{};
  if (!file.empty()) {
  } else if (r.ok() && !r.body["status"]["services"].empty()) {
    file = r.body["status"]["services"][0].value("log_file", "");
  } else if (r.reached) {
    std::cerr << "vigil logs: " << r.error << "\n";
    return 1;
  } else {
    auto last = nlohmann::json::parse(read_file(parent_dir(a.socket) + "/status.json").value_or(""), nullptr, false);
    if (last.is_object())
      for (const auto& s : last["services"])
        if (s["name"] == name) file = s.value("log_file", "");
    if (file.empty()) {
      std::cerr << "vigil logs: " << r.error << ", and no last known state names a log for '" << name << "'\n";
      return 1;
    }
  }

  std::ifstream in(file);
  if (!in && !follow) {
    std::cerr << "vigil logs: " << name << " has written nothing yet (" << file << ")\n";
    return 0;
  }
  std::deque<std::string> tail;
  std::string line;
  while (std::getline(in, line)) {
    tail.push_back(line);
    if (static_cast<long>(tail.size()) > lines) tail.pop_front();
  }
  for (const auto& l : tail) std::cout << l << "\n";
  std::cout.flush();
  if (!follow) return 0;

  // Follow: print what is appended; when the file is replaced (rotation) or shrinks, start over on
  // the new one from its beginning.
  struct stat st {};
  ino_t inode = ::stat(file.c_str(), &st) == 0 ? st.st_ino : 0;
  std::streamoff pos = in.is_open() ? static_cast<std::streamoff>(std::filesystem::exists(file) ? std::filesystem::file_size(file) : 0) : 0;
  in.clear();
  for (;;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    if (::stat(file.c_str(), &st) != 0) continue;
    if (st.st_ino != inode || st.st_size < pos) {
      inode = st.st_ino;
      pos = 0;
    }
    if (st.st_size == pos) continue;
    std::ifstream f(file);
    f.seekg(pos);
    std::string chunk((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    std::size_t complete = chunk.rfind('\n');
    if (complete == std::string::npos) continue;  // wait for the line to finish
    std::cout << chunk.substr(0, complete + 1) << std::flush;
    pos += static_cast<std::streamoff>(complete + 1);
  }
}

}  // namespace vigil
