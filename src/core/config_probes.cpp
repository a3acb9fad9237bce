// The health-check keys of a service in vigil.toml: probes, ready = "probe:NAME", ready_log,
// log_match (config_probes.hpp). Part of the config reader; every error names file, line, column
// and the table and key it is about.
#include "config_probes.hpp"

#include <algorithm>
#include <sstream>

#include "vigil/pattern.hpp"
#include "vigil/probe_check.hpp"
#include "vigil/suggest.hpp"

namespace vigil {

namespace {

const std::vector<std::string> kProbeKeys = {"type",    "url",           "status",           "body",
                                             "address", "command",       "period",           "timeout",
                                             "initial_delay", "failure_threshold", "success_threshold",
                                             "startup", "start_timeout"};

// Which keys belong to which type: a key of another type is a mistake worth naming.
const char* owner_of(const std::string& key) {
  if (key == "url" || key == "status" || key == "body") return "http";
  if (key == "address") return "tcp";
  if (key == "command") return "exec";
  return nullptr;
}

std::string words_of(const std::string& cmd) {
  std::istringstream in(cmd);
  std::string word, out;
  while (in >> word) out += (out.empty() ? "\"" : ", \"") + word + "\"";
  return "[" + out + "]";
}

void read_probe(const std::string& service, const std::string& name, const Value& table, ServiceSpec& s,
                const std::string& path, Diagnostics& diags) {
  Fields f(table, "[service." + service + ".probe." + name + "]", path, diags, kProbeKeys);
  ProbeSpec p;
  p.name = name;
  p.line = static_cast<std::uint32_t>(table.location().line());
  auto kind = f.choice<ProbeKind>("type", {{"http", ProbeKind::Http}, {"tcp", ProbeKind::Tcp}, {"exec", ProbeKind::Exec}});
  if (!kind) {
    if (!f.get("type")) f.error_here("type is required: type = \"http\", \"tcp\" or \"exec\"");
    return;
  }
  p.kind = *kind;
  std::string type(to_string(p.kind));
  for (const char* key : {"url", "status", "body", "address", "command"}) {
    const char* owner = owner_of(key);
    if (f.get(key) && type != owner)
      f.error_at(*f.get(key), key, std::string("is for type = \"") + owner + "\" probes; this one is type = \"" + type + "\"");
  }
  std::string err;
  switch (p.kind) {
    case ProbeKind::Http:
      if (auto u = f.str("url")) {
        if (!parse_http_url(*u, &err)) f.error_at(*f.get("url"), "url", err);
        p.url = *u;
      } else if (!f.get("url")) {
        f.error_here("url is required for an http probe, e.g. url = \"http://127.0.0.1:8080/healthz\"");
      }
      if (auto st = f.integer("status", 100, 599)) p.status = static_cast<int>(*st);
      if (auto b = f.str("body")) {
        if (!Pattern::compile(*b, &err)) f.error_at(*f.get("body"), "body", "not a valid regular expression: " + err);
        p.body = *b;
      }
      break;
    case ProbeKind::Tcp:
      if (auto a = f.str("address")) {
        if (!parse_host_port(*a, &err)) f.error_at(*f.get("address"), "address", err);
        p.address = *a;
      } else if (!f.get("address")) {
        f.error_here("address is required for a tcp probe, e.g. address = \"127.0.0.1:6379\"");
      }
      break;
    case ProbeKind::Exec:
      if (const Value* c = f.get("command")) {
        if (c->is_string()) {
          f.error_at(*c, "command", "must be an array of arguments, no shell is used: command = " + words_of(c->as_string().str));
        } else if (auto argv = f.strings("command")) {
          if (argv->empty() || (*argv)[0].empty())
            f.error_at(*c, "command", "must name a program: command = [\"program\", \"arg\", ...]");
          else
            p.command = *argv;
        }
      } else {
        f.error_here("command is required for an exec probe, e.g. command = [\"redis-cli\", \"ping\"]");
      }
      break;
  }
  auto positive = [&](const char* key, std::chrono::milliseconds* out) {
    if (auto d = f.duration(key)) {
      if (d->count() <= 0) f.error_at(*f.get(key), key, "must be greater than 0");
      else *out = std::chrono::duration_cast<std::chrono::milliseconds>(*d);
    }
  };
  positive("period", &p.period);
  positive("timeout", &p.timeout);
  if (auto d = f.duration("initial_delay")) p.initial_delay = std::chrono::duration_cast<std::chrono::milliseconds>(*d);
  if (auto n = f.integer("failure_threshold", 1, 1000)) p.failure_threshold = static_cast<int>(*n);
  if (auto n = f.integer("success_threshold", 1, 1000)) p.success_threshold = static_cast<int>(*n);
  if (auto b = f.boolean("startup")) p.startup = *b;
  if (f.get("start_timeout")) {
    if (!p.startup) f.error_at(*f.get("start_timeout"), "start_timeout", "only a startup = true probe has a start_timeout");
    else positive("start_timeout", &p.start_timeout);
  }
  s.probes.push_back(std::move(p));
}

}  // namespace

bool valid_check_name(const std::string& n) {
  if (n.empty() || n.size() > 64 || !((n[0] >= 'a' && n[0] <= 'z') || n[0] == '_')) return false;
  return std::all_of(n.begin(), n.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

void read_health_checks(Fields& f, const Value& table, ServiceSpec& s, const std::string& path, Diagnostics& diags) {
  (void)table;
  const std::string ctx = "[service." + s.name + "]";
  if (const Value* probes = f.get("probe")) {
    if (!probes->is_table()) {
      f.error_at(*probes, "probe", "expected tables: [service." + s.name + ".probe.NAME] with type = \"http\", ...");
    } else {
      for (const auto& [name, pt] : probes->as_table()) {
        if (!valid_check_name(name)) {
          f.error_at(pt, "probe", "invalid probe name '" + name +
                                      "': it becomes the metric probe." + name +
                                      ", so use lower-case letters, digits and '_' (starting with a letter)");
          continue;
        }
        if (!pt.is_table()) {
          f.error_at(pt, "probe." + name, "expected a table: [service." + s.name + ".probe." + name + "]");
          continue;
        }
        read_probe(s.name, name, pt, s, path, diags);
      }
      std::sort(s.probes.begin(), s.probes.end(), [](const ProbeSpec& a, const ProbeSpec& b) { return a.name < b.name; });
      int startups = 0;
      for (const ProbeSpec& p : s.probes)
        if (p.startup && ++startups == 2)
          diags.push_back({path, p.line, 1,
                           "[service." + s.name + ".probe." + p.name +
                               "] startup: a service has at most one startup probe (it holds the others until it passes)"});
    }
  }
  if (s.ready == ReadyMode::Probe) {
    std::vector<std::string> names;
    for (const ProbeSpec& p : s.probes) names.push_back(p.name);
    if (!s.probe(s.ready_probe))
      f.error_at(*f.get("ready"), "ready",
                 "\"probe:" + s.ready_probe + "\" names no probe of this service" + did_you_mean(s.ready_probe, names) +
                     (names.empty() ? " (add [service." + s.name + ".probe." + s.ready_probe + "])" : ""));
  }
  if (auto r = f.str("ready_log")) {
    std::string err;
    if (r->empty()) f.error_at(*f.get("ready_log"), "ready_log", "must not be empty");
    else if (!Pattern::compile(*r, &err)) f.error_at(*f.get("ready_log"), "ready_log", "not a valid regular expression: " + err);
    else if (f.get("ready")) f.error_at(*f.get("ready_log"), "ready_log", "replaces ready: give one of ready and ready_log");
    else {
      s.ready_log = *r;
      s.ready = ReadyMode::Log;
    }
  }
  if (const Value* lm = f.get("log_match")) {
    if (!lm->is_table()) {
      f.error_at(*lm, "log_match", "expected a table: log_match = { errors = \"ERROR|Traceback\" }");
    } else {
      for (const auto& [name, v] : lm->as_table()) {
        std::string err;
        if (!valid_check_name(name))
          f.error_at(v, "log_match", "invalid counter name '" + name + "': it becomes the metric log." + name +
                                         ", so use lower-case letters, digits and '_'");
        else if (!v.is_string())
          f.error_at(v, "log_match." + name, "expected a regular expression string, got " + Fields::type_name(v));
        else if (v.as_string().str.empty())
          f.error_at(v, "log_match." + name, "must not be empty (it would match every line)");
        else if (!Pattern::compile(v.as_string().str, &err))
          f.error_at(v, "log_match." + name, "not a valid regular expression: " + err);
        else
          s.log_match.emplace_back(name, v.as_string().str);
      }
      std::sort(s.log_match.begin(), s.log_match.end());
    }
  }
  (void)ctx;
}

}  // namespace vigil
