// The toml11 adapter for vigil.toml: the only file that includes toml11 for the config.
// Reads every key into typed values and collects every problem with its position.
#include "vigil/config.hpp"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <toml.hpp>

#include <boost/asio/ip/address.hpp>

#include "vigil/metrics.hpp"
#include "vigil/signal_names.hpp"
#include "vigil/suggest.hpp"
#include "config_jobs.hpp"
#include "config_run.hpp"
#include "toml_fields.hpp"
#include "config_probes.hpp"
#include "vigil/toml_errors.hpp"
#include "vigil/toml_guard.hpp"
#include "vigil/trusted_file.hpp"

namespace vigil {

std::string HttpListen::str() const {
  switch (kind) {
    case Kind::Off: return "off";
    case Kind::Unix: return "unix:" + path;
    case Kind::Tcp:
      return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
  }
  return "?";
}

std::optional<HttpListen> parse_http_listen(const std::string& text, std::string* err) {
  HttpListen l;
  if (text == "off") return l;
  std::string host, port;
  std::size_t colon = text.rfind(':');
  if (!text.empty() && text[0] == '[') {
    std::size_t close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') colon = std::string::npos;
    else host = text.substr(1, close - 1);
  } else if (colon != std::string::npos) {
    host = text.substr(0, colon);
    if (host.find(':') != std::string::npos) colon = std::string::npos;  // IPv6 needs brackets
  }
  const char* hint = "expected \"HOST:PORT\" with an IP address (\"127.0.0.1:9464\", \"[::1]:9464\"), "
                     "a unix socket path, or \"off\"";
  if (colon == std::string::npos) {
    *err = hint;
    return std::nullopt;
  }
  port = text.substr(colon + 1);
  boost::system::error_code ec;
  boost::asio::ip::address addr = boost::asio::ip::make_address(host, ec);
  if (ec) {
    *err = "'" + host + "' is not an IP address; " + hint;
    return std::nullopt;
  }
  unsigned long n = 0;
  bool digits = !port.empty() && port.size() <= 5 &&
                std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (digits) n = std::stoul(port);
  if (!digits || n < 1 || n > 65535) {
    *err = "port '" + port + "' is not a number from 1 to 65535";
    return std::nullopt;
  }
  l.kind = HttpListen::Kind::Tcp;
  l.host = addr.to_string();
  l.port = static_cast<std::uint16_t>(n);
  l.loopback = addr.is_loopback();
  return l;
}

namespace {

const std::vector<std::string> kTopKeys = {"vigil", "store", "service", "job"};
const std::vector<std::string> kVigilKeys = {"sample_interval", "log_max_size", "log_keep", "log_overflow",
                                             "rules",           "log_dir",      "socket",   "journal",
                                             "http",            "http_token_file", "textfile", "external_url",
                                             "max_parallel_jobs", "history_retention", "cgroups"};
const std::vector<std::string> kStoreKeys = {"url", "timeout"};
const std::vector<std::string> kServiceKeys = {
    "command",        "cwd",           "env",          "after",           "ready",
    "start_timeout",  "restart",       "restart_delay", "backoff_max",    "stable_after",
    "start_limit_burst", "start_limit_interval", "failed_retry", "restart_prevent_exit_codes",
    "stop_signal",    "stop_timeout",  "watchdog",     "health_grace",    "freshness",
    "metrics",        "probe",         "ready_log",    "log_match"};

bool valid_service_name(const std::string& n) {
  if (n.empty() || n.size() > 64) return false;
  auto ok_first = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); };
  if (!ok_first(n[0])) return false;
  return std::all_of(n.begin(), n.end(), [&](char c) { return ok_first(c) || c == '-' || c == '_' || c == '.' || c == '@'; });
}

