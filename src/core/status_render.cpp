#include "vigil/status_render.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "vigil/json_member.hpp"
#include "vigil/quantity.hpp"
#include "vigil/severity.hpp"

namespace vigil {

namespace {

const char* kReset = "\033[0m";

std::string paint(const std::string& text, const char* code, bool color) {
  return color ? std::string(code) + text + kReset : text;
}

const char* state_color(const std::string& s) {
  if (s == "running") return "\033[32m";
  if (s == "failed") return "\033[1;31m";
  if (s == "backoff" || s == "starting" || s == "stopping") return "\033[33m";
  return "\033[2m";
}

// Health and severity words as status.json writes them; the enum's order is the ranking.
Health health_in(const std::string& word) { return parse_health(word).value_or(Health::Ok); }

const char* health_color(const std::string& word) {
  switch (health_in(word)) {
    case Health::Critical: return "\033[1;31m";
    case Health::Warning: return "\033[33m";
    case Health::Info: return "\033[36m";
    case Health::Ok: return "\033[32m";
  }
  return "\033[32m";
}

// 2 critical, 1 warning, 0 otherwise (docs/cli.md).
int exit_code_for(Health h) { return h == Health::Critical ? 2 : h == Health::Warning ? 1 : 0; }

std::string num(const nlohmann::json& v, const char* fmt) {
  if (!v.is_number()) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, fmt, v.get<double>());
  return buf;
}

std::string seconds(const nlohmann::json& v) { return v.is_number() ? format_seconds(v.get<double>(), DurationStyle::Compact) : "-"; }
std::string bytes(const nlohmann::json& v) {
  return v.is_number() ? format_size(static_cast<std::uint64_t>(std::max(0.0, v.get<double>()))) : "-";
}

// What a child wrote or was started with, on one line and harmless to a terminal: control bytes
// (a newline in an inline script, an escape sequence in a log line) are shown as \n, \t, \xNN.
std::string one_line(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    auto b = static_cast<unsigned char>(c);
    if (b >= 0x20 && b != 0x7f) out += c;
    else if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else {
      char esc[8];
      std::snprintf(esc, sizeof esc, "\\x%02x", b);
      out += esc;
    }
  }
  return out;
}

// Pads to `width` visible characters (colour codes do not count).
std::string pad(const std::string& shown, std::size_t visible, std::size_t width) {
  return shown + std::string(width > visible ? width - visible : 0, ' ');
}

struct Table {
  std::vector<std::vector<std::pair<std::string, std::string>>> rows;  // (plain, painted)
  std::string render() const {
    std::vector<std::size_t> w;
    for (const auto& r : rows)
      for (std::size_t i = 0; i < r.size(); ++i) {
        if (w.size() <= i) w.push_back(0);
        w[i] = std::max(w[i], r[i].first.size());
      }
    std::string out;
    for (const auto& r : rows) {
      std::string line;
      for (std::size_t i = 0; i < r.size(); ++i)
        line += i + 1 == r.size() ? r[i].second : pad(r[i].second, r[i].first.size(), w[i] + 2);
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out += line + "\n";
    }
    return out;
  }
};

}  // namespace

std::string alert_notes(const nlohmann::json& a, double now) {
  std::string out;
  if (member(a, "no_data_since").is_number())
    out += "  [no data for " + format_seconds(now - member(a, "no_data_since").get<double>(), DurationStyle::Compact) + ": kept as it was]";
  if (member(a, "action").is_string()) out += "  [action: " + member(a, "action").get<std::string>() + "]";
  if (member(a, "muted_by").is_string()) out += "  [" + member(a, "muted_by").get<std::string>() + "]";
  return out;
}

