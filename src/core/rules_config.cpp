// The toml11 reader for rules.toml (with toml_fields.hpp). Pure apart from reading the file.
#include "vigil/rules_config.hpp"

#include <algorithm>
#include <cctype>
#include <set>
#include <cstring>
#include <filesystem>
#include <sstream>

#include "toml_fields.hpp"
#include "vigil/builtin_alerts.hpp"
#include "vigil/toml_errors.hpp"
#include "vigil/toml_guard.hpp"
#include "vigil/trusted_file.hpp"

namespace vigil {

std::string_view to_string(RuleAction a) {
  switch (a) {
    case RuleAction::None: return "none";
    case RuleAction::Restart: return "restart";
    case RuleAction::Stop: return "stop";
  }
  return "?";
}

std::string_view to_string(NoDataPolicy p) {
  switch (p) {
    case NoDataPolicy::Keep: return "keep";
    case NoDataPolicy::Resolve: return "resolve";
    case NoDataPolicy::Fire: return "fire";
  }
  return "?";
}

bool glob_match(std::string_view p, std::string_view n) {
  // Iterative matcher with single-star backtracking.
  std::size_t pi = 0, ni = 0, star = std::string_view::npos, mark = 0;
  while (ni < n.size()) {
    if (pi < p.size() && (p[pi] == '?' || p[pi] == n[ni])) {
      ++pi;
      ++ni;
    } else if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = ni;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      ni = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

std::string render_summary(const std::string& tmpl, const std::map<std::string, std::string>& values) {
  std::string out;
  for (std::size_t i = 0; i < tmpl.size();) {
    if (tmpl[i] == '{') {
      std::size_t close = tmpl.find('}', i);
      if (close != std::string::npos) {
        auto it = values.find(tmpl.substr(i + 1, close - i - 1));
        if (it != values.end()) {
          out += it->second;
          i = close + 1;
          continue;
        }
      }
    }
    out += tmpl[i++];
  }
  return out;
}

bool Rule::applies_to(const std::string& service) const {
  if (job_rule()) return false;
  if (services.empty()) return true;
  for (const auto& g : services)
    if (glob_match(g, service)) return true;
  return false;
}

bool Rule::applies_to_job(const std::string& job) const {
  for (const auto& g : jobs)
    if (glob_match(g, job)) return true;
  return false;
}

bool Rule::same_definition(const Rule& o) const {
  return name == o.name && services == o.services && jobs == o.jobs && when_text == o.when_text && for_ == o.for_ &&
         severity == o.severity && action == o.action && notify == o.notify && summary == o.summary &&
         repeat == o.repeat && clear_when_text == o.clear_when_text && clear_for == o.clear_for &&
         no_data == o.no_data;
}

const Rule* RuleSet::find(const std::string& name) const {
  for (const auto& r : rules)
    if (r.name == name) return &r;
  return nullptr;
}

namespace {

const std::vector<std::string> kRulesTopKeys = {"rule", "inhibit", "notify", "builtin"};
const std::vector<std::string> kRuleKeys = {"name",   "services", "jobs", "when",       "for",       "severity", "action",
                                            "notify", "summary",  "repeat",     "clear_when", "clear_for", "no_data"};

bool valid_rule_name(const std::string& n) {
  if (n.empty() || n.size() > 64) return false;
  for (char c : n)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.'))
      return false;
  return true;
}

class RulesReader {
 public:
  RulesReader(const std::string& path, const std::vector<std::string>& services,
              const std::map<std::string, expr::Type>& custom, const std::vector<std::string>& jobs,
              Diagnostics& diags)
      : path_(path), services_(services), jobs_(jobs), custom_(custom), diags_(diags) {}

  RuleSet read(const Value& root) {
    RuleSet set;
    set.path = path_;
    set.custom_metrics = custom_;
    Fields top(root, "top level", path_, diags_, kRulesTopKeys);
    if (const Value* n = top.get("notify")) read_notifiers(top, *n, set);
    if (const Value* r = top.get("rule")) {
      if (!r->is_array()) top.error_at(*r, "rule", "rules are [[rule]] tables (note the double brackets)");
      else for (const Value& t : r->as_array()) read_rule(t, set);
    }
    if (const Value* b = top.get("builtin")) read_builtins(top, *b, set);
    if (const Value* i = top.get("inhibit")) {
      if (!i->is_array()) top.error_at(*i, "inhibit", "inhibitions are [[inhibit]] tables (note the double brackets)");
      else for (const Value& t : i->as_array()) read_inhibit(t, set);
    }
    return set;
  }

 private:
  void error(const Value& at, std::uint32_t column_offset, const std::string& msg) {
    auto loc = at.location();
    diags_.push_back({path_, static_cast<std::uint32_t>(loc.line()),
                      static_cast<std::uint32_t>(loc.column()) + column_offset, msg});
  }

  expr::NodePtr expression(Fields& f, const std::string& key, const std::string& ctx, std::string* text,
                           std::set<std::string>& metrics, WindowNeeds& windows,
                           expr::Subject subject = expr::Subject::Service) {
    auto s = f.str(key);
    if (!s) return nullptr;
    *text = *s;
    expr::Parsed p = expr::parse(*s, custom_, subject);
    if (p.error) {
      // The value's location is its opening quote: the expression's column 1 is one further.
      error(*f.get(key), p.error->column, ctx + " " + key + ": " + p.error->message);
      return nullptr;
    }
    metrics.insert(p.metrics.begin(), p.metrics.end());
    for (const auto& [m, w] : p.windows) windows[m] = std::max(windows[m], w);
    return p.root;
  }

  void read_rule(const Value& t, RuleSet& set) {
    if (!t.is_table()) return;
    Rule r;
    r.line = static_cast<std::uint32_t>(t.location().line());
    auto name = Fields(t, "[[rule]]", path_, diags_, kRuleKeys).str("name");  // for the context below
    std::string ctx = name ? "[[rule]] " + *name : "[[rule]]";
    Fields f(t, ctx, path_, diags_, kRuleKeys);
    if (name) {
      if (!valid_rule_name(*name)) f.error_at(*f.get("name"), "name", "use letters, digits, '_', '-', '.' (at most 64)");
      else if (set.find(*name)) f.error_at(*f.get("name"), "name", "another rule is already called '" + *name + "'");
      r.name = *name;
    } else if (!f.get("name")) {
      f.error_here("name is required, e.g. name = \"stale_data\"");
    }
    if (auto s = f.strings("services")) {
      r.services = *s;
      for (const auto& g : *s) {
        bool is_glob = g.find_first_of("*?") != std::string::npos;
        if (!is_glob && std::find(services_.begin(), services_.end(), g) == services_.end())
          f.error_at(*f.get("services"), "services", "unknown service '" + g + "'" + did_you_mean(g, services_));
      }
    }
    if (auto j = f.strings("jobs")) {
      r.jobs = *j;
      if (j->empty()) f.error_at(*f.get("jobs"), "jobs", "name at least one job (or a glob: jobs = [\"*\"])");
      if (f.get("services"))
        f.error_at(*f.get("jobs"), "jobs", "a rule looks at services or at jobs, not both: split it in two");
      for (const auto& g : *j) {
        bool is_glob = g.find_first_of("*?") != std::string::npos;
        if (!is_glob && std::find(jobs_.begin(), jobs_.end(), g) == jobs_.end())
          f.error_at(*f.get("jobs"), "jobs", "unknown job '" + g + "'" + did_you_mean(g, jobs_));
      }
    }
    expr::Subject subject = r.job_rule() ? expr::Subject::Job : expr::Subject::Service;
    r.when = expression(f, "when", ctx, &r.when_text, r.metrics, r.windows, subject);
    if (!f.get("when")) f.error_here("when is required, e.g. when = \"data_age > 60s\"");
    r.event = r.metrics.count("exit_code") || r.metrics.count("exit_signal");
    if (auto d = f.duration("for")) {
      r.for_ = *d;
      if (r.event && d->count() > 0)
        f.error_at(*f.get("for"), "for", "this is an event rule (it names exit_code/exit_signal): it fires once per "
                                         "exit, so `for` does not apply");
    }
    if (auto s = f.choice<Severity>("severity", {{"info", Severity::Info}, {"warning", Severity::Warning},
                                                  {"critical", Severity::Critical}}))
      r.severity = *s;
    if (auto a = f.choice<RuleAction>("action", {{"none", RuleAction::None}, {"restart", RuleAction::Restart},
                                                  {"stop", RuleAction::Stop}}))
      r.action = *a;
    if (r.job_rule() && r.action != RuleAction::None)
      f.error_at(*f.get("action"), "action", "a job rule cannot restart or stop: jobs run when they are due; "
                                             "`vigil cancel` stops a run");
    if (auto n = f.strings("notify")) {
      check_notify_targets(f, *n, set);
      r.notify = *n;
    }
    if (auto s = f.str("summary")) {
      r.summary = *s;
      check_placeholders(f, *s, ctx, r.job_rule());
    }
    if (auto d = f.duration("repeat")) {
      if (d->count() <= 0) f.error_at(*f.get("repeat"), "repeat", "must be greater than 0");
      else r.repeat = *d;
    }
    r.clear_when = expression(f, "clear_when", ctx, &r.clear_when_text, r.metrics, r.windows, subject);
    if (auto d = f.duration("clear_for")) r.clear_for = *d;
    else if (r.event && !f.get("clear_for")) r.clear_for = std::chrono::minutes(5);
    if (auto p = f.choice<NoDataPolicy>("no_data", {{"keep", NoDataPolicy::Keep}, {"resolve", NoDataPolicy::Resolve},
                                                     {"fire", NoDataPolicy::Fire}})) {
      r.no_data = *p;
      if (r.event && *p != NoDataPolicy::Keep)
        f.error_at(*f.get("no_data"), "no_data", "this is an event rule: it looks at exits, which always have a value");
    }
    for (const auto& m : r.metrics)
      if (const MetricDef* d = find_metric(m); (d && d->sampled) || custom_.count(m)) r.uses_health = true;
    if (r.summary.empty()) r.summary = (r.job_rule() ? "job {job}: " : "{service}: ") + r.name + " (" + r.when_text + ")";
    if (!r.name.empty() && r.when) set.rules.push_back(std::move(r));
  }

  void check_placeholders(Fields& f, const std::string& tmpl, const std::string& ctx, bool job_rule) {
    std::vector<std::string> known = {"service", "rule", "severity"};
    std::vector<std::string> builtin;
    if (job_rule) {
      known.push_back("job");
      for (const JobMetricDef& m : job_metric_table()) builtin.emplace_back(m.name);
    } else {
      known.push_back("restarts");
      for (const MetricDef& m : metric_table()) builtin.emplace_back(m.name);
    }
    std::sort(builtin.begin(), builtin.end());  // ties in "did you mean" go to the first name
    known.insert(known.end(), builtin.begin(), builtin.end());
    if (!job_rule)
      for (const auto& [n, t] : custom_) known.push_back(n);
    for (std::size_t i = tmpl.find('{'); i != std::string::npos; i = tmpl.find('{', i + 1)) {
      std::size_t close = tmpl.find('}', i);
      if (close == std::string::npos) break;
      std::string name = tmpl.substr(i + 1, close - i - 1);
      if (std::find(known.begin(), known.end(), name) == known.end())
        error(*f.get("summary"), static_cast<std::uint32_t>(i + 1),
              ctx + " summary: unknown placeholder {" + name + "}" + did_you_mean(name, known));
    }
  }

  void read_builtins(Fields& top, const Value& b, RuleSet& set) {
    if (!b.is_table()) {
      top.error_at(b, "builtin", "expected [builtin.NAME] tables, e.g. [builtin.service_failed]");
      return;
    }
    std::vector<std::string> known;
    for (const auto& def : builtin_alerts()) known.emplace_back(def.name);
    for (const auto& [name, t] : b.as_table()) {
      std::string ctx = "[builtin." + name + "]";
      const BuiltinAlert* def = find_builtin(name);
      if (!def) {
        top.error_at(t, "builtin." + name, "vigil has no built-in alert '" + name + "'" + did_you_mean(name, known));
        continue;
      }
      if (!t.is_table()) {
        top.error_at(t, "builtin." + name, "expected a table: " + ctx);
        continue;
      }
      std::vector<std::string> keys = {"severity", "notify", "disabled"};
      if (def->default_after) keys.push_back("after");
      Fields f(t, ctx, path_, diags_, keys);
      BuiltinSettings bs = default_builtin_settings(*def);
      if (auto s = f.choice<Severity>("severity", {{"info", Severity::Info}, {"warning", Severity::Warning},
                                                    {"critical", Severity::Critical}}))
        bs.severity = *s;
      if (auto n = f.strings("notify")) {
        check_notify_targets(f, *n, set);
        bs.notify = *n;
      }
      if (auto d = f.boolean("disabled")) bs.disabled = *d;
      if (auto d = f.duration("after")) {
        if (d->count() <= 0) f.error_at(*f.get("after"), "after", "must be greater than 0");
        else bs.after = *d;
      }
      set.builtins[name] = bs;
    }
  }

  void check_notify_targets(Fields& f, const std::vector<std::string>& targets, const RuleSet& set) {
    std::vector<std::string> known;
    for (const auto& ns : set.notifiers) known.push_back(ns.name);
    for (const auto& target : targets)
      if (std::find(known.begin(), known.end(), target) == known.end())
        f.error_at(*f.get("notify"), "notify", "no [notify." + target + "] is defined" + did_you_mean(target, known));
  }

  void read_inhibit(const Value& t, RuleSet& set) {
    if (!t.is_table()) return;
    Fields f(t, "[[inhibit]]", path_, diags_, {"source", "targets"});
    Inhibit in;
    std::vector<std::string> names;
    for (const auto& r : set.rules) names.push_back(r.name);
    for (const auto& def : builtin_alerts()) names.emplace_back(def.name);
    auto known = [&](const std::string& n) { return set.find(n) || find_builtin(n); };
    if (auto s = f.str("source")) {
      if (!known(*s)) f.error_at(*f.get("source"), "source", "no rule is called '" + *s + "'" + did_you_mean(*s, names));
      in.source = *s;
    } else if (!f.get("source")) {
      f.error_here("source is required: the rule whose firing keeps the targets quiet");
    }
    if (auto ts = f.strings("targets")) {
      for (const auto& target : *ts)
        if (!known(target))
          f.error_at(*f.get("targets"), "targets", "no rule is called '" + target + "'" + did_you_mean(target, names));
      in.targets = *ts;
    }
    set.inhibits.push_back(in);
  }

  void read_notifiers(Fields& top, const Value& n, RuleSet& set) {
    if (!n.is_table()) {
      top.error_at(n, "notify", "expected [notify.NAME] tables");
      return;
    }
    for (const auto& [name, t] : n.as_table()) {
      std::string ctx = "[notify." + name + "]";
      if (!t.is_table()) {
        top.error_at(t, "notify." + name, "expected a table: [notify." + name + "]");
        continue;
      }
      Fields f(t, ctx, path_, diags_, {"type", "command", "url", "proxy", "format", "headers", "timeout", "retries", "labels", "resend"});
      NotifierSpec ns;
      ns.name = name;
      ns.cwd = std::filesystem::absolute(path_).parent_path().lexically_normal().string();
      auto type = f.choice<NotifierType>("type", {{"exec", NotifierType::Exec}, {"webhook", NotifierType::Webhook},
                                                  {"journal", NotifierType::Journal}});
      if (!type && !f.get("type")) f.error_here("type is required: \"exec\", \"webhook\" or \"journal\"");
      if (type) ns.type = *type;
      if (const Value* c = f.get("command")) {
        if (c->is_string()) {
          f.error_at(*c, "command", "must be an array of arguments, no shell is used: command = [\"" + c->as_string().str + "\"]");
        } else if (auto argv = f.strings("command"); argv && !argv->empty()) {
          ns.command = *argv;
        }
      }
      if (const Value* uv = f.get("url")) {
        // One URL, or a list: every one gets every notification (Alertmanager's HA peers).
        std::optional<std::vector<std::string>> list;
        if (uv->is_string()) list = std::vector<std::string>{uv->as_string().str};
        else if (uv->is_array()) list = f.strings("url");
        else f.error_at(*uv, "url", "expected a URL or a list of URLs: url = [\"http://am1:9093/api/v2/alerts\", ...]");
        if (list && list->empty()) f.error_at(*uv, "url", "the list of URLs is empty");
        if (list)
          for (const auto& u : *list) {
            if (u.rfind("http://", 0) != 0 && u.rfind("https://", 0) != 0)
              f.error_at(*uv, "url", "expected an http:// or https:// URL, got \"" + u + "\"");
            ns.urls.push_back(u);
          }
      }
      if (auto px = f.str("proxy")) {
        static constexpr const char* kSchemes[] = {"http://", "https://", "socks4://", "socks4a://",
                                                   "socks5://", "socks5h://"};
        bool known = std::any_of(std::begin(kSchemes), std::end(kSchemes),
                                 [&](const char* scheme) { return px->rfind(scheme, 0) == 0; });
        if (!known)
          f.error_at(*f.get("proxy"), "proxy",
                     "expected a proxy URL such as \"http://proxy.example:3128\" (http, https, socks4, socks5)");
        else if (type && *type != NotifierType::Webhook)
          f.error_at(*f.get("proxy"), "proxy", "only a webhook notifier uses a proxy");
        else
          ns.proxy = *px;
      }
      if (auto fm = f.choice<WebhookFormat>("format", {{"json", WebhookFormat::Json},
                                                        {"alertmanager", WebhookFormat::Alertmanager},
                                                        {"slack", WebhookFormat::Slack}}))
        ns.format = *fm;
      if (const Value* h = f.get("headers")) {
        if (!h->is_table()) {
          f.error_at(*h, "headers", "expected a table of strings: headers = { Authorization = \"Bearer ...\" }");
        } else {
          for (const auto& [hk, hv] : h->as_table()) {
            if (!hv.is_string()) f.error_at(hv, "headers." + hk, "expected a string");
            else ns.headers.emplace_back(hk, hv.as_string().str);
          }
        }
      }
      if (auto d = f.duration("timeout")) {
        if (d->count() <= 0) f.error_at(*f.get("timeout"), "timeout", "must be greater than 0");
        else ns.timeout = *d;
      }
      if (auto r = f.integer("retries", 0, 10)) ns.retries = static_cast<int>(*r);
      bool alertmanager = type == NotifierType::Webhook && ns.format == WebhookFormat::Alertmanager;
      if (const Value* l = f.get("labels")) {
        static const std::set<std::string> kOwn = {"alertname", "service", "severity", "instance", "job"};
        if (!alertmanager) {
          f.error_at(*l, "labels", "labels are added to Alertmanager alerts: only with type = \"webhook\" and format = \"alertmanager\"");
        } else if (!l->is_table()) {
          f.error_at(*l, "labels", "expected a table of strings: labels = { site = \"fra1\", env = \"prod\" }");
        } else {
          for (const auto& [lk, lv] : l->as_table()) {
            bool valid = !lk.empty() && !(lk[0] >= '0' && lk[0] <= '9') && lk.rfind("__", 0) != 0 &&
                         std::all_of(lk.begin(), lk.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
            if (!lv.is_string()) f.error_at(lv, "labels." + lk, "expected a string");
            else if (!valid) f.error_at(lv, "labels." + lk, "not a Prometheus label name (letters, digits, _; not starting with a digit or __)");
            else if (kOwn.count(lk)) f.error_at(lv, "labels." + lk, "vigil sets " + lk + " itself");
            else ns.labels[lk] = lv.as_string().str;
          }
        }
      }
      if (auto d = f.duration("resend")) {
        if (!alertmanager) f.error_at(*f.get("resend"), "resend", "only an Alertmanager notifier re-sends alerts");
        else if (*d < std::chrono::seconds(1)) f.error_at(*f.get("resend"), "resend", "must be at least 1s");
        else ns.resend = *d;
      }
      if (type == NotifierType::Exec && ns.command.empty() && !f.get("command"))
        f.error_here("an exec notifier needs command = [\"/path/to/program\", ...]");
      if (type == NotifierType::Webhook && ns.urls.empty() && !f.get("url"))
        f.error_here("a webhook notifier needs url = \"http://...\"");
      set.notifiers.push_back(std::move(ns));
    }
    std::sort(set.notifiers.begin(), set.notifiers.end(),
              [](const NotifierSpec& a, const NotifierSpec& b) { return a.name < b.name; });
  }

  const std::string& path_;
  const std::vector<std::string>& services_;
  const std::vector<std::string>& jobs_;
  const std::map<std::string, expr::Type>& custom_;
  Diagnostics& diags_;
};

}  // namespace

RulesResult parse_rules(const std::string& text, const std::string& path, const std::vector<std::string>& services,
                        const std::map<std::string, expr::Type>& custom, const std::vector<std::string>& jobs) {
  RulesResult r;
  if (auto problem = check_toml_input(text, path)) {
    r.errors.push_back(*problem);
    return r;
  }
  std::istringstream in(text);
  Value root;
  try {
    root = toml::parse(in, path);
  } catch (const toml::exception& e) {
    r.errors.push_back(diagnostic_from_toml_error(e.what(), path, static_cast<std::uint32_t>(e.location().line())));
    return r;
  } catch (const std::exception& e) {
    r.errors.push_back({path, 0, 0, e.what()});
    return r;
  }
  RuleSet set = RulesReader(path, services, custom, jobs, r.errors).read(root);
  sort_diagnostics(r.errors);
  if (r.errors.empty()) r.rules = std::move(set);
  return r;
}

RulesResult load_rules(const std::string& path, const std::vector<std::string>& services,
                       const std::map<std::string, expr::Type>& custom, const std::vector<std::string>& jobs) {
  TrustedRead file = read_trusted_file(path, "rules");
  if (file.error) {
    RulesResult r;
    r.errors.push_back(*file.error);
    return r;
  }
  return parse_rules(file.text, path, services, custom, jobs);
}

}  // namespace vigil
