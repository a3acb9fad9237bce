// What each control request does (docs/cli.md). Runs on the event loop; answers from the same
// snapshot that status.json and the rules see.
#include <nlohmann/json.hpp>

#include "vigil/clock.hpp"
#include "vigil/oplog.hpp"
#include "vigil/rules_config.hpp"
#include "vigil/suggest.hpp"
#include "vigil/supervisor.hpp"

namespace vigil {

namespace {

std::string ok(nlohmann::json extra = nlohmann::json::object()) {
  extra["ok"] = true;
  return extra.dump() + "\n";
}

nlohmann::json silence_json(const Silence& s) {
  return {{"id", s.id}, {"service", s.service}, {"rule", s.rule}, {"until", s.until}, {"created", s.created},
          {"reason", s.reason}};
}

}  // namespace

std::string Supervisor::handle_request(const Request& r) {
  // Every named service must exist; say which does not, with a suggestion.
  std::vector<std::string> names;
  for (const auto& s : services_) names.push_back(s->name());
  for (const auto& n : r.services)
    if (!find(n)) return error_reply("unknown service '" + n + "'" + did_you_mean(n, names));

  switch (r.cmd) {
    case Request::Cmd::Ping:
      return ok({{"version", VIGIL_VERSION}, {"pid", ::getpid()}});
    case Request::Cmd::Status: {
      Snapshot snap = snapshot();
      alerting_->describe(snap);
      return "{\"ok\":true,\"status\":" + to_json(snap, r.services) + "}\n";
    }
    case Request::Cmd::Start:
    case Request::Cmd::Stop:
    case Request::Cmd::Restart: {
      if (shutting_down_) return error_reply("vigil is shutting down");
      nlohmann::json result = nlohmann::json::array();
      for (const auto& n : r.services) {
        Service* s = find(n);
        const char* verb = r.cmd == Request::Cmd::Start ? "start" : r.cmd == Request::Cmd::Stop ? "stop" : "restart";
        oplog::info(n + ": " + verb + " requested over the control socket");
        waiting_to_start_.erase(n);  // an operator's word replaces the start order
        if (r.cmd == Request::Cmd::Start) s->start();
        else if (r.cmd == Request::Cmd::Stop) s->stop();
        else if (has_processes(s->state())) s->restart();
        else s->start();
        result.push_back({{"name", n}, {"state", std::string(to_string(s->state()))}, {"pid", s->pid()}});
      }
      return ok({{"services", result}});
    }
    case Request::Cmd::Reload: {
      std::string err = on_reload_request_ ? on_reload_request_() : reload();
      if (!err.empty()) return error_reply(err);
      return ok();
    }
    case Request::Cmd::Alerts: {
      Snapshot snap = snapshot();
      alerting_->describe(snap);
      return "{\"ok\":true,\"alerts\":" + alerts_json(snap) + "}\n";
    }
    case Request::Cmd::Silence: {
      bool glob = r.service.find_first_of("*?") != std::string::npos;
      if (!glob && !find(r.service))
        return error_reply("unknown service '" + r.service + "'" + did_you_mean(r.service, names));
      const RuleSet* rules = alerting_->rules();
      if (!r.rule.empty() && (!rules || !rules->find(r.rule))) {
        std::vector<std::string> rule_names;
        if (rules)
          for (const auto& ru : rules->rules) rule_names.push_back(ru.name);
        return error_reply("unknown rule '" + r.rule + "'" + did_you_mean(r.rule, rule_names));
      }
      double now = unix_now();
      Silence s;
      s.service = r.service;
      s.rule = r.rule;
      s.reason = r.reason;
      s.until = now + std::chrono::duration<double>(r.duration).count();
      const Silence& added = alerting_->silences().add(s, now);
      oplog::info("silence " + added.id + " on " + r.service + (r.rule.empty() ? "" : "/" + r.rule) + " for " +
                  format_duration(r.duration) + (r.reason.empty() ? "" : ": " + r.reason) + " (notifications only; actions still run)");
      nlohmann::json reply = {{"silence", silence_json(added)}};
      alerting_->save_silences();
      publish_soon();
      return ok(reply);
    }
    case Request::Cmd::Silences: {
      alerting_->silences().expire(unix_now());
      nlohmann::json list = nlohmann::json::array();
      for (const auto& s : alerting_->silences().all()) list.push_back(silence_json(s));
      return ok({{"silences", list}});
    }
    case Request::Cmd::Unsilence: {
      if (!alerting_->silences().remove(r.id)) return error_reply("no silence with id '" + r.id + "'");
      oplog::info("silence " + r.id + " removed");
      alerting_->save_silences();
      publish_soon();
      return ok();
    }
  }
  return error_reply("unhandled command");
}

}  // namespace vigil
