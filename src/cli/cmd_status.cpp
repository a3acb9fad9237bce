// `vigil status [SERVICE...] [--json | --format=table|json|nagios]` and `vigil alerts [--json]`.
// Exit codes (monitoring-plugin style): 0 ok, 1 warning firing, 2 critical firing or a failed
// service, 3 unknown (vigil unreachable, or a bad request).
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "vigil/clock.hpp"
#include "vigil/commands.hpp"
#include "vigil/config_paths.hpp"
#include "vigil/control_client.hpp"
#include "vigil/json_member.hpp"
#include "vigil/files.hpp"
#include "vigil/quantity.hpp"
#include "vigil/status_nagios.hpp"
#include "vigil/job_render.hpp"
#include "vigil/status_render.hpp"

namespace vigil {

namespace {

std::string proc_text(pid_t pid, const char* what) {
  return read_file("/proc/" + std::to_string(pid) + "/" + what).value_or("");
}

// The service's process tree from /proc, depth first from the main process.
void walk_tree(pid_t pid, int depth, nlohmann::json& out) {
  if (depth > 32 || out.size() >= 200) return;
  std::string cmdline = proc_text(pid, "cmdline");
  if (cmdline.empty() && proc_text(pid, "comm").empty()) return;
  for (char& c : cmdline)
    if (c == '\0') c = ' ';
  while (!cmdline.empty() && cmdline.back() == ' ') cmdline.pop_back();
  if (cmdline.size() > 200) cmdline = cmdline.substr(0, 200) + "...";
  std::string comm = proc_text(pid, "comm");
  if (!comm.empty() && comm.back() == '\n') comm.pop_back();
  out.push_back({{"pid", pid}, {"depth", depth}, {"comm", comm}, {"cmdline", cmdline}});
  std::error_code ec;
  for (const auto& task : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
    std::istringstream kids(read_file(task.path().string() + "/children").value_or(""));
    pid_t child = 0;
    while (kids >> child) walk_tree(child, depth + 1, out);
  }
}

// The last `n` lines of a log file, reading at most its last 256 KiB.
nlohmann::json log_tail(const std::string& file, std::size_t n) {
  nlohmann::json out = nlohmann::json::array();
  std::ifstream in(file, std::ios::binary);
  if (!in) return out;
  in.seekg(0, std::ios::end);
  std::streamoff size = in.tellg(), from = std::max<std::streamoff>(0, size - 256 * 1024);
  in.seekg(from);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> lines;
  std::istringstream ls(text);
  for (std::string l; std::getline(ls, l);) lines.push_back(l);
  if (from > 0 && !lines.empty()) lines.erase(lines.begin());  // cut in the middle
  std::size_t first = lines.size() > n ? lines.size() - n : 0;
  for (std::size_t i = first; i < lines.size(); ++i) out.push_back(lines[i]);
  return out;
}

// `vigil status NAME`: the one object the detail view shows (and --json prints).
nlohmann::json service_detail(const nlohmann::json& st) {
  nlohmann::json d;
  const nlohmann::json& services = member(st, "services");
  d["service"] = services.is_array() && !services.empty() ? services[0] : nlohmann::json();
  d["alerts"] = member(st, "alerts");
  d["rules"] = member(st, "rules");
  d["reload"] = member(st, "reload");
  d["vigil"] = member(st, "vigil");
  d["processes"] = nlohmann::json::array();
  if (d["service"]["pid"].is_number()) walk_tree(d["service"]["pid"].get<pid_t>(), 0, d["processes"]);
  d["log_tail"] = log_tail(d["service"].value("log_file", ""), 10);
  return d;
}

}  // namespace

int cmd_status(const Args& args) {
  ClientArgs a;
  if (!parse_client_args(args, "status",
                         "vigil status [SERVICE...] [--json | --format=table|json|nagios] [-s SOCKET | -c FILE]",
                         {"--json"}, {"--format"}, &a))
    return 3;  // a monitoring check that cannot even ask is UNKNOWN
  std::string format = a.flags.count("--json") ? "json" : "table";
  if (auto f = a.values.find("--format"); f != a.values.end()) format = f->second;
  if (format != "table" && format != "json" && format != "nagios") {
    std::cerr << "vigil status: unknown --format '" << format << "': table, json or nagios\n";
    return 3;
  }
  bool json = format == "json", nagios = format == "nagios";
  RenderOptions opt{use_color(), unix_now()};
  Reply r = send_request(a.socket, {{"cmd", "status"}, {"services", a.positional}});
  if (r.ok() && a.positional.size() == 1 && !nagios && r.body["status"]["services"].size() == 1) {
    const auto& st = r.body["status"];
    nlohmann::json d = service_detail(st);
    std::cout << (json ? d.dump(2) + "\n" : render_service_detail(d, opt));
    return status_exit_code(st);
  }
  if (r.ok()) {
    nlohmann::json st = r.body["status"];
    std::cout << (json ? st.dump(2) + "\n" : nagios ? render_nagios(st) : render_status(st, opt));
    if (!json && !nagios && st.contains("jobs")) std::cout << render_jobs(st["jobs"], opt.now) << render_job_alerts(st, opt);
    return status_exit_code(st);
  }
  if (r.reached || r.denied) {  // vigil answered with an error (an unknown service...), or may not be asked
    if (nagios) std::cout << render_nagios_unknown(r.error);
    else if (json) std::cout << nlohmann::json({{"reachable", false}, {"error", r.error}}).dump(2) << "\n";
    else std::cerr << "vigil status: " << r.error << "\n";
    return 3;
  }
  if (nagios) {
    std::cout << render_nagios_unknown("vigil is not running (" + r.error + ")");
    return 3;
  }
  // Nobody answers: show the last state vigil wrote, with its age, and say so plainly.
  std::string file = parent_dir(a.socket) + "/status.json";
  nlohmann::json last;
  if (auto text = read_file(file)) last = nlohmann::json::parse(*text, nullptr, false);
  bool have_last = last.is_object() && last.contains("vigil");
  double age = have_last ? unix_now() - last["vigil"].value("taken_at", 0.0) : 0;
  if (json) {
    nlohmann::json out = {{"reachable", false}, {"error", r.error}};
    if (have_last) {
      out["last_known"] = last;
      out["last_known_age"] = age;
    }
    std::cout << out.dump(2) << "\n";
    return 3;
  }
  std::cout << "vigil is not running (" << r.error << ")\n";
  if (have_last) {
    std::cout << "last known state, written " << format_seconds(age, DurationStyle::Compact) << " ago by pid " << last["vigil"].value("pid", 0)
              << ":\n\n"
              << render_status(last, opt);
  }
  return 3;
}

int cmd_alerts(const Args& args) {
  ClientArgs a;
  if (!parse_client_args(args, "alerts", "vigil alerts [--json] [-s SOCKET | -c FILE]", {"--json"}, {}, &a)) return 2;
  Reply r = send_request(a.socket, {{"cmd", "alerts"}});
  if (!r.ok()) {
    std::cerr << "vigil alerts: " << r.error << "\n";
    return 1;
  }
  if (a.flags.count("--json")) std::cout << r.body["alerts"].dump(2) << "\n";
  else std::cout << render_alerts(r.body["alerts"], RenderOptions{use_color(), unix_now()});
  return 0;
}

}  // namespace vigil
