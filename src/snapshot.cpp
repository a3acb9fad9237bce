// The JSON form of a Snapshot: the only nlohmann/json include for status.
#include "vigil/snapshot.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace vigil {

int ServiceSnapshot::starts_within(double window_seconds) const {
  int n = 0;
  for (double age : start_ages)
    if (age <= window_seconds) ++n;
  return n;
}

namespace {

template <class T>
nlohmann::json opt(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

nlohmann::json service_json(const ServiceSnapshot& s) {
  nlohmann::json j;
  j["name"] = s.name;
  j["state"] = std::string(to_string(s.state));
  j["pid"] = s.pid ? nlohmann::json(s.pid) : nlohmann::json(nullptr);
  j["uptime"] = opt(s.uptime);
  j["restarts"] = s.restarts;
  j["next_start_in"] = opt(s.next_start_in);
  j["status_text"] = s.status_text;
  j["notified_mainpid"] = opt(s.notified_mainpid);
  j["log_file"] = s.log_file;
  j["in_health_grace"] = s.in_health_grace;
  nlohmann::json m;
  m["running"] = s.state == State::Running || s.state == State::Starting || s.state == State::Stopping;
  m["cpu"] = opt(s.cpu);
  m["memory"] = opt(s.memory);
  m["threads"] = opt(s.threads);
  m["fds"] = opt(s.fds);
  m["output_idle"] = opt(s.output_idle);
  m["watchdog_age"] = opt(s.watchdog_age);
  m["data_age"] = opt(s.data_age);
  for (const auto& [name, value] : s.custom) m[name] = opt(value);
  j["metrics"] = m;
  j["store_error"] = s.store_error.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.store_error);
  j["health"] = s.health;
  j["health_summary"] = s.health_summary;
  if (s.last_exit) {
    const ExitStatus& e = s.last_exit->status;
    j["last_exit"] = {{"code", e.signaled ? nlohmann::json(nullptr) : nlohmann::json(e.code)},
                      {"signal", e.signaled ? nlohmann::json(e.signal) : nlohmann::json(nullptr)},
                      {"description", e.describe()},
                      {"requested", s.last_exit->requested},
                      {"cpu_seconds", e.cpu_seconds},
                      {"max_rss", e.max_rss},
                      {"age", s.last_exit->age}};
  } else {
    j["last_exit"] = nullptr;
  }
  return j;
}

}  // namespace

static nlohmann::json alert_list(const Snapshot& snap, const std::vector<std::string>& only) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& a : snap.alerts) {
    if (!only.empty() && std::find(only.begin(), only.end(), a.service) == only.end()) continue;
    list.push_back({{"rule", a.rule}, {"service", a.service}, {"severity", a.severity}, {"state", a.state},
                    {"summary", a.summary}, {"value", a.value}, {"values", a.values}, {"since", a.since},
                    {"count", a.count}, {"muted_by", a.muted_by.empty() ? nlohmann::json(nullptr) : nlohmann::json(a.muted_by)}});
  }
  return list;
}

std::string alerts_json(const Snapshot& snap) { return alert_list(snap, {}).dump(); }

std::string to_json(const Snapshot& snap, bool pretty, const std::vector<std::string>& only) {
  nlohmann::json j;
  j["vigil"] = {{"version", snap.version},
                {"pid", snap.pid},
                {"uptime", snap.uptime},
                {"config", snap.config_path},
                {"taken_at", snap.taken_at}};
  j["store"] = {{"configured", snap.store.configured},
                {"store_up", snap.store.configured ? nlohmann::json(snap.store.up) : nlohmann::json(nullptr)},
                {"error", snap.store.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(snap.store.error)},
                {"keyspace_events", snap.store.keyspace_events}};
  j["services"] = nlohmann::json::array();
  for (const auto& s : snap.services)
    if (only.empty() || std::find(only.begin(), only.end(), s.name) != only.end()) j["services"].push_back(service_json(s));
  j["alerts"] = alert_list(snap, only);
  const RulesView& r = snap.rules;
  j["rules"] = {{"path", r.path.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.path)},
                {"loaded", r.loaded},
                {"count", r.rules},
                {"loaded_at", r.loaded_at},
                {"error", r.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.error)},
                {"watch_error", r.watch_error.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.watch_error)}};
  j["notifiers"] = nlohmann::json::array();
  for (const auto& n : snap.notifiers)
    j["notifiers"].push_back({{"name", n.name}, {"type", n.type}, {"sent", n.sent}, {"failed", n.failed},
                              {"dropped", n.dropped},
                              {"last_error", n.last_error.empty() ? nlohmann::json(nullptr) : nlohmann::json(n.last_error)}});
  return pretty ? j.dump(2) : j.dump();
}

}  // namespace vigil
