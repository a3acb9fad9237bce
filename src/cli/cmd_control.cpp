// `vigil start|stop|restart SERVICE... [--no-wait]`, `vigil reload`, `vigil silence ...`.
#include <chrono>
#include <ctime>
#include <iostream>
#include <map>
#include <thread>

#include "vigil/commands.hpp"
#include "vigil/control_client.hpp"
#include "vigil/json_member.hpp"
#include "vigil/quantity.hpp"
#include "vigil/status_render.hpp"

namespace vigil {

namespace {

nlohmann::json service_status(const std::string& socket, const std::string& name) {
  Reply r = send_request(socket, {{"cmd", "status"}, {"services", {name}}});
  if (!r.ok() || r.body["status"]["services"].empty()) return nullptr;
  return r.body["status"]["services"][0];
}

// Waits until each service reached what was asked; prints one line per service.
int wait_for_states(const std::string& socket, const std::string& verb, const nlohmann::json& before,
                    std::chrono::seconds timeout) {
  int rc = 0;
  for (const auto& b : before) {
    std::string name = b["name"];
    auto deadline = std::chrono::steady_clock::now() + timeout;
    nlohmann::json s;
    for (;;) {
      s = service_status(socket, name);
      if (s.is_null()) {
        std::cerr << name << ": vigil stopped answering\n";
        return 1;
      }
      std::string st = s["state"];
      bool done = verb == "stop" ? st == "stopped"
                                 : st == "running" && (verb != "restart" || s["pid"] != b["pid"] || b["pid"] == 0);
      bool hopeless = verb != "stop" && (st == "failed" || (st == "stopped" && s["last_exit"].is_object()));
      if (done) break;
      if (hopeless || std::chrono::steady_clock::now() >= deadline) {
        std::string why = s["last_exit"].is_object() ? s["last_exit"].value("description", "") : "";
        std::cerr << name << ": " << st << (why.empty() ? "" : " (last exit: " + why + ")")
                  << (hopeless ? "" : "; still not " + std::string(verb == "stop" ? "stopped" : "running") +
                                          " after " + std::to_string(timeout.count()) + "s")
                  << "\n";
        rc = 1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (rc == 0 || s["state"] == (verb == "stop" ? "stopped" : "running"))
      std::cout << name << ": " << s["state"].get<std::string>()
                << (s["pid"].is_number() ? " (pid " + std::to_string(s["pid"].get<int>()) + ")" : "") << "\n";
  }
  return rc;
}

}  // namespace

int cmd_service_action(const std::string& verb, const Args& args) {
  ClientArgs a;
  std::string usage = "vigil " + verb + " SERVICE...|--all [--no-wait] [--timeout DUR] [-s SOCKET | -c FILE]";
  if (!parse_client_args(args, verb, usage, {"--no-wait", "--all"}, {"--timeout"}, &a)) return 2;
  if (a.flags.count("--all") && !a.positional.empty()) {
    std::cerr << "vigil " << verb << ": either name services or give --all\nusage: " << usage << "\n";
    return 2;
  }
  if (a.flags.count("--all")) {
    // Every service vigil has now (jobs are not services: `vigil cancel --all` stops their runs).
    Reply all = send_request(a.socket, {{"cmd", "status"}});
    if (!all.ok()) {
      std::cerr << "vigil " << verb << ": " << all.error << "\n";
      return 1;
    }
    for (const auto& s : all.body["status"]["services"]) a.positional.push_back(string_member(s, "name"));
    if (a.positional.empty()) {
      std::cout << "no services\n";
      return 0;
    }
  }
  if (a.positional.empty()) {
    std::cerr << "vigil " << verb << ": name at least one service, or --all\nusage: " << usage << "\n";
    return 2;
  }
  std::chrono::seconds timeout(60);
  if (a.values.count("--timeout")) {
    std::string err;
    auto d = parse_duration(a.values["--timeout"], &err);
    if (!d) {
      std::cerr << "vigil " << verb << ": --timeout: " << err << "\n";
      return 2;
    }
    timeout = std::chrono::duration_cast<std::chrono::seconds>(*d);
  }
  // Remember each service's pid first, so a restart can tell the new process from the old one.
  nlohmann::json before = nlohmann::json::array();
  for (const auto& n : a.positional) {
    nlohmann::json s = service_status(a.socket, n);
    before.push_back({{"name", n}, {"pid", s.is_object() && s["pid"].is_number() ? s["pid"].get<int>() : 0}});
  }
  Reply r = send_request(a.socket, {{"cmd", verb}, {"services", a.positional}});
  if (!r.ok()) {
    std::cerr << "vigil " << verb << ": " << r.error << "\n";
    return 1;
  }
  if (a.flags.count("--no-wait")) {
    for (const auto& s : r.body["services"]) std::cout << string_member(s, "name") << ": " << string_member(s, "state") << "\n";
    return 0;
  }
  return wait_for_states(a.socket, verb, before, timeout);
}

int cmd_start(const Args& args) { return cmd_service_action("start", args); }
int cmd_stop(const Args& args) { return cmd_service_action("stop", args); }
int cmd_restart(const Args& args) { return cmd_service_action("restart", args); }

int cmd_reload(const Args& args) {
  ClientArgs a;
  if (!parse_client_args(args, "reload", "vigil reload [-s SOCKET | -c FILE]", {}, {}, &a)) return 2;
  Reply r = send_request(a.socket, {{"cmd", "reload"}}, 30000);
  if (!r.ok()) {
    std::cerr << "vigil reload: " << r.error << "\n";
    return 1;
  }
  std::cout << "reloaded: the new config and rules are in force\n";
  return 0;
}

int cmd_silence(const Args& args) {
  ClientArgs a;
  std::string usage = "vigil silence SERVICE|JOB[/RULE] --for DUR [--reason TEXT] | --list | --remove ID";
  if (!parse_client_args(args, "silence", usage, {"--list"}, {"--for", "--reason", "--remove"}, &a)) return 2;
  auto when = [](double t) {
    std::time_t s = static_cast<std::time_t>(t);
    std::tm tm{};
    ::localtime_r(&s, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
    return std::string(buf);
  };
  if (a.flags.count("--list")) {
    Reply r = send_request(a.socket, {{"cmd", "silences"}});
    if (!r.ok()) {
      std::cerr << "vigil silence: " << r.error << "\n";
      return 1;
    }
    if (r.body["silences"].empty()) std::cout << "no silences\n";
    for (const auto& s : r.body["silences"]) {
      std::string rule = string_member(s, "rule"), reason = string_member(s, "reason");
      std::cout << string_member(s, "id") << "  " << string_member(s, "service") << (rule.empty() ? "" : "/" + rule)
                << "  until " << when(member(s, "until")) << (reason.empty() ? "" : "  " + reason) << "\n";
    }
    return 0;
  }
  if (a.values.count("--remove")) {
    Reply r = send_request(a.socket, {{"cmd", "unsilence"}, {"id", a.values["--remove"]}});
    if (!r.ok()) {
      std::cerr << "vigil silence: " << r.error << "\n";
      return 1;
    }
    std::cout << "silence " << a.values["--remove"] << " removed\n";
    return 0;
  }
  if (a.positional.size() != 1 || !a.values.count("--for")) {
    std::cerr << "vigil silence: name one SERVICE[/RULE] and --for DUR\nusage: " << usage << "\n";
    return 2;
  }
  std::string target = a.positional[0], rule;
  if (auto slash = target.find('/'); slash != std::string::npos) {
    rule = target.substr(slash + 1);
    target = target.substr(0, slash);
  }
  Reply r = send_request(a.socket, {{"cmd", "silence"}, {"service", target}, {"rule", rule}, {"for", a.values["--for"]},
                                    {"reason", a.values.count("--reason") ? a.values["--reason"] : ""}});
  if (!r.ok()) {
    std::cerr << "vigil silence: " << r.error << "\n";
    return 1;
  }
  const auto& s = r.body["silence"];
  std::cout << "silence " << string_member(s, "id") << ": notifications for " << a.positional[0] << " muted until "
            << when(member(s, "until")) << " (rule actions still run)\n";
  return 0;
}

}  // namespace vigil
