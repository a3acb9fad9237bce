// The control requests (control_handler.hpp): the command table and one handler per request.
#include "vigil/control_handler.hpp"

#include <unistd.h>

#include "vigil/builtin_alerts.hpp"
#include "vigil/clock.hpp"
#include "vigil/json_out.hpp"
#include "vigil/oplog.hpp"
#include "vigil/rules_config.hpp"
#include "vigil/suggest.hpp"
#include "vigil/supervisor.hpp"

namespace vigil {

namespace {

struct ControlCommand {
  const char* name;
  Takes takes;
  std::string (ControlHandler::*run)(const Request&);
};

// One table: parsing checks each request's arguments against its row, dispatch reads it.
constexpr ControlCommand kCommands[] = {
    {"ping", Takes::Nothing, &ControlHandler::ping},
    {"status", Takes::Services, &ControlHandler::status},
    {"start", Takes::SomeServices, &ControlHandler::start_stop},
    {"stop", Takes::SomeServices, &ControlHandler::start_stop},
    {"restart", Takes::SomeServices, &ControlHandler::start_stop},
    {"reload", Takes::Nothing, &ControlHandler::reload},
    {"alerts", Takes::Nothing, &ControlHandler::alerts},
    {"silence", Takes::Silence, &ControlHandler::silence},
    {"silences", Takes::Nothing, &ControlHandler::silences},
    {"unsilence", Takes::SilenceId, &ControlHandler::unsilence},
    {"jobs", Takes::Nothing, &ControlHandler::jobs},
    {"run-now", Takes::Job, &ControlHandler::run_now},
    {"cancel", Takes::JobOrAll, &ControlHandler::cancel},
    {"history", Takes::History, &ControlHandler::history},
};

void silence_json(JsonOut& j, const Silence& s) {
  j.begin_object();
  j.key("id").value(s.id);
  j.key("service").value(s.service);
  j.key("rule").value(s.rule);
  j.key("until").value(s.until);
  j.key("created").value(s.created);
  j.key("reason").value(s.reason);
  j.end_object();
}

}  // namespace

std::string ControlHandler::handle(Request r) {
  const ControlCommand* command = nullptr;
  std::vector<std::string> names;
  for (const ControlCommand& c : kCommands) {
    names.emplace_back(c.name);
    if (r.cmd == c.name) command = &c;
  }
  if (!command) return error_reply("unknown command '" + r.cmd + "'" + did_you_mean(r.cmd, names));
  if (std::string err = check_arguments(r, command->takes); !err.empty()) return error_reply(err);
  // Every named service must exist; say which does not, with a suggestion.
  for (const auto& n : r.services)
    if (!sup_.find(n)) return error_reply("unknown service '" + n + "'" + did_you_mean(n, sup_.service_names()));
  return (this->*command->run)(r);
}

std::string ControlHandler::ping(const Request&) {
  return ok_reply([](JsonOut& j) {
    j.key("pid").value(static_cast<std::int64_t>(::getpid()));
    j.key("version").value(VIGIL_VERSION);
  });
}

std::string ControlHandler::status(const Request& r) {
  Snapshot snap = sup_.described_snapshot();
  return ok_reply([&](JsonOut& j) { j.key("status").json(to_json(snap, r.services)); });
}

std::string ControlHandler::alerts(const Request&) {
  Snapshot snap = sup_.described_snapshot();
  return ok_reply([&](JsonOut& j) { j.key("alerts").json(alerts_json(snap)); });
}

std::string ControlHandler::start_stop(const Request& r) {
  if (sup_.shutting_down()) return error_reply("vigil is shutting down");
  return ok_reply([&](JsonOut& j) {
    j.key("services").begin_array();
    for (const auto& n : r.services) {
      Service* s = sup_.find(n);
      oplog::info(n + ": " + r.cmd + " requested over the control socket");
      sup_.drop_from_start_order(n);  // an operator's word replaces the start order
      if (r.cmd == "start") s->start();
      else if (r.cmd == "stop") s->stop();
      else if (has_processes(s->state())) s->restart();
      else s->start();
      j.begin_object();
      j.key("name").value(n);
      j.key("pid").value(static_cast<std::int64_t>(s->pid()));
      j.key("state").value(to_string(s->state()));
      j.end_object();
    }
    j.end_array();
  });
}

std::string ControlHandler::reload(const Request&) {
  std::string err = sup_.request_reload();
  return err.empty() ? ok_reply() : error_reply(err);
}

std::string ControlHandler::silence(const Request& r) {
  bool glob = r.service.find_first_of("*?") != std::string::npos;
  if (!glob && !sup_.find(r.service) && !sup_.jobs().find(r.service)) {
    std::vector<std::string> names = sup_.service_names(), jobs = sup_.jobs().names();
    names.insert(names.end(), jobs.begin(), jobs.end());
    return error_reply("no service or job is called '" + r.service + "'" + did_you_mean(r.service, names));
  }
  Alerting& alerting = sup_.alerting();
  const RuleSet* rules = alerting.rules();
  if (!r.rule.empty() && (!rules || !rules->find(r.rule)) && !find_builtin(r.rule)) {
    std::vector<std::string> rule_names;
    if (rules)
      for (const auto& ru : rules->rules) rule_names.push_back(ru.name);
    for (const auto& def : builtin_alerts()) rule_names.emplace_back(def.name);
    return error_reply("unknown rule '" + r.rule + "'" + did_you_mean(r.rule, rule_names));
  }
  double now = unix_now();
  Silence s;
  s.service = r.service;
  s.rule = r.rule;
  s.reason = r.reason;
  s.until = now + std::chrono::duration<double>(r.duration).count();
  const Silence& added = alerting.silences().add(s, now);
  oplog::info("silence " + added.id + " on " + r.service + (r.rule.empty() ? "" : "/" + r.rule) + " for " +
              format_duration(r.duration) + (r.reason.empty() ? "" : ": " + r.reason) +
              " (notifications only; actions still run)");
  std::string reply = ok_reply([&](JsonOut& j) {
    j.key("silence");
    silence_json(j, added);
  });
  alerting.save_silences();
  sup_.publish_soon();
  return reply;
}

std::string ControlHandler::silences(const Request&) {
  Alerting& alerting = sup_.alerting();
  alerting.silences().expire(unix_now());
  return ok_reply([&](JsonOut& j) {
    j.key("silences").begin_array();
    for (const auto& s : alerting.silences().all()) silence_json(j, s);
    j.end_array();
  });
}

std::string ControlHandler::unsilence(const Request& r) {
  Alerting& alerting = sup_.alerting();
  if (!alerting.silences().remove(r.id)) return error_reply("no silence with id '" + r.id + "'");
  oplog::info("silence " + r.id + " removed");
  alerting.save_silences();
  sup_.publish_soon();
  return ok_reply();
}

}  // namespace vigil