bool valid_metric_name(const std::string& n) {
  if (n.empty() || !((n[0] >= 'a' && n[0] <= 'z') || n[0] == '_')) return false;
  return std::all_of(n.begin(), n.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}


// "python3 -u x.py" → ["python3", "-u", "x.py"], to show the array form in the error.
std::string as_array_literal(const std::string& cmd) {
  std::istringstream in(cmd);
  std::string word, out;
  while (in >> word) out += (out.empty() ? "\"" : ", \"") + word + "\"";
  return "[" + out + "]";
}

class ConfigReader {
 public:
  ConfigReader(const std::string& path, const EnvLookup& env, Diagnostics& diags)
      : path_(path), base_dir_(parent_dir(path)), env_(env), diags_(diags) {
    if (base_dir_.empty() || base_dir_[0] != '/') {
      std::string err;
      base_dir_ = *expand_path(base_dir_, std::filesystem::current_path().string(), env_, &err);
    }
    while (base_dir_.size() > 1 && base_dir_.back() == '/') base_dir_.pop_back();
  }

  Config read(const Value& root) {
    Config cfg;
    cfg.path = path_;
    Fields top(root, "top level", path_, diags_, kTopKeys);
    read_vigil(root, cfg);
    if (const Value* s = top.get("store")) read_store(*s, cfg);
    if (const Value* svc = top.get("service")) read_services(*svc, cfg);
    if (const Value* jobs = top.get("job")) read_jobs(*jobs, cfg, path_, base_dir_, env_, diags_);
    check_after(cfg);
    check_jobs(root, cfg, path_, diags_);
    return cfg;
  }

 private:
  std::optional<std::string> path_value(Fields& f, const std::string& key) {
    auto s = f.str(key);
    if (!s) return std::nullopt;
    std::string err;
    auto p = expand_path(*s, base_dir_, env_, &err);
    if (!p) f.error_at(*f.get(key), key, err);
    return p;
  }

  void read_vigil(const Value& root, Config& cfg) {
    VigilSpec& v = cfg.vigil;
    std::string state_dir = default_state_dir(env_);
    v.log_dir = state_dir + "/logs";
    v.socket = default_socket_path(env_);
    std::string default_rules = base_dir_ + "/rules.toml";
    if (std::ifstream(default_rules).good()) v.rules = default_rules;

    const auto& t = root.as_table();
    auto it = t.find("vigil");
    if (it == t.end()) return;
    if (!it->second.is_table()) {
      auto loc = it->second.location();
      diags_.push_back({path_, static_cast<std::uint32_t>(loc.line()), static_cast<std::uint32_t>(loc.column()),
                        "[vigil] must be a table"});
      return;
    }
    Fields f(it->second, "[vigil]", path_, diags_, kVigilKeys);
    if (auto d = f.duration("sample_interval")) {
      if (d->count() < 10)
        f.error_at(*f.get("sample_interval"), "sample_interval", "must be at least 10ms");
      else
        v.sample_interval = *d;
    }
    if (auto s = f.size("log_max_size")) {
      if (*s < 1000)
        f.error_at(*f.get("log_max_size"), "log_max_size", "must be at least 1KB");
      else
        v.log_max_size = *s;
    }
    if (auto n = f.integer("log_keep", 0, 1000)) v.log_keep = static_cast<int>(*n);
    if (auto o = f.choice<OverflowPolicy>("log_overflow", {{"block", OverflowPolicy::Block}, {"drop", OverflowPolicy::Drop}}))
      v.log_overflow = *o;
    if (auto p = path_value(f, "rules")) v.rules = *p;
    if (auto p = path_value(f, "log_dir")) v.log_dir = *p;
    if (auto p = path_value(f, "socket")) v.socket = *p;
    if (auto j = f.boolean("journal")) v.journal = *j;
    if (auto c = f.boolean("cgroups")) v.cgroups = *c;
    if (auto n = f.integer("max_parallel_jobs", 1, 10'000)) v.max_parallel_jobs = static_cast<int>(*n);
    if (auto d = f.duration("history_retention")) positive(f, "history_retention", *d, &v.history_retention);
    read_http(f, v);
  }

  void read_http(Fields& f, VigilSpec& v) {
    if (auto h = f.str("http")) {
      std::string text = *h, err;
      if (!text.empty() && (text[0] == '/' || text[0] == '~' || text[0] == '$' || text[0] == '.')) {
        if (auto p = path_value(f, "http")) {
          v.http = HttpListen{};
          v.http.kind = HttpListen::Kind::Unix;
          v.http.path = *p;
        }
      } else if (auto l = parse_http_listen(text, &err)) {
        v.http = *l;
      } else {
        f.error_at(*f.get("http"), "http", err);
      }
    }
    if (auto p = path_value(f, "http_token_file")) {
      v.http_token_file = *p;
      std::error_code ec;
      if (!std::filesystem::is_regular_file(*p, ec))
        f.error_at(*f.get("http_token_file"), "http_token_file", "no such file: " + *p);
    }
    if (auto p = path_value(f, "textfile")) {
      if (p->size() < 5 || p->compare(p->size() - 5, 5, ".prom") != 0)
        f.error_at(*f.get("textfile"), "textfile",
                   "must end in .prom (node_exporter's textfile collector reads only those)");
      v.textfile = *p;
    }
    if (auto u = f.str("external_url")) {
      if (u->rfind("http://", 0) != 0 && u->rfind("https://", 0) != 0)
        f.error_at(*f.get("external_url"), "external_url", "expected an http:// or https:// URL");
      v.external_url = *u;
    }
    if (v.http.kind == HttpListen::Kind::Tcp && !v.http.loopback && v.http_token_file.empty()) {
      const Value* at = f.get("http");
      std::string msg = "listening on " + v.http.str() +
                        " (not loopback) needs http_token_file: a bearer token every request must carry";
      if (at) f.error_at(*at, "http", msg);
    }
  }

  void read_store(const Value& s, Config& cfg) {
    if (!s.is_table()) {
      auto loc = s.location();
      diags_.push_back({path_, static_cast<std::uint32_t>(loc.line()), static_cast<std::uint32_t>(loc.column()),
                        "[store] must be a table"});
      return;
    }
    Fields f(s, "[store]", path_, diags_, kStoreKeys);
    StoreSpec store;
    if (auto u = f.str("url")) {
      if (u->rfind("redis://", 0) != 0 && u->rfind("unix:", 0) != 0)
        f.error_at(*f.get("url"), "url",
                   "expected \"redis://[:password@]host:port/db\" or \"unix:/path/redis.sock\", got \"" + *u + "\"");
      store.url = *u;
      if (u->rfind("unix:", 0) == 0) {
        // The socket path is a path like any other in this file: ~, $VAR, relative to this folder.
        std::string rest = u->substr(5), query;
        if (auto q = rest.find('?'); q != std::string::npos) {
          query = rest.substr(q);
          rest = rest.substr(0, q);
        }
        std::string err;
        auto p = expand_path(rest, base_dir_, env_, &err);
        if (!p) f.error_at(*f.get("url"), "url", err);
        else store.url = "unix:" + *p + query;
      }
    } else if (!f.get("url")) {
      f.error_here("url is required (e.g. url = \"redis://127.0.0.1:6379/0\")");
    }
    if (auto d = f.duration("timeout")) {
      if (d->count() <= 0)
        f.error_at(*f.get("timeout"), "timeout", "must be greater than 0");
      else
        store.timeout = *d;
    }
    cfg.store = store;
  }

  void read_services(const Value& services, Config& cfg) {
    if (!services.is_table()) {
      auto loc = services.location();
      diags_.push_back({path_, static_cast<std::uint32_t>(loc.line()), static_cast<std::uint32_t>(loc.column()),
                        "service must be a table of [service.NAME] tables"});
      return;
    }
    for (const auto& [name, table] : services.as_table()) {
      auto loc = table.location();
      std::uint32_t line = static_cast<std::uint32_t>(loc.line());
      if (!table.is_table()) {
        diags_.push_back({path_, line, static_cast<std::uint32_t>(loc.column()),
                          "service." + name + " must be a table: [service." + name + "]"});
        continue;
      }
      if (!valid_service_name(name)) {
        diags_.push_back({path_, line, 1,
                          "[service." + name + "]: invalid service name '" + name +
                              "': use letters, digits, '-', '_', '.', '@' (at most 64, starting with a letter or digit)"});
        continue;
      }
      ServiceSpec spec = read_service(name, table);
      spec.line = line;
      cfg.services.push_back(std::move(spec));
    }
    std::sort(cfg.services.begin(), cfg.services.end(),
              [](const ServiceSpec& a, const ServiceSpec& b) { return a.line < b.line; });
  }

  ServiceSpec read_service(const std::string& name, const Value& table) {
    ServiceSpec s;
    s.name = name;
    s.cwd = base_dir_;
    std::vector<std::string> keys = kServiceKeys;
    keys.insert(keys.end(), run_setting_keys().begin(), run_setting_keys().end());
    keys.insert(keys.end(), hook_keys().begin(), hook_keys().end());
    Fields f(table, "[service." + name + "]", path_, diags_, keys);
    read_hooks(f, "[service." + name + "]", path_, s.hooks, diags_);

    if (const Value* c = f.get("command")) {
      if (c->is_string()) {
        f.error_at(*c, "command",
                   "must be an array of arguments, no shell is used: command = " + as_array_literal(c->as_string().str));
      } else if (auto argv = f.strings("command")) {
        if (argv->empty() || (*argv)[0].empty())
          f.error_at(*c, "command", "must name a program: command = [\"program\", \"arg\", ...]");
        else
          s.command = *argv;
      }
    } else {
      f.error_here("command is required, e.g. command = [\"python3\", \"-u\", \"bridge.py\"]");
    }
    if (auto p = path_value(f, "cwd")) s.cwd = *p;
    if (const Value* e = f.get("env")) {
      if (!e->is_table()) {
        f.error_at(*e, "env", "expected a table of strings, e.g. env = { SCAN_DIR = \"/srv/scans\" }");
      } else {
        for (const auto& [k, v] : e->as_table()) {
          if (!v.is_string())
            f.error_at(v, "env." + k, "expected a string, got " + Fields::type_name(v) + " (quote it: \"...\")");
          else if (k.empty() || k.find('=') != std::string::npos)
            f.error_at(v, "env", "invalid variable name '" + k + "'");
          else
            s.env.emplace_back(k, v.as_string().str);
        }
        std::sort(s.env.begin(), s.env.end());
      }
    }
    read_run_settings(f, base_dir_, env_, s.env, s.run, diags_);
    if (auto a = f.strings("after")) {
      s.after = *a;
      after_locations_[name] = f.get("after");
    }
    if (const Value* rv = f.get("ready"); rv && rv->is_string() && rv->as_string().str.rfind("probe:", 0) == 0) {
      s.ready = ReadyMode::Probe;
      s.ready_probe = rv->as_string().str.substr(6);
    } else if (auto m = f.choice<ReadyMode>("ready", {{"started", ReadyMode::Started}, {"notify", ReadyMode::Notify},
                                                      {"probe:NAME", ReadyMode::Probe}})) {
      if (*m == ReadyMode::Probe)
        f.error_at(*f.get("ready"), "ready", "name the probe: ready = \"probe:http\" for [service." + name + ".probe.http]");
      else
        s.ready = *m;
    }
    if (auto d = f.duration("start_timeout")) positive(f, "start_timeout", *d, &s.start_timeout);

    RestartPolicy& rp = s.restart;
    if (auto m = f.choice<RestartMode>("restart", {{"always", RestartMode::Always},
                                                    {"on-failure", RestartMode::OnFailure},
                                                    {"never", RestartMode::Never}}))
      rp.mode = *m;
    if (auto d = f.duration("restart_delay")) rp.restart_delay = *d;
    if (auto d = f.duration("backoff_max")) rp.backoff_max = *d;
    if (f.get("restart_delay") && f.get("backoff_max") && rp.restart_delay > rp.backoff_max)
      f.error_at(*f.get("restart_delay"), "restart_delay",
                 format_duration(rp.restart_delay) + " is longer than backoff_max (" + format_duration(rp.backoff_max) + ")");
    else if (rp.restart_delay > rp.backoff_max)
      rp.backoff_max = rp.restart_delay;  // only restart_delay given: the cap follows it
    if (auto d = f.duration("stable_after")) rp.stable_after = *d;
    if (auto n = f.integer("start_limit_burst", 1, 1'000'000)) rp.start_limit_burst = static_cast<int>(*n);
    if (auto d = f.duration("start_limit_interval")) positive(f, "start_limit_interval", *d, &rp.start_limit_interval);
    bool never = false;
    auto retry = f.duration("failed_retry", true, &never);
    if (never) rp.failed_retry.reset();
    else if (retry) {
      if (retry->count() <= 0) f.error_at(*f.get("failed_retry"), "failed_retry", "must be greater than 0, or \"never\"");
      else rp.failed_retry = *retry;
    }
    if (const Value* codes = f.get("restart_prevent_exit_codes")) {
      if (!codes->is_array()) {
        f.error_at(*codes, "restart_prevent_exit_codes", "expected an array of exit codes, e.g. [78]");
      } else {
        for (const Value& c : codes->as_array())
          if (auto n = f.integer_value(c, "restart_prevent_exit_codes", 0, 255)) rp.prevent_exit_codes.push_back(static_cast<int>(*n));
      }
    }

    if (const Value* sig = f.get("stop_signal")) {
      std::optional<int> n;
      if (sig->is_integer()) {
        n = f.integer_value(*sig, "stop_signal", 1, 64);
      } else if (sig->is_string()) {
        n = parse_signal(sig->as_string().str);
        if (!n) f.error_at(*sig, "stop_signal", "unknown signal \"" + sig->as_string().str + "\" (e.g. \"TERM\", \"SIGINT\", \"15\")");
      } else {
        f.error_at(*sig, "stop_signal", "expected a signal name like \"TERM\", got " + Fields::type_name(*sig));
      }
      if (n) s.stop_signal = *n;
    }
    if (auto d = f.duration("stop_timeout")) positive(f, "stop_timeout", *d, &s.stop_timeout);
    if (auto d = f.duration("watchdog")) {
      if (d->count() <= 0) f.error_at(*f.get("watchdog"), "watchdog", "must be greater than 0");
      else s.watchdog = *d;
    }
    if (auto d = f.duration("health_grace")) s.health_grace = *d;
    if (const Value* fr = f.get("freshness")) read_freshness(f, *fr, s);
    if (const Value* m = f.get("metrics")) read_metrics(f, *m, s);
    read_health_checks(f, table, s, path_, diags_);
    return s;
  }

  void positive(Fields& f, const std::string& key, Duration d, Duration* out) {
    if (d.count() <= 0) f.error_at(*f.get(key), key, "must be greater than 0");
    else *out = d;
  }

  void read_freshness(Fields& parent, const Value& v, ServiceSpec& s) {
    if (!v.is_table()) {
      parent.error_at(v, "freshness", "expected a table: freshness = { key = \"latest_scan\", field = \"ts\", format = \"unix\" }");
      return;
    }
    Fields f(v, "[service." + s.name + "] freshness", path_, diags_, {"key", "field", "format"});
    Freshness fr;
    if (auto k = f.str("key")) fr.key = *k;
    else if (!f.get("key")) f.error_here("key is required");
    if (auto fi = f.str("field")) fr.field = *fi;
    if (auto fmt = f.choice<FreshnessFormat>("format", {{"unix", FreshnessFormat::Unix},
                                                         {"unix_ms", FreshnessFormat::UnixMs},
                                                         {"iso8601", FreshnessFormat::Iso8601},
                                                         {"stream", FreshnessFormat::Stream}}))
      fr.format = *fmt;
    if (fr.format == FreshnessFormat::Stream && !fr.field.empty())
      f.error_at(*f.get("field"), "field", "format = \"stream\" takes its time from the last entry ID: remove field");
    s.freshness = fr;
  }

  void read_metrics(Fields& parent, const Value& v, ServiceSpec& s) {
    if (!v.is_table()) {
      parent.error_at(v, "metrics", "expected a table: metrics = { lag = { key = \"latest_scan\", field = \"lag_s\" } }");
      return;
    }
    for (const auto& [name, m] : v.as_table()) {
      if (!valid_metric_name(name)) {
        parent.error_at(m, "metrics", "invalid metric name '" + name + "': use lower-case letters, digits and '_'");
        continue;
      }
      if (find_metric(name)) {  // a custom metric must not shadow a built-in one
        parent.error_at(m, "metrics", "'" + name + "' is a built-in metric; choose another name");
        continue;
      }
      if (!m.is_table()) {
        parent.error_at(m, "metrics." + name, "expected { key = \"...\", field = \"...\" }");
        continue;
      }
      Fields f(m, "[service." + s.name + "] metrics." + name, path_, diags_, {"key", "field"});
      StoreMetric sm;
      if (auto k = f.str("key")) sm.key = *k;
      else if (!f.get("key")) f.error_here("key is required");
      if (auto fi = f.str("field")) sm.field = *fi;
      s.metrics[name] = sm;
    }
  }

  void error_after(const std::string& svc, const std::string& msg) {
    const Value* v = after_locations_[svc];
    auto loc = v->location();
    diags_.push_back({path_, static_cast<std::uint32_t>(loc.line()), static_cast<std::uint32_t>(loc.column()),
                      "[service." + svc + "] after: " + msg});
  }

  void check_after(const Config& cfg) {
    std::vector<std::string> names;
    for (const auto& s : cfg.services) names.push_back(s.name);
    bool all_known = true;
    for (const auto& s : cfg.services) {
      for (const auto& dep : s.after) {
        if (dep == s.name) {
          error_after(s.name, "a service cannot wait for itself");
          all_known = false;
        } else if (!cfg.find(dep)) {
          error_after(s.name, "unknown service '" + dep + "'" + did_you_mean(dep, names));
          all_known = false;
        }
      }
    }
    if (!all_known) return;
    // Depth-first search for a cycle; report it once, at the first service on it.
    std::map<std::string, int> mark;  // 0 new, 1 on stack, 2 done
    std::vector<std::string> stack;
    std::function<bool(const ServiceSpec&)> visit = [&](const ServiceSpec& s) {
      mark[s.name] = 1;
      stack.push_back(s.name);
      for (const auto& dep : s.after) {
        if (mark[dep] == 1) {
          std::string cycle;
          auto from = std::find(stack.begin(), stack.end(), dep);
          for (auto it = from; it != stack.end(); ++it) cycle += *it + " -> ";
          error_after(dep, "dependency cycle: " + cycle + dep);
          return true;
        }
        if (mark[dep] == 0 && visit(*cfg.find(dep))) return true;
      }
      stack.pop_back();
      mark[s.name] = 2;
      return false;
    };
    for (const auto& s : cfg.services)
      if (mark[s.name] == 0 && visit(s)) return;
  }

  std::string path_;
  std::string base_dir_;
  const EnvLookup& env_;
  Diagnostics& diags_;
  std::map<std::string, const Value*> after_locations_;
};

ConfigResult finish(const Value& root, const std::string& path, const EnvLookup& env) {
  ConfigResult r;
  ConfigReader reader(path, env, r.errors);
  Config cfg = reader.read(root);
  if (cfg.services.empty() && cfg.jobs.empty() && r.errors.empty())
    r.errors.push_back({path, 0, 0, "no services or jobs defined: add at least one [service.NAME] or [job.NAME] table with a command"});
  sort_diagnostics(r.errors);
  if (r.errors.empty()) r.config = std::move(cfg);
  return r;
}

}  // namespace

bool ServiceSpec::operator==(const ServiceSpec& o) const {
  auto key = [](const ServiceSpec& s) {
    std::ostringstream k;
    for (auto& a : s.command) k << a << '\0';
    k << '|' << s.cwd << '|';
    for (auto& [n, v] : s.env) k << n << '=' << v << '\0';
    k << '|';
    for (auto& a : s.after) k << a << ',';
    const RestartPolicy& r = s.restart;
    k << '|' << int(s.ready) << s.start_timeout.count() << '|' << int(r.mode) << ',' << r.restart_delay.count()
      << ',' << r.backoff_max.count() << ',' << r.stable_after.count() << ',' << r.start_limit_burst << ','
      << r.start_limit_interval.count() << ',' << (r.failed_retry ? r.failed_retry->count() : -1) << ',';
    for (int c : r.prevent_exit_codes) k << c << ',';
    k << '|' << s.stop_signal << ',' << s.stop_timeout.count() << ',' << (s.watchdog ? s.watchdog->count() : -1)
      << ',' << s.health_grace.count() << '|';
    if (s.freshness) k << s.freshness->key << ',' << s.freshness->field << ',' << int(s.freshness->format);
    for (auto& [n, m] : s.metrics) k << '|' << n << ',' << m.key << ',' << m.field;
    k << '|' << s.ready_probe << '|' << s.ready_log << '|';
    for (auto& [n, m] : s.log_match) k << n << '=' << m << '\0';
    return k.str();
  };
  return name == o.name && run == o.run && hooks == o.hooks && key(*this) == key(o) && probes == o.probes;
}

std::map<std::string, MetricType> Config::declared_metrics() const {
  std::map<std::string, MetricType> out;
  for (const ServiceSpec& s : services) {
    for (const auto& [name, spec] : s.metrics) out[name] = MetricType::Plain;
    for (const ProbeSpec& p : s.probes) {
      out["probe." + p.name] = MetricType::Bool;
      out["probe_latency." + p.name] = MetricType::Duration;
      out["probe_failures." + p.name] = MetricType::Plain;
    }
    for (const auto& [name, pattern] : s.log_match) out["log." + name] = MetricType::Plain;
  }
  return out;
}

const JobSpec* Config::find_job(const std::string& name) const {
  for (const auto& j : jobs)
    if (j.name == name) return &j;
  return nullptr;
}

const ProbeSpec* ServiceSpec::probe(const std::string& probe_name) const {
  for (const ProbeSpec& p : probes)
    if (p.name == probe_name) return &p;
  return nullptr;
}

const ServiceSpec* Config::find(const std::string& name) const {
  for (const auto& s : services)
    if (s.name == name) return &s;
  return nullptr;
}

ConfigResult load_config(const std::string& path, const EnvLookup& env) {
  TrustedRead file = read_trusted_file(path, "config");
  if (file.error) {
    ConfigResult r;
    r.errors.push_back(*file.error);
    return r;
  }
  return parse_config(file.text, path, env);
}

ConfigResult parse_config(const std::string& text, const std::string& path, const EnvLookup& env) {
  if (auto problem = check_toml_input(text, path)) {
    ConfigResult r;
    r.errors.push_back(*problem);
    return r;
  }
  std::istringstream in(text);
  Value root;
  try {
    root = toml::parse(in, path);
  } catch (const toml::exception& e) {
    ConfigResult r;
    r.errors.push_back(diagnostic_from_toml_error(e.what(), path, static_cast<std::uint32_t>(e.location().line())));
    return r;
  } catch (const std::exception& e) {
    ConfigResult r;
    r.errors.push_back({path, 0, 0, e.what()});
    return r;
  }
  return finish(root, path, env);
}

}  // namespace vigil
