// `vigil run-now JOB [--wait] [--follow]`, `vigil cancel JOB|--all`, `vigil history [JOB]`.
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "vigil/clock.hpp"
#include "vigil/commands.hpp"
#include "vigil/control_client.hpp"
#include "vigil/job_render.hpp"
#include "vigil/json_member.hpp"
#include "vigil/quantity.hpp"

namespace vigil {

namespace {

std::string local_time(double t) {
  std::time_t s = static_cast<std::time_t>(t);
  std::tm tm{};
  ::localtime_r(&s, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

std::string pad(std::string s, std::size_t n) {
  if (s.size() < n) s.append(n - s.size(), ' ');
  return s;
}

std::string how(const nlohmann::json& a) {
  if (!a.is_object()) return "";
  if (member(a, "exit_code").is_number()) return "exit " + std::to_string(member(a, "exit_code").get<int>());
  if (member(a, "signal").is_number()) return "signal " + std::to_string(member(a, "signal").get<int>());
  return "";
}

std::uint64_t file_size(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
}

// Prints the complete lines appended to the job's log since `*pos` as the job wrote them: stdout
// lines to stdout, stderr lines to stderr, without the log's timestamp and tag.
void print_new_lines(const std::string& file, std::uint64_t* pos) {
  std::uint64_t size = file_size(file);
  if (size < *pos) *pos = 0;  // rotated
  if (size == *pos) return;
  std::ifstream f(file);
  f.seekg(static_cast<std::streamoff>(*pos));
  std::string chunk((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::size_t complete = chunk.rfind('\n');
  if (complete == std::string::npos) return;
  std::istringstream lines(chunk.substr(0, complete + 1));
  std::string line;
  while (std::getline(lines, line)) {
    // "2026-11-22T18:45:01.123Z out text"
    std::size_t sp = line.find(' ');
    std::string rest = sp == std::string::npos ? line : line.substr(sp + 1);
    if (rest.rfind("err ", 0) == 0) std::cerr << rest.substr(4) << "\n" << std::flush;
    else if (rest.rfind("out ", 0) == 0) std::cout << rest.substr(4) << "\n" << std::flush;
    else std::cout << rest << "\n" << std::flush;
  }
  *pos += complete + 1;
}

nlohmann::json find_job(const nlohmann::json& jobs, const std::string& name) {
  for (const auto& j : jobs)
    if (member(j, "name") == name) return j;
  return nullptr;
}

}  // namespace

std::string render_jobs(const nlohmann::json& jobs, double now) {
  if (!jobs.is_array() || jobs.empty()) return "";
  std::ostringstream out;
  out << "\n" << pad("JOB", 20) << pad("STATE", 12) << pad("LAST RUN", 34) << "NEXT RUN\n";
  for (const auto& j : jobs) {
    std::string state = j.value("state", "?");
    if (member(j, "run").is_object())
      state += " #" + std::to_string(member(j, "run").value("run_id", 0)) +
               (member(j, "run").value("attempt", 0) > 1 ? " try " + std::to_string(member(j, "run").value("attempt", 0)) : "");
    std::string last = "-";
    if (member(j, "last").is_object()) {
      const auto& l = member(j, "last");
      std::string h = how(l);
      last = l.value("result", "?") + (h.empty() ? "" : " (" + h + ")") + ", " +
             format_seconds(std::max(0.0, now - l.value("ended", now)), DurationStyle::Compact) + " ago";
    }
    std::string next = "-";
    if (member(j, "next_run").is_number()) next = "in " + format_seconds(std::max(0.0, member(j, "next_run").get<double>() - now), DurationStyle::Compact);
    if (member(j, "schedule").is_string()) next += "  (" + member(j, "schedule").get<std::string>() + ")";
    if (j.value("queued", false)) state += " +1 queued";
    out << pad(j.value("name", "?"), 20) << pad(state, 12) << pad(last, 34) << next << "\n";
  }
  return out.str();
}

std::string render_history(const nlohmann::json& runs) {
  if (!runs.is_array() || runs.empty()) return "no runs recorded\n";
  std::ostringstream out;
  out << pad("RUN", 7) << pad("JOB", 18) << pad("TRIGGER", 10) << pad("TRY", 5) << pad("STARTED", 21) << pad("DURATION", 10)
      << pad("RESULT", 16) << pad("EXIT", 11) << pad("CPU", 8) << "PEAK RSS\n";
  for (const auto& r : runs) {
    std::ostringstream cpu;
    cpu.precision(2);
    cpu << std::fixed << r.value("cpu_seconds", 0.0) << "s";
    std::string h = how(r);
    out << pad(std::to_string(r.value("run_id", 0)), 7) << pad(r.value("job", "?"), 18) << pad(r.value("trigger", "?"), 10)
        << pad(std::to_string(r.value("attempt", 1)), 5) << pad(local_time(r.value("started", 0.0)), 21)
        << pad(format_seconds(r.value("duration", 0.0), DurationStyle::Compact), 10) << pad(r.value("result", "?"), 16)
        << pad(h.empty() ? "-" : h, 11) << pad(cpu.str(), 8) << (member(r, "max_rss").is_number() ? format_size(member(r, "max_rss").get<std::uint64_t>()) : "-") << "\n";
    if (member(r, "error").is_string()) out << "       " << member(r, "error").get<std::string>() << "\n";
  }
  return out.str();
}

int run_exit_code(const nlohmann::json& a) {
  if (a.value("result", "") == "skipped") return 0;
  if (member(a, "exit_code").is_number()) return member(a, "exit_code").get<int>();
  if (member(a, "signal").is_number()) return 128 + member(a, "signal").get<int>();
  return 127;
}

int cmd_run_now(const Args& args) {
  ClientArgs a;
  std::string usage = "vigil run-now JOB [--wait] [--follow] [-s SOCKET | -c FILE]";
  if (!parse_client_args(args, "run-now", usage, {"--wait", "--follow", "-f"}, {}, &a)) return 2;
  if (a.positional.size() != 1) {
    std::cerr << "vigil run-now: name one job\nusage: " << usage << "\n";
    return 2;
  }
  const std::string name = a.positional[0];
  bool follow = a.flags.count("--follow") || a.flags.count("-f");
  bool wait = follow || a.flags.count("--wait");
  // Where the job's output goes, and how much is there already: --follow prints what comes after.
  std::string log_file;
  std::uint64_t pos = 0;
  if (follow) {
    Reply jobs = send_request(a.socket, {{"cmd", "jobs"}});
    if (jobs.ok()) {
      nlohmann::json j = find_job(jobs.body["jobs"], name);
      if (j.is_object()) {
        log_file = j.value("log_file", "");
        pos = file_size(log_file);
      }
    }
  }
  Reply r = send_request(a.socket, {{"cmd", "run-now"}, {"job", name}});
  if (!r.ok()) {
    std::cerr << "vigil run-now: " << r.error << "\n";
    return 1;
  }
  std::int64_t id = r.body.value("run_id", std::int64_t{0});
  std::string outcome = r.body.value("outcome", "started");
  if (!wait) {
    std::cout << name << ": run " << id << " " << outcome << "\n";
    return 0;
  }
  if (outcome == "queued") std::cerr << name << ": run " << id << " queued behind the current run\n";
  if (log_file.empty()) log_file = r.body.value("log_file", "");
  for (;;) {
    if (follow) print_new_lines(log_file, &pos);
    Reply h = send_request(a.socket, {{"cmd", "history"}, {"job", name}, {"n", 200}});
    if (!h.reached) {
      std::cerr << "vigil run-now: vigil stopped answering (" << h.error << ")\n";
      return 1;
    }
    for (const auto& rec : h.body["runs"]) {
      if (rec.value("run_id", std::int64_t{0}) != id || !rec.value("final", false)) continue;
      if (follow) {
        // The log writer may still hold the last lines: read until the file stops growing.
        for (int quiet = 0; quiet < 3;) {
          std::uint64_t before = pos;
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
          print_new_lines(log_file, &pos);
          quiet = pos == before ? quiet + 1 : 0;
        }
      }
      std::string h2 = how(rec);
      double first_start = rec.value("started", 0.0);
      for (const auto& other : h.body["runs"])
        if (other.value("run_id", std::int64_t{0}) == id) first_start = std::min(first_start, other.value("started", first_start));
      std::cerr << name << ": run " << id << " " << rec.value("result", "?") << (h2.empty() ? "" : " (" + h2 + ")")
                << (rec.value("attempt", 1) > 1 ? " after " + std::to_string(rec.value("attempt", 1)) + " attempts" : "")
                << " in " << format_seconds(rec.value("ended", 0.0) - first_start, DurationStyle::Compact)
                << "\n";
      return run_exit_code(rec);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

int cmd_cancel(const Args& args) {
  ClientArgs a;
  std::string usage = "vigil cancel JOB|--all [--timeout DUR] [-s SOCKET | -c FILE]";
  if (!parse_client_args(args, "cancel", usage, {"--all"}, {"--timeout"}, &a)) return 2;
  bool all = a.flags.count("--all") > 0;
  if (all == (a.positional.size() == 1) || a.positional.size() > 1) {
    std::cerr << "vigil cancel: name one job, or --all\nusage: " << usage << "\n";
    return 2;
  }
  std::chrono::milliseconds timeout(60'000);
  if (a.values.count("--timeout")) {
    std::string err;
    auto d = parse_duration(a.values["--timeout"], &err);
    if (!d) {
      std::cerr << "vigil cancel: --timeout: " << err << "\n";
      return 2;
    }
    timeout = *d;
  }
  nlohmann::json req = {{"cmd", "cancel"}};
  if (all) req["all"] = true;
  else req["job"] = a.positional[0];
  Reply r = send_request(a.socket, req);
  if (!r.ok()) {
    std::cerr << "vigil cancel: " << r.error << "\n";
    return 1;
  }
  std::vector<std::string> names = r.body["jobs"].get<std::vector<std::string>>();
  if (names.empty()) {
    std::cout << (all ? "no job is running\n" : a.positional[0] + ": not running\n");
    return 0;
  }
  // Wait until every cancelled job's process group is gone (its run is over).
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (const std::string& name : names) {
    for (;;) {
      Reply j = send_request(a.socket, {{"cmd", "jobs"}});
      if (!j.reached) {
        std::cerr << "vigil cancel: vigil stopped answering (" << j.error << ")\n";
        return 1;
      }
      nlohmann::json job = find_job(j.body["jobs"], name);
      if (!job.is_object() || job["run"].is_null()) {
        std::cout << name << ": cancelled\n";
        break;
      }
      if (std::chrono::steady_clock::now() >= deadline) {
        std::cerr << name << ": still " << job.value("state", "?") << " after the timeout\n";
        return 1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  return 0;
}

int cmd_history(const Args& args) {
  ClientArgs a;
  std::string usage = "vigil history [JOB] [--json] [-n N] [-s SOCKET | -c FILE]";
  if (!parse_client_args(args, "history", usage, {"--json"}, {"-n"}, &a)) return 2;
  if (a.positional.size() > 1) {
    std::cerr << "vigil history: name at most one job\nusage: " << usage << "\n";
    return 2;
  }
  int n = 20;
  if (a.values.count("-n")) {
    char* end = nullptr;
    long v = std::strtol(a.values["-n"].c_str(), &end, 10);
    if (*end || v < 1 || v > 100000) {
      std::cerr << "vigil history: -n takes a count from 1 to 100000\n";
      return 2;
    }
    n = static_cast<int>(v);
  }
  nlohmann::json req = {{"cmd", "history"}, {"n", n}};
  if (!a.positional.empty()) req["job"] = a.positional[0];
  Reply r = send_request(a.socket, req);
  if (!r.ok()) {
    std::cerr << "vigil history: " << r.error << "\n";
    return 1;
  }
  if (a.flags.count("--json")) std::cout << r.body["runs"].dump(2) << "\n";
  else std::cout << render_history(r.body["runs"]);
  return 0;
}

}  // namespace vigil
