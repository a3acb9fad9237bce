// `vigil status [SERVICE...] [--json | --format=table|json|nagios]` and `vigil alerts [--json]`.
// Exit codes (monitoring-plugin style): 0 ok, 1 warning firing, 2 critical firing or a failed
// service, 3 unknown (vigil unreachable, or a bad request).
#include <chrono>
#include <filesystem>
#include <iostream>

#include "vigil/clock.hpp"
#include "vigil/commands.hpp"
#include "vigil/config_paths.hpp"
#include "vigil/control_client.hpp"
#include "vigil/files.hpp"
#include "vigil/quantity.hpp"
#include "vigil/status_nagios.hpp"
#include "vigil/job_render.hpp"
#include "vigil/status_render.hpp"

namespace vigil {

namespace {
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
  if (r.ok()) {
    nlohmann::json st = r.body["status"];
    if (json && r.body.contains("jobs")) st["jobs"] = r.body["jobs"];
    std::cout << (json ? st.dump(2) + "\n" : nagios ? render_nagios(st) : render_status(st, opt));
    if (!json && !nagios && r.body.contains("jobs")) std::cout << render_jobs(r.body["jobs"], opt.now);
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