int status_exit_code(const nlohmann::json& st) {
  int code = 0;
  for (const auto& s : st.value("services", nlohmann::json::array())) {
    if (s.value("state", "") == "failed") code = std::max(code, 2);
    code = std::max(code, exit_code_for(health_in(s.value("health", "ok"))));
  }
  // vigil's own alerts (a rejected rules edit) are warnings about vigil itself; a job has no health
  // of its own but its alerts (job_failed, a job rule), so those count as they are.
  std::set<std::string> subjects = {"vigil"};
  for (const auto& j : st.value("jobs", nlohmann::json::array())) subjects.insert(j.value("name", ""));
  for (const auto& a : st.value("alerts", nlohmann::json::array())) {
    if (!subjects.count(a.value("service", "")) || a.value("state", "") != "firing") continue;
    code = std::max(code, exit_code_for(health_in(a.value("severity", ""))));
  }
  return code;
}

std::string render_status(const nlohmann::json& st, const RenderOptions& opt) {
  std::string out;
  const auto& v = member(st, "vigil");
  std::string head = "vigil " + v.value("version", "?") + "  up " + seconds(member(v, "uptime")) + "  pid " +
                     std::to_string(v.value("pid", 0)) + "  config " + v.value("config", "?");
  if (v.contains("containment") && member(v, "containment").is_object())
    head += member(v, "containment").value("mode", "") == "cgroups" ? "  runs in: own cgroups" : "  runs in: process groups";
  const auto& r = member(st, "rules");
  if (r.is_object()) {
    if (!member(r, "loaded").get<bool>()) head += "  rules: none";
    else head += "  rules: " + std::to_string(r.value("count", 0)) + " in force";
    if (member(r, "error").is_string()) head += paint("  (last edit rejected: " + member(r, "error").get<std::string>() + ")", "\033[33m", opt.color);
  }
  const auto& store = member(st, "store");
  if (store.is_object() && store.value("configured", false))
    head += member(store, "store_up") == true ? "  store: up" : paint("  store: DOWN (" + member(store, "error").get<std::string>() + ")", "\033[1;31m", opt.color);
  for (const auto& n : st.value("notifiers", nlohmann::json::array()))
    if (n.value("failed", 0) > 0)
      head += paint("  notifier " + n.value("name", "?") + ": " + std::to_string(n.value("failed", 0)) + " failed" +
                        (member(n, "last_error").is_string() ? " (" + member(n, "last_error").get<std::string>() + ")" : ""),
                    "\033[33m", opt.color);
  out += head + "\n\n";

  Table t;
  auto cell = [](const std::string& s) { return std::make_pair(s, s); };
  t.rows.push_back({cell("SERVICE"), cell("STATE"), cell("PID"), cell("UPTIME"), cell("RESTARTS"), cell("CPU"),
                    cell("MEMORY"), cell("DATA AGE"), cell("HEALTH")});
  std::vector<std::string> details;  // per row, what goes under it
  for (const auto& s : member(st, "services")) {
    const auto& m = member(s, "metrics");
    std::string state = s.value("state", "?"), health = s.value("health", "ok");
    std::string health_text = health == "ok" ? "ok" : health + "  " + s.value("health_summary", "");
    if (state == "failed" && health != "critical") {  // failed is critical even with service_failed disabled
      health = "critical";
      health_text = "critical  failed" +
                    (member(s, "failed_reason").is_string() ? " (start limit: " + member(s, "failed_reason").get<std::string>() + ")" : "");
    }
    t.rows.push_back({cell(s.value("name", "?")),
                      {state, paint(state, state_color(state), opt.color)},
                      cell(member(s, "pid").is_number() ? std::to_string(member(s, "pid").get<int>()) : "-"),
                      cell(seconds(member(s, "uptime"))),
                      cell(std::to_string(s.value("restarts", 0))),
                      cell(num(member(m, "cpu"), "%.1f%%")),
                      cell(bytes(member(m, "memory"))),
                      cell(seconds(member(m, "data_age"))),
                      {health_text, paint(health_text, health_color(health), opt.color)}});
  }
  std::string table = t.render();
  // Interleave the detail lines under their service rows.
  std::vector<std::string> lines;
  for (std::size_t start = 0, nl; (nl = table.find('\n', start)) != std::string::npos; start = nl + 1)
    lines.push_back(table.substr(start, nl - start));
  out += lines[0] + "\n";
  std::size_t i = 1;
  for (const auto& s : member(st, "services")) {
    out += lines[i++] + "\n";
    std::string state = s.value("state", "?");
    bool unhealthy = s.value("health", "ok") != "ok" || (state != "running" && state != "stopped") ||
                     member(s, "store_error").is_string();
    if (!unhealthy) continue;
    std::string name = s.value("name", "");
    for (const auto& a : st.value("alerts", nlohmann::json::array())) {
      if (a.value("service", "") != name) continue;
      std::string values;
      for (auto it = member(a, "values").begin(); it != member(a, "values").end(); ++it)
        values += (values.empty() ? "" : ", ") + it.key() + " = " + it.value().get<std::string>();
      std::string line = "    " + a.value("rule", "") + " " + a.value("state", "") + " (" + a.value("severity", "") +
                         ", " + seconds(member(a, "since")) + ")" + (values.empty() ? "" : ": " + values);
      line += alert_notes(a, opt.now);
      out += line + "\n";
    }
    if (member(s, "next_start_in").is_number()) out += "    next start in " + seconds(member(s, "next_start_in")) + "\n";
    if (member(s, "last_exit").is_object()) {
      const auto& e = member(s, "last_exit");
      out += "    last exit: " + e.value("description", "?") + ", cpu " + num(member(e, "cpu_seconds"), "%.2fs") + ", peak rss " +
             bytes(member(e, "max_rss")) + ", " + seconds(member(e, "age")) + " ago" + (e.value("requested", false) ? " (requested)" : "") + "\n";
    }
    if (member(s, "store_error").is_string()) out += "    store: " + member(s, "store_error").get<std::string>() + "\n";
    if (!s.value("status_text", "").empty()) out += "    STATUS=" + s.value("status_text", "") + "\n";
    if (member(s, "notified_mainpid").is_number())
      out += "    MAINPID=" + std::to_string(member(s, "notified_mainpid").get<int>()) + " (as the service reported it)\n";
  }
  for (const auto& a : st.value("alerts", nlohmann::json::array()))
    if (a.value("service", "") == "vigil")
      out += paint("vigil: " + a.value("rule", "") + ": " + a.value("summary", ""), "\033[33m", opt.color) + "\n";
  return out;
}

