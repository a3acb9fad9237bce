#include "vigil/alert_payload.hpp"

#include <cmath>
#include <ctime>
#include <nlohmann/json.hpp>

namespace vigil {

std::string iso8601_utc(double t) {
  std::time_t secs = static_cast<std::time_t>(std::floor(t));
  int ms = static_cast<int>((t - std::floor(t)) * 1000);
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, ms);
  return out;
}

std::string_view state_word(const Notification& n) {
  return n.kind == Notification::Kind::Resolved ? "resolved" : "firing";
}

std::string alert_json(const Notification& n, const std::string& host) {
  const Alert& a = n.alert;
  nlohmann::json j = {{"name", a.rule},
                      {"service", a.service},
                      {"severity", std::string(to_string(a.severity))},
                      {"state", std::string(state_word(n))},
                      {"repeat", n.kind == Notification::Kind::Repeat},
                      {"summary", a.summary},
                      {"value", a.value},
                      {"values", a.values},
                      {"count", a.count},
                      {"started_at", iso8601_utc(a.fired_at)},
                      {"ended_at", n.kind == Notification::Kind::Resolved ? nlohmann::json(iso8601_utc(n.at)) : nullptr},
                      {"host", host}};
  return j.dump();
}

std::string alertmanager_json(const Notification& n, const std::string& host, double lease,
                              const std::map<std::string, std::string>& labels, const std::string& generator_url) {
  const Alert& a = n.alert;
  nlohmann::json own = {{"alertname", a.rule},
                        {"service", a.service},
                        {"severity", std::string(to_string(a.severity))},
                        {"instance", host},
                        {"job", "vigil"}};
  for (const auto& [k, v] : labels)
    if (!own.contains(k)) own[k] = v;
  nlohmann::json alert = {
      {"labels", own},
      {"annotations", {{"summary", a.summary}, {"value", a.value}}},
      {"startsAt", iso8601_utc(a.fired_at)},
      // Alertmanager resolves an alert whose endsAt passed: a resolution says "now"; a firing alert
      // gets a lease that vigil renews while it keeps firing.
      {"endsAt", iso8601_utc(n.kind == Notification::Kind::Resolved ? n.at : n.at + lease)}};
  if (!generator_url.empty()) alert["generatorURL"] = generator_url;
  return nlohmann::json::array({alert}).dump();
}

std::string slack_json(const Notification& n) {
  const Alert& a = n.alert;
  // Appended piece by piece: g++ 12 at -O3 raises a false -Wrestrict on `"[" + std::string(...)`.
  std::string text = "[";
  text += n.kind == Notification::Kind::Resolved ? std::string_view("resolved") : to_string(a.severity);
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  text += "] ";
  text += a.summary;
  text += " (";
  text += a.rule;
  text += ')';
  return nlohmann::json({{"text", text}}).dump();
}

std::vector<std::pair<std::string, std::string>> alert_env(const Notification& n) {
  const Alert& a = n.alert;
  return {{"VIGIL_ALERT_NAME", a.rule},
          {"VIGIL_ALERT_SERVICE", a.service},
          {"VIGIL_ALERT_SEVERITY", std::string(to_string(a.severity))},
          {"VIGIL_ALERT_STATE", std::string(state_word(n))},
          {"VIGIL_ALERT_SUMMARY", a.summary},
          {"VIGIL_ALERT_VALUE", a.value},
          {"VIGIL_ALERT_COUNT", std::to_string(a.count)}};
}

}  // namespace vigil
