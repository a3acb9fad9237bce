#include "vigil/status_nagios.hpp"

#include <cstdio>
#include <vector>

#include "vigil/json_member.hpp"
#include "vigil/status_render.hpp"

namespace vigil {

namespace {

// '|' separates text from perfdata in the first line: never let a summary contain one.
std::string plain(std::string s) {
  for (char& c : s)
    if (c == '|' || c == '\n') c = '/';
  return s;
}

// Plain decimals: the plugin guidelines allow [-0-9.] in values, no exponent.
std::string number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  std::string s = buf;
  s.erase(s.find_last_not_of('0') + 1);
  if (s.back() == '.') s.pop_back();
  return s == "-0" ? "0" : s;
}

// 'label'=value[UOM];[warn];[crit];[min];[max] with a quote in the label doubled.
std::string perf(const std::string& label, double value, const char* uom, const nlohmann::json& thresholds,
                 const std::string& min, const std::string& max) {
  std::string quoted;
  for (char c : label) quoted += c == '\'' ? std::string("''") : std::string(1, c);
  std::string warn, crit;
  if (thresholds.is_object()) {
    if (member(thresholds, "warning").is_number()) warn = number(member(thresholds, "warning").get<double>());
    if (member(thresholds, "critical").is_number()) crit = number(member(thresholds, "critical").get<double>());
  }
  // Each item starts with its separating space. (Appending in place: `" " + perf(...)` makes
  // g++ 12 at -O3 warn a false -Wrestrict inside std::string.)
  return " '" + quoted + "'=" + number(value) + uom + ";" + warn + ";" + crit + ";" + min + ";" + max;
}

struct MetricUnit {
  const char* metric;
  const char* uom;
  bool always;  // shown whenever it has a value; the others only when a rule compares them
};

const MetricUnit kPerfMetrics[] = {
    {"data_age", "s", true}, {"cpu", "%", true},          {"memory", "B", true},       {"threads", "", false},
    {"fds", "", false},      {"output_idle", "s", false}, {"watchdog_age", "s", false},
};

}  // namespace

std::string render_nagios(const nlohmann::json& st) {
  const auto services = st.value("services", nlohmann::json::array());
  std::vector<std::string> critical, warning, details;
  std::string perfdata;
  int ok = 0;
  for (const auto& s : services) {
    std::string name = s.value("name", "?"), state = s.value("state", "?"), health = s.value("health", "ok");
    std::string why = string_member(s, "health_summary");
    if (state == "failed") {
      std::string reason = member(s, "failed_reason").is_string() ? " (start limit: " + member(s, "failed_reason").get<std::string>() + ")" : "";
      critical.push_back(name + " failed (start limit)");
      details.push_back("CRITICAL " + name + ": " + (health == "critical" && !why.empty() ? why : name + " failed" + reason));
    } else if (health == "critical") {
      critical.push_back(name + " " + state);
      details.push_back("CRITICAL " + name + ": " + why);
    } else if (health == "warning") {
      warning.push_back(name + " " + state);
      details.push_back("WARNING " + name + ": " + why);
    } else {
      ++ok;
    }
    const auto& m = member(s, "metrics");
    const auto& th = member(s, "thresholds");
    for (const MetricUnit& mu : kPerfMetrics) {
      bool ruled = th.is_object() && th.contains(mu.metric);
      if (!member(m, mu.metric).is_number() || (!mu.always && !ruled)) continue;
      perfdata += perf(name + "_" + mu.metric, member(m, mu.metric).get<double>(), mu.uom,
                             ruled ? member(th, mu.metric) : nlohmann::json(), "0", "");
    }
    if (m.is_object())
      for (auto it = m.begin(); it != m.end(); ++it) {  // custom metrics a rule compares
        bool builtin = it.key() == "running";
        for (const MetricUnit& mu : kPerfMetrics) builtin = builtin || it.key() == mu.metric;
        if (builtin || !it.value().is_number() || !(th.is_object() && th.contains(it.key()))) continue;
        perfdata += perf(name + "_" + it.key(), it.value().get<double>(), "", member(th, it.key().c_str()), "", "");
      }
    perfdata += perf(name + "_restarts", s.value("restarts", 0), "c", nlohmann::json(), "0", "");
  }
  for (const auto& a : st.value("alerts", nlohmann::json::array())) {
    if (a.value("service", "") != "vigil" || a.value("state", "") != "firing") continue;
    std::string sev = a.value("severity", "");
    if (sev != "critical" && sev != "warning") continue;
    (sev == "critical" ? critical : warning).push_back("vigil " + a.value("rule", ""));
    details.push_back((sev == "critical" ? "CRITICAL vigil: " : "WARNING vigil: ") + a.value("summary", ""));
  }
  std::size_t total = services.size();
  perfdata = perf("services_ok", ok, "", nlohmann::json(), "0", std::to_string(total)) + perfdata;

  auto list = [](const std::vector<std::string>& items) {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
    return out;
  };
  static const char* const kWords[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};
  int code = status_exit_code(st);
  std::string text;
  if (critical.empty() && warning.empty()) {
    text = std::to_string(ok) + " of " + std::to_string(total) + " services ok";
  } else {
    if (!critical.empty())
      text = std::to_string(critical.size()) + " of " + std::to_string(total) + " services critical: " + list(critical);
    if (!warning.empty())
      text += (text.empty() ? std::to_string(warning.size()) + " of " + std::to_string(total) + " services"
                            : "; " + std::to_string(warning.size())) +
              " warning: " + list(warning);
  }
  std::string out = "VIGIL " + std::string(kWords[code]) + " - " + plain(text) + " |" + perfdata + "\n";
  for (const auto& d : details) out += plain(d) + "\n";
  return out;
}

std::string render_nagios_unknown(const std::string& why) { return "VIGIL UNKNOWN - " + plain(why) + "\n"; }

}  // namespace vigil