std::string render_job_alerts(const nlohmann::json& st, const RenderOptions& opt) {
  std::set<std::string> jobs;
  for (const auto& j : st.value("jobs", nlohmann::json::array())) jobs.insert(j.value("name", ""));
  std::string out;
  for (const auto& a : st.value("alerts", nlohmann::json::array())) {
    if (!jobs.count(a.value("service", ""))) continue;
    std::string line = "    " + a.value("service", "") + ": " + a.value("rule", "") + " " + a.value("state", "") + " (" +
                       a.value("severity", "") + ", " + seconds(member(a, "since")) + "): " + a.value("summary", "");
    out += paint(line + alert_notes(a, opt.now), health_color(a.value("severity", "")), opt.color) + "\n";
  }
  return out;
}

std::string render_service_detail(const nlohmann::json& d, const RenderOptions& opt) {
  const auto& s = member(d, "service");
  const auto& m = member(s, "metrics");
  std::string out;
  std::string state = s.value("state", "?"), health = s.value("health", "ok");
  std::string since;
  if (member(s, "uptime").is_number()) since = " since " + seconds(member(s, "uptime")) + " ago";
  else if (member(s, "last_exit").is_object()) since = " since " + seconds(member(member(s, "last_exit"), "age")) + " ago";
  out += paint("\u25CF", state_color(state), opt.color) + " " + s.value("name", "?") + " - " +
         paint(state, state_color(state), opt.color) + since + "  health: " +
         paint(health == "ok" ? "ok" : health + " (" + s.value("health_summary", "") + ")", health_color(health), opt.color) +
         "\n";
  auto field = [&](const std::string& label, const std::string& text) {
    out += std::string(label.size() < 12 ? 12 - label.size() : 0, ' ') + label + ": " + text + "\n";
  };
  const auto& procs = d.value("processes", nlohmann::json::array());
  if (member(s, "pid").is_number()) {
    std::string main = std::to_string(member(s, "pid").get<int>());
    if (!procs.empty()) main += " (" + procs[0].value("comm", "?") + ")";
    field("Main PID", main);
  }
  if (!procs.empty()) field("Tasks", std::to_string(procs.size()) + " processes, " + num(member(m, "threads"), "%.0f") + " threads");
  field("CPU", num(member(m, "cpu"), "%.1f%%") + "   Memory: " + bytes(member(m, "memory")) + "   FDs: " + num(member(m, "fds"), "%.0f"));
  if (member(s, "last_exit").is_object()) {
    const auto& e = member(s, "last_exit");
    field("Last exit", e.value("description", "?") + " (cpu " + num(member(e, "cpu_seconds"), "%.2fs") + ", peak rss " +
                           bytes(member(e, "max_rss")) + ") " + seconds(member(e, "age")) + " ago" +
                           (e.value("requested", false) ? ", requested" : ""));
  }
  std::string restarts = std::to_string(s.value("restarts", 0));
  if (member(s, "next_start_in").is_number()) restarts += ", next start in " + seconds(member(s, "next_start_in"));
  if (member(s, "failed_reason").is_string()) restarts += ", failed: " + member(s, "failed_reason").get<std::string>();
  field("Restarts", restarts);
  if (!s.value("status_text", "").empty()) field("Status", one_line(s.value("status_text", "")));
  if (member(s, "store_error").is_string()) field("Store", member(s, "store_error").get<std::string>());
  field("Log", s.value("log_file", "?"));

  if (!procs.empty()) {
    out += "\nProcess tree:\n";
    for (const auto& p : procs) {
      int depth = p.value("depth", 0);
      // A process with no command line (one that exited and waits to be reaped) shows its name in
      // brackets, as ps does.
      std::string cmdline = p.value("cmdline", "");
      if (cmdline.empty()) cmdline = "[" + p.value("comm", "?") + "]";
      out += "  " + std::string(static_cast<std::size_t>(depth) * 2, ' ') + (depth ? "\u2514\u2500 " : "") +
             std::to_string(p.value("pid", 0)) + " " + one_line(cmdline) + "\n";
    }
  }

  const auto& probes = s.value("probes", nlohmann::json::array());
  if (!probes.empty()) {
    out += "\nProbes:\n";
    Table t;
    auto cell = [](const std::string& x) { return std::make_pair(x, x); };
    for (const auto& p : probes) {
      std::string pstate = p.value("state", "?");
      std::string last = "no check yet";
      if (member(p, "last_passed").is_boolean()) {
        last = member(p, "last_passed").get<bool>() ? "passed" : "failed";
        if (member(p, "http_status").is_number()) last += ", HTTP " + std::to_string(member(p, "http_status").get<int>());
        double lat = member(p, "latency").is_number() ? member(p, "latency").get<double>() : 0;
        last += " in " + (lat < 1 ? num(nlohmann::json(lat * 1000), "%.1fms") : num(member(p, "latency"), "%.2fs")) + ", " +
                seconds(member(p, "last_check_age")) + " ago";
      }
      const char* color = pstate == "passing" ? "\033[32m" : pstate == "failing" ? "\033[1;31m" : "\033[2m";
      t.rows.push_back({cell("  " + p.value("name", "?")), cell(p.value("type", "?") + (p.value("startup", false) ? " (startup)" : "")),
                        {pstate, paint(pstate, color, opt.color)},
                        cell("failures " + std::to_string(p.value("failures", 0))),
                        cell(std::to_string(p.value("checks", 0)) + " checks, " + std::to_string(p.value("failed_checks", 0)) + " failed"),
                        cell(last)});
    }
    std::string table = t.render();
    // The last output under each probe's line, first line of it only.
    std::size_t row = 0, start = 0;
    for (std::size_t nl; (nl = table.find('\n', start)) != std::string::npos; start = nl + 1, ++row) {
      out += table.substr(start, nl - start + 1);
      std::string detail = probes[row].value("detail", "");
      detail = one_line(detail.substr(0, std::min(detail.find('\n'), std::size_t{200})));
      if (!detail.empty()) out += "      " + detail + "\n";
    }
  }

  const auto& counters = s.value("log_counters", nlohmann::json::object());
  if (!counters.empty()) {
    out += "\nLog counters:\n";
    for (auto it = counters.begin(); it != counters.end(); ++it) {
      const auto& c = it.value();
      out += "  " + it.key() + " = " + std::to_string(c.value("count", 0));
      if (member(c, "last_line").is_string())
        out += "   last " + seconds(nlohmann::json(opt.now - c.value("last_at", opt.now))) + " ago: " + one_line(member(c, "last_line").get<std::string>());
      out += "\n";
    }
  }

  const auto& rules = s.value("rules", nlohmann::json::array());
  out += "\nRules:\n";
  if (rules.empty()) out += "  none applies to this service\n";
  for (const auto& r : rules) {
    std::string rstate = r.value("state", "?");
    std::string line = "  " + r.value("rule", "?") + "  " + rstate;
    if (rstate != "inactive") {
      line += " (" + r.value("severity", "") + ") for " + seconds(member(r, "since"));
      if (!r.value("value", "").empty()) line += ", value " + r.value("value", "");
      if (r.value("no_data", false)) line += ", no data";
    }
    const char* color = rstate == "firing" ? "\033[1;31m" : rstate == "pending" ? "\033[33m" : "\033[2m";
    out += paint(line, color, opt.color) + "\n";
  }
  const auto& alerts = d.value("alerts", nlohmann::json::array());
  if (!alerts.empty()) {
    out += "\nAlerts:\n";
    for (const auto& a : alerts) {
      std::string sev = a.value("severity", "");
      out += "  " + paint(sev, health_color(sev), opt.color) + "  " + a.value("summary", "") + "  (" + a.value("rule", "") +
             " " + a.value("state", "") + " for " + seconds(member(a, "since")) + ")" + alert_notes(a, opt.now) + "\n";
    }
  }

  const auto& reload = member(d, "reload");
  out += "\nLast reload: ";
  if (reload.is_object() && member(reload, "at").is_number())
    out += std::string(reload.value("ok", true) ? "ok" : "refused") + ", " +
           seconds(nlohmann::json(opt.now - member(reload, "at").get<double>())) + " ago: " + reload.value("result", "") + "\n";
  else
    out += "none since vigil started\n";
  const auto& rv = member(d, "rules");
  if (rv.is_object() && rv.value("loaded", false))
    out += "Rules file: " + std::to_string(rv.value("count", 0)) + " rules in force, loaded " +
           seconds(nlohmann::json(opt.now - rv.value("loaded_at", opt.now))) + " ago" +
           (member(rv, "error").is_string() ? "; last edit rejected: " + member(rv, "error").get<std::string>() : "") + "\n";

  const auto& tail = d.value("log_tail", nlohmann::json::array());
  out += "\nLog, last 10 lines:\n";
  for (const auto& l : tail) out += "  " + one_line(l.get<std::string>()) + "\n";
  return out;
}

std::string render_alerts(const nlohmann::json& alerts, const RenderOptions& opt) {
  if (alerts.empty()) return "no active alerts\n";
  Table t;
  auto cell = [](const std::string& s) { return std::make_pair(s, s); };
  t.rows.push_back({cell("RULE"), cell("SERVICE"), cell("SEVERITY"), cell("STATE"), cell("SINCE"), cell("SUMMARY")});
  for (const auto& a : alerts) {
    std::string sev = a.value("severity", "");
    std::string summary = a.value("summary", "");
    summary += alert_notes(a, opt.now);
    t.rows.push_back({cell(a.value("rule", "")), cell(a.value("service", "")), {sev, paint(sev, health_color(sev), opt.color)},
                      cell(a.value("state", "")), cell(seconds(member(a, "since"))), cell(summary)});
  }
  return t.render();
}

}  // namespace vigil
