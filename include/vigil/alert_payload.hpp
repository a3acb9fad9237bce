#pragma once
// What a notification looks like on the wire. Pure. Documented in docs/rules.md ("The alert object").
//   json          vigil's alert object
//   alertmanager  an array for Alertmanager's POST /api/v2/alerts (labels alertname, service,
//                 severity, instance; startsAt; endsAt when resolved, else a lease vigil renews)
//   slack         {"text": "..."}
#include <map>
#include <string>
#include <vector>

#include "vigil/rule_engine.hpp"

namespace vigil {

std::string iso8601_utc(double unix_seconds);

std::string alert_json(const Notification& n, const std::string& host);
/// `lease` seconds: how long Alertmanager should consider a firing alert active without news.
/// `labels` are added to every alert's (they may not replace alertname, service, severity, instance,
/// job); `generator_url`, when not empty, becomes generatorURL.
std::string alertmanager_json(const Notification& n, const std::string& host, double lease,
                              const std::map<std::string, std::string>& labels = {},
                              const std::string& generator_url = "");
std::string slack_json(const Notification& n);

/// VIGIL_ALERT_NAME/SERVICE/SEVERITY/STATE/SUMMARY/VALUE (+ COUNT) for exec notifiers.
std::vector<std::pair<std::string, std::string>> alert_env(const Notification& n);

/// "firing" / "resolved" (a repeat is still firing).
std::string_view state_word(const Notification& n);

}  // namespace vigil
