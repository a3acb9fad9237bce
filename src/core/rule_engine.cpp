#include "vigil/rule_engine.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "vigil/builtin_alerts.hpp"

namespace vigil {

void EngineOutput::append(EngineOutput&& o) {
  for (auto& n : o.notifications) notifications.push_back(std::move(n));
  for (auto& a : o.actions) actions.push_back(std::move(a));
  for (auto& u : o.updated) updated.push_back(std::move(u));
}

namespace {

// A summary is one line for a pager: bounded, so an alert (JSON on an exec notifier's stdin, a
// webhook body) stays small whatever a template or a rules error message expands to.
constexpr std::size_t kMaxSummaryBytes = 2048;

std::string bounded_summary(std::string text) {
  if (text.size() <= kMaxSummaryBytes) return text;
  std::size_t cut = kMaxSummaryBytes - 3;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // not inside a character
  text.resize(cut);
  return text + "\xe2\x80\xa6";  // …
}

// The metric that appears first in `when`, for VIGIL_ALERT_VALUE and one-line displays.
std::string primary_metric(const Rule& r) {
  std::string best;
  std::size_t at = std::string::npos;
  for (const auto& m : r.metrics) {
    std::size_t p = r.when_text.find(m);
    if (p < at) {
      at = p;
      best = m;
    }
  }
  return best;
}

// Summary and values of a rule's alert from what is observed now.
void describe(Alert& a, const Rule& r, const expr::Context& ctx, const std::map<std::string, expr::Type>& custom) {
  std::map<std::string, std::string> fill = {{"service", a.service}, {"rule", r.name},
                                             {"severity", std::string(to_string(r.severity))}};
  a.values.clear();
  for (const auto& m : r.metrics) a.values[m] = expr::metric_value(m, ctx, custom);
  if (ctx.job) {  // a job rule: the job metrics are all there is to show
    fill["job"] = a.service;
    for (const JobMetricDef& m : job_metric_table()) fill[std::string(m.name)] = format_metric(m.type, m.read(*ctx.job));
    a.summary = bounded_summary(render_summary(r.summary, fill));
    std::string pm = primary_metric(r);
    a.value = pm.empty() ? "" : expr::metric_value(pm, ctx, custom);
    return;
  }
  for (const MetricDef& m : metric_table()) {
    std::string n(m.name);
    if (!fill.count(n)) fill[n] = expr::metric_value(n, ctx, custom);
  }
  for (const auto& [n, t] : custom) fill[n] = expr::metric_value(n, ctx, custom);
  fill["restarts"] = std::to_string(ctx.service->restarts);
  std::string summary = render_summary(r.summary, fill);
  for (const expr::NodePtr* root : {&r.when, &r.clear_when})
    if (*root)
      for (auto& [label, value] : expr::window_values(**root, ctx)) a.values[label] = value;
  // What the person paged wants next to the verdict: the probe's last answer, the last matching line.
  std::set<std::string> seen;
  for (const auto& m : r.metrics) {
    auto dot = m.find('.');
    if (dot == std::string::npos) continue;
    std::string family = m.substr(0, dot), name = m.substr(dot + 1);
    if (!seen.insert(family == "log" ? m : "probe." + name).second) continue;
    if (family == "probe" || family == "probe_latency" || family == "probe_failures") {
      for (const ProbeView& p : ctx.service->probes) {
        if (p.name != name || !p.last_passed) continue;
        std::string last = p.http_status ? "HTTP " + std::to_string(p.http_status) : "";
        std::string detail = p.detail.substr(0, std::min<std::size_t>(p.detail.find('\n'), 300));
        if (!detail.empty()) last += (last.empty() ? "" : ": ") + detail;
        if (last.empty()) last = *p.last_passed ? "passed" : "failed";
        a.values["probe." + name + " last result"] = last;
        summary += " (probe " + name + ": " + last + ")";
      }
    } else if (family == "log") {
      for (const LogCounterView& c : ctx.service->log_counters)
        if (c.name == name && !c.last_line.empty()) {
          a.values["log." + name + " last line"] = c.last_line;
          summary += " (last " + name + " line: " + c.last_line.substr(0, 300) + ")";
        }
    }
  }
  a.summary = bounded_summary(std::move(summary));
  std::string pm = primary_metric(r);
  a.value = pm.empty() ? "" : expr::metric_value(pm, ctx, custom);
}

std::string silenced_by(const Silences* silences, const std::string& subject, const std::string& rule, double unix_now) {
  const Silence* s = silences ? silences->match(subject, rule, unix_now) : nullptr;
  return s ? "silenced by " + s->id + (s->reason.empty() ? "" : " (" + s->reason + ")") : "";
}

// "(7 times in 2m, last: exited with status 1)": how a folded crash storm reads.
std::string fold_suffix(const Alert& a) {
  if (a.count <= 1) return "";
  double span = std::chrono::duration<double>(a.last_event - a.first_event).count();
  std::string in = span < 60 ? format_seconds(span)
                             : format_duration(std::chrono::duration_cast<Duration>(std::chrono::seconds(std::lround(span))));
  return " (" + std::to_string(a.count) + " times in " + in +
         (a.last_exit.empty() ? "" : ", last: " + a.last_exit) + ")";
}

bool observed(AlertInput in) {
  return in == AlertInput::Holds || in == AlertInput::HoldsInGrace || in == AlertInput::Clear || in == AlertInput::Exit;
}

}  // namespace

std::vector<std::string> RuleEngine::all_notifiers() const {
  std::vector<std::string> out;
  if (rules_)
    for (const auto& n : rules_->notifiers) out.push_back(n.name);
  return out;
}

RuleEngine::Timing RuleEngine::timing(const Rule& r) const {
  Timing t;
  t.for_ = r.for_;
  t.clear_for = r.clear_for;
  t.repeat = r.repeat;
  t.severity = r.severity;
  t.targets = r.notify;
  t.action = r.action;
  t.event = r.event;
  return t;
}

void RuleEngine::feed(const Key& key, AlertSource source, AlertInput in, const Timing& t, const Refresh& refresh,
                      TimePoint now, double unix_now, EngineOutput& out, int exits) {
  auto it = alerts_.find(key);
  AlertPhase phase = it == alerts_.end() ? AlertPhase::Inactive : it->second.phase;
  AlertStep step = alert_transition(phase, in);
  if (phase == AlertPhase::Inactive && step.next == AlertPhase::Inactive) return;
  if (it == alerts_.end()) {
    Alert fresh;
    fresh.rule = key.first;
    fresh.service = key.second;
    fresh.source = source;
    fresh.severity = t.severity;
    fresh.since = now;
    it = alerts_.emplace(key, std::move(fresh)).first;
  }
  Alert& a = it->second;
  if (in == AlertInput::Exit) {
    if (phase == AlertPhase::Inactive) a.first_event = now;
    a.last_event = now;
  }
  // Before the refresh, so the summary says the new count. Exits that came between two
  // evaluations (a fast crash loop) all count.
  if (step.effect == AlertEffect::Fold) a.count += exits;
  if (in == AlertInput::Exit && phase == AlertPhase::Inactive) a.count = exits;
  if (observed(in)) {
    std::string before = a.summary;
    if (refresh) refresh(a);
    a.no_data_since.reset();
    if (a.firing() && step.effect == AlertEffect::None && !before.empty() && a.summary != before &&
        source != AlertSource::Rule)
      out.updated.push_back(a);  // a built-in's repeated failure: the alert says the latest
  } else if (in == AlertInput::NoData && !a.no_data_since && source == AlertSource::Rule) {
    // (A built-in's "no verdict" is a short run or a retry, not missing data: not shown as such.)
    a.no_data_since = unix_now;
  }
  if (step.next == AlertPhase::Clearing && phase != AlertPhase::Clearing)
    a.clearing_since = t.event ? a.last_event : now;  // an event rule clears from its last exit
  a.phase = step.next;
  perform(a, step.effect, t, now, unix_now, out);
  if (step.effect == AlertEffect::Resolve || step.effect == AlertEffect::Forget) alerts_.erase(it);
}

void RuleEngine::perform(Alert& a, AlertEffect effect, const Timing& t, TimePoint now, double unix_now,
                         EngineOutput& out) {
  auto notify = [&](Notification::Kind kind, const std::vector<std::string>& targets) {
    Notification n;
    n.kind = kind;
    n.alert = a;
    n.targets = targets;
    n.at = unix_now;
    out.notifications.push_back(std::move(n));
  };
  switch (effect) {
    case AlertEffect::None:
      break;
    case AlertEffect::Fire:
      a.since = now;
      a.fired_at = unix_now;
      a.last_notified = now;
      a.notified_count = a.count;
      a.targets = t.targets;
      notify(Notification::Kind::Firing, a.targets);
      if (t.action != RuleAction::None)
        out.actions.push_back({a.service, a.rule, t.action, a.rule + ": " + a.summary});
      break;
    case AlertEffect::Fold:  // counted in feed()
      break;
    case AlertEffect::Repeat:
      a.last_notified = now;
      a.notified_count = a.count;
      notify(Notification::Kind::Repeat, a.targets);
      break;
    case AlertEffect::Resolve:
      notify(Notification::Kind::Resolved, a.targets);
      out.notifications.back().muted = !a.firing_sent;
      break;
    case AlertEffect::Forget:
      break;
  }
}

EngineOutput RuleEngine::set_rules(std::shared_ptr<const RuleSet> rules, TimePoint now, double unix_now) {
  EngineOutput out;
  std::vector<Key> gone;
  for (const auto& [key, a] : alerts_) {
    bool keep = true;
    if (a.source == AlertSource::Rule) {
      const Rule* old_rule = rules_ ? rules_->find(key.first) : nullptr;
      const Rule* new_rule = rules->find(key.first);
      keep = new_rule && old_rule && new_rule->same_definition(*old_rule);
    } else if (const BuiltinAlert* def = find_builtin(key.first)) {
      keep = !builtin_settings(rules.get(), *def).disabled;
    }
    if (!keep) gone.push_back(key);
  }
  for (const auto& key : gone)
    feed(key, alerts_[key].source, AlertInput::Gone, {}, nullptr, now, unix_now, out);
  rules_ = std::move(rules);
  WindowNeeds needs;
  for (const Rule& r : rules_->rules)
    for (const auto& [m, w] : r.windows) needs[m] = std::max(needs[m], w);
  windows_.set_needs(std::move(needs));
  return out;
}

EngineOutput RuleEngine::set_vigil_alert(const std::string& name, std::optional<std::string> summary, TimePoint now,
                                         double unix_now, const std::string& subject, const Silences* silences) {
  EngineOutput out;
  const BuiltinAlert* def = find_builtin(name);
  BuiltinSettings bs = def ? builtin_settings(rules_.get(), *def) : BuiltinSettings{};
  Timing t;
  t.severity = bs.severity;
  t.targets = bs.notify ? *bs.notify : all_notifiers();
  Key key{name, subject};
  if (!summary || bs.disabled) {
    if (alerts_.count(key)) feed(key, AlertSource::VigilBuiltin, AlertInput::Gone, t, nullptr, now, unix_now, out);
    return out;
  }
  summary = bounded_summary(std::move(*summary));
  feed(key, AlertSource::VigilBuiltin, AlertInput::Holds, t, [&](Alert& a) { a.summary = *summary; }, now, unix_now, out);
  if (alerts_.count(key) && alerts_[key].phase == AlertPhase::Pending)
    feed(key, AlertSource::VigilBuiltin, AlertInput::ForElapsed, t, nullptr, now, unix_now, out);
  // vigil's own alerts are never silenced or inhibited: their firing is always sent. One about a job
  // is the job's alert: a silence on the job mutes it.
  std::string muted_by = subject == "vigil" ? "" : silenced_by(silences, subject, name, unix_now);
  if (alerts_.count(key)) alerts_[key].muted_by = muted_by;
  apply_muting(out, [&](const Alert&) { return muted_by; });
  return out;
}

void RuleEngine::apply_muting(EngineOutput& out, const std::function<std::string(const Alert&)>& mute_reason) {
  for (auto& n : out.notifications) {
    if (n.kind == Notification::Kind::Resolved) {
      // Decided when it fired: a resolution goes wherever its firing went, muted now or not.
      n.alert.muted_by = n.muted ? "its firing was not sent" + (n.alert.firing_muted_by.empty() ? std::string()
                                                                  : " (" + n.alert.firing_muted_by + ")")
                                 : "";
      continue;
    }
    n.alert.muted_by = mute_reason(n.alert);
    n.muted = !n.alert.muted_by.empty();
    auto it = alerts_.find({n.alert.rule, n.alert.service});
    if (n.kind == Notification::Kind::Firing) {
      n.alert.firing_sent = !n.muted;
      n.alert.firing_muted_by = n.alert.muted_by;
      if (it != alerts_.end()) {
        it->second.firing_sent = !n.muted;
        it->second.firing_muted_by = n.alert.muted_by;
      }
    } else if (!n.muted && it != alerts_.end()) {
      it->second.firing_sent = true;  // a repeat that goes out makes its resolution news too
    }
  }
}

void RuleEngine::note_action(const std::string& rule, const std::string& service, const std::string& outcome) {
  if (auto it = alerts_.find({rule, service}); it != alerts_.end()) it->second.action = outcome;
}

void RuleEngine::evaluate_rule(const Rule& r, const std::string& subject, const expr::Context& ctx, int new_exits,
                               TimePoint now, double unix_now, EngineOutput& out) {
  Key key{r.name, subject};
  Timing t = timing(r);
  auto it = alerts_.find(key);
  bool firing = it != alerts_.end() && it->second.firing();
  AlertInput in = AlertInput::Clear;  // every branch below sets it; initialised for g++ 12 -O2
  Refresh refresh = [&](Alert& a) { describe(a, r, ctx, rules_->custom_metrics); };
  if (r.event) {
    // Only exits nobody asked for: a stop or restart by vigil or an operator is not a crash.
    const ServiceSnapshot& s = *ctx.service;  // event rules name exit_code / exit_signal: service rules
    bool new_exit = new_exits > 0 && s.last_exit && !s.last_exit->requested;
    in = new_exit && expr::holds(*r.when, ctx) ? AlertInput::Exit : AlertInput::Clear;
    if (in == AlertInput::Exit)
      refresh = [&](Alert& a) {
        a.last_exit = s.last_exit->status.describe();
        describe(a, r, ctx, rules_->custom_metrics);
        a.summary += fold_suffix(a);
      };
    else
      refresh = nullptr;  // keep what the last matching exit showed
    feed(key, AlertSource::Rule, in, t, refresh, now, unix_now, out,
         in == AlertInput::Exit ? new_exits : 1);
  } else {
    // Before it fires the question is "does `when` hold?"; once it fires, "is it clear?".
    expr::Truth bad = firing ? (r.clear_when ? expr::negate(expr::evaluate(*r.clear_when, ctx))
                                             : expr::evaluate(*r.when, ctx))
                             : expr::evaluate(*r.when, ctx);
    switch (bad) {
      case expr::Truth::True: in = AlertInput::Holds; break;
      case expr::Truth::False: in = AlertInput::Clear; break;
      case expr::Truth::Unknown:
        in = r.no_data == NoDataPolicy::Fire      ? AlertInput::Holds
             : r.no_data == NoDataPolicy::Resolve ? AlertInput::Clear
                                                  : AlertInput::NoData;
        if (in != AlertInput::NoData) refresh = nullptr;  // there are no values to show
        break;
    }
    if (in == AlertInput::Holds && r.uses_health && ctx.service && ctx.service->in_health_grace)
      in = AlertInput::HoldsInGrace;
    feed(key, AlertSource::Rule, in, t, refresh, now, unix_now, out);
    it = alerts_.find(key);
    if (in == AlertInput::Holds && it != alerts_.end() && it->second.phase == AlertPhase::Pending &&
        now - it->second.since >= r.for_)
      feed(key, AlertSource::Rule, AlertInput::ForElapsed, t, nullptr, now, unix_now, out);
  }
  it = alerts_.find(key);
  if (it != alerts_.end() && it->second.phase == AlertPhase::Clearing && now - it->second.clearing_since >= r.clear_for) {
    feed(key, AlertSource::Rule, AlertInput::ClearElapsed, t, nullptr, now, unix_now, out);
    it = alerts_.find(key);
  }
  if (it != alerts_.end() && it->second.firing() && r.repeat && now - it->second.last_notified >= *r.repeat &&
      (!r.event || it->second.count > it->second.notified_count))  // a crash storm repeats with a new count only
    feed(key, AlertSource::Rule, AlertInput::RepeatDue, t, nullptr, now, unix_now, out);
}

void RuleEngine::evaluate_builtins(const std::vector<ServiceSnapshot>& services, TimePoint now, double unix_now,
                                   EngineOutput& out) {
  for (const BuiltinAlert& def : builtin_alerts()) {
    if (!def.observe) continue;
    // The same for every service: worked out once per evaluation, not once per service.
    BuiltinSettings bs = builtin_settings(rules_.get(), def);
    if (bs.disabled) continue;
    Duration after = bs.after.value_or(Duration{0});
    Timing t;
    if (def.after_is_for) t.for_ = after;
    t.severity = bs.severity;
    t.targets = bs.notify ? *bs.notify : all_notifiers();
    for (const ServiceSnapshot& s : services) evaluate_builtin(def, after, t, s, now, unix_now, out);
  }
}

void RuleEngine::evaluate_builtin(const BuiltinAlert& def, Duration after, const Timing& t, const ServiceSnapshot& s,
                                  TimePoint now, double unix_now, EngineOutput& out) {
  Key key{std::string(def.name), s.name};
  AlertInput in = def.observe(s, after);
  // The summary is written when the failure is new (first seen, or the service failed again
  // since): not on every sample, where a countdown in it would change each time. A failure seen
  // again is counted, so its update always says something new.
  Refresh refresh = [&](Alert& a) {
    if (in != AlertInput::Holds || (!a.summary.empty() && a.restarts_seen == s.restarts)) return;
    if (!a.summary.empty()) ++a.count;
    a.summary = bounded_summary(def.summary(s, after, a.count));
    a.restarts_seen = s.restarts;
  };
  feed(key, AlertSource::ServiceBuiltin, in, t, refresh, now, unix_now, out);
  auto it = alerts_.find(key);
  if (in == AlertInput::Holds && it != alerts_.end() && it->second.phase == AlertPhase::Pending &&
      now - it->second.since >= t.for_)
    feed(key, AlertSource::ServiceBuiltin, AlertInput::ForElapsed, t, refresh, now, unix_now, out);
  it = alerts_.find(key);
  if (it != alerts_.end() && it->second.phase == AlertPhase::Clearing)
    feed(key, AlertSource::ServiceBuiltin, AlertInput::ClearElapsed, t, nullptr, now, unix_now, out);
}

EngineOutput RuleEngine::evaluate(const Snapshot& snap, TimePoint now, double unix_now, const Silences& silences) {
  EngineOutput out;
  // Exits since vigil started, per service, and how many of them the engine has seen. A service
  // never seen before has had no exit seen, so an exit that lands before the first evaluation is
  // news like any other. Counted with or without rules, so rules loaded later do not page for
  // exits from before they existed.
  // Keyed by views of the snapshot's names, which outlive this call: no string copied per sample.
  std::map<std::string_view, int> new_exits;
  for (const auto& s : snap.services) {
    auto seen = exits_seen_.find(s.name);
    int before = seen == exits_seen_.end() || s.exits < seen->second ? 0 : seen->second;  // smaller: a new run count
    new_exits[s.name] = s.exits - before;
    exits_seen_[s.name] = s.exits;
  }
  std::optional<bool> store_up;
  if (snap.store.configured) store_up = snap.store.up;

  std::set<std::string_view> services;
  for (const auto& s : snap.services) services.insert(s.name);
  std::set<std::string_view> jobs;
  for (const auto& j : snap.jobs) jobs.insert(j.name);

  // Each sample goes into the histories the rules' windows need (nothing is kept without one).
  if (!windows_.needs().empty()) {
    for (const auto& s : snap.services) {
      windows_.record(s.name, unix_now, [&](const std::string& metric) -> std::optional<double> {
        MetricReading r = read_metric(metric, s, store_up);
        if (!r.present) return std::nullopt;
        const MetricDef* d = find_metric(metric);
        bool boolean = d ? d->type == MetricType::Bool : family_of(metric)->type == MetricType::Bool;
        return boolean ? (r.boolean ? 1.0 : 0.0) : r.number;
      }, s.data_timestamp);
    }
    for (auto it = last_services_.begin(); it != last_services_.end();)
      if (!services.count(*it)) {
        windows_.forget(*it);
        it = last_services_.erase(it);
      } else {
        ++it;
      }
    for (const auto& s : snap.services) last_services_.insert(s.name);
  }

  if (rules_)
    for (const Rule& r : rules_->rules) {
      for (const auto& s : snap.services)
        if (r.applies_to(s.name))
          evaluate_rule(r, s.name, expr::Context{&s, store_up, &windows_, unix_now}, new_exits[s.name], now,
                        unix_now, out);
      for (const auto& j : snap.jobs)
        if (r.applies_to_job(j.name))
          evaluate_rule(r, j.name, expr::Context{nullptr, store_up, nullptr, unix_now, &j}, 0, now, unix_now, out);
    }
  evaluate_builtins(snap.services, now, unix_now, out);

  // Alerts of services and jobs that no longer exist resolve.
  std::vector<Key> gone;
  for (const auto& [key, a] : alerts_)
    if (a.source != AlertSource::VigilBuiltin && !services.count(key.second) && !jobs.count(key.second))
      gone.push_back(key);
  for (const auto& key : gone) feed(key, alerts_[key].source, AlertInput::Gone, {}, nullptr, now, unix_now, out);

  // Muting, decided on the final picture: inhibition by a firing source, then silences.
  auto mute_reason = [&](const Alert& a) -> std::string {
    if (a.source == AlertSource::VigilBuiltin)
      return jobs.count(a.service) ? silenced_by(&silences, a.service, a.rule, unix_now) : "";
    if (rules_)
      for (const auto& in : rules_->inhibits) {
        if (std::find(in.targets.begin(), in.targets.end(), a.rule) == in.targets.end()) continue;
        auto src = alerts_.find({in.source, a.service});
        if (src != alerts_.end() && src->second.firing()) return "inhibited by " + in.source;
      }
    return silenced_by(&silences, a.service, a.rule, unix_now);
  };
  for (auto& [key, a] : alerts_) a.muted_by = mute_reason(a);
  apply_muting(out, mute_reason);
  return out;
}

std::optional<TimePoint> RuleEngine::next_deadline(const Snapshot& snap, TimePoint now) const {
  std::optional<TimePoint> best;
  auto consider = [&](TimePoint t) {
    if (t > now && (!best || t < *best)) best = t;
  };
  for (const auto& [key, a] : alerts_) {
    const Rule* r = rules_ && a.source == AlertSource::Rule ? rules_->find(key.first) : nullptr;
    if (r && a.phase == AlertPhase::Pending) consider(a.since + r->for_);
    if (r && a.phase == AlertPhase::Clearing) consider(a.clearing_since + r->clear_for);
  }
  if (!rules_) return best;
  for (const Rule& r : rules_->rules) {
    if (!r.metrics.count("data_age")) continue;
    auto thresholds = expr::rising_thresholds(*r.when, "data_age");
    for (const auto& s : snap.services) {
      if (!s.data_age || !r.applies_to(s.name)) continue;
      for (double n : thresholds)
        if (n > *s.data_age)
          consider(now + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(n - *s.data_age)) +
                   std::chrono::milliseconds(1));  // just past the threshold: "> N" holds then
    }
  }
  return best;
}

void RuleEngine::describe_rules(Snapshot& snap, TimePoint now) const {
  for (auto& s : snap.services) {
    s.rule_states.clear();
    if (!rules_) continue;
    for (const Rule& r : rules_->rules) {
      if (!r.applies_to(s.name)) continue;
      RuleStateView v;
      v.rule = r.name;
      v.severity = r.severity;
      if (auto it = alerts_.find({r.name, s.name}); it != alerts_.end()) {
        v.active = true;
        v.state = it->second.firing() ? AlertState::Firing : AlertState::Pending;
        v.since = std::chrono::duration<double>(now - it->second.since).count();
        v.value = it->second.value;
        v.no_data = it->second.no_data_since.has_value();
      }
      s.rule_states.push_back(std::move(v));
    }
  }
}

std::vector<Alert> RuleEngine::alerts() const {
  std::vector<Alert> out;
  for (const auto& [k, a] : alerts_) out.push_back(a);
  std::stable_sort(out.begin(), out.end(), [](const Alert& a, const Alert& b) {
    if (a.firing() != b.firing()) return a.firing();
    return a.severity > b.severity;
  });
  return out;
}

}  // namespace vigil
