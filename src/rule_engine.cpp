#include "vigil/rule_engine.hpp"

#include <algorithm>

namespace vigil {

void EngineOutput::append(EngineOutput&& o) {
  for (auto& n : o.notifications) notifications.push_back(std::move(n));
  for (auto& a : o.actions) actions.push_back(std::move(a));
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

void describe(Alert& a, const Rule& r, const expr::Context& ctx, const std::map<std::string, expr::Type>& custom) {
  std::map<std::string, std::string> fill = {{"service", a.service}, {"rule", r.name},
                                             {"severity", std::string(to_string(r.severity))}};
  a.values.clear();
  for (const auto& m : r.metrics) a.values[m] = expr::metric_value(m, ctx, custom);
  for (const MetricDef& m : metric_table()) {
    std::string n(m.name);
    if (!fill.count(n)) fill[n] = expr::metric_value(n, ctx, custom);
  }
  for (const auto& [n, t] : custom) fill[n] = expr::metric_value(n, ctx, custom);
  fill["restarts"] = std::to_string(ctx.service->restarts);
  std::string times = a.count > 1 ? " (" + std::to_string(a.count) + " times)" : "";
  a.summary = bounded_summary(render_summary(r.summary, fill) + times);
  std::string pm = primary_metric(r);
  a.value = pm.empty() ? "" : expr::metric_value(pm, ctx, custom);
}

}  // namespace

std::vector<std::string> RuleEngine::all_notifiers() const {
  std::vector<std::string> out;
  if (rules_)
    for (const auto& n : rules_->notifiers) out.push_back(n.name);
  return out;
}

Alert& RuleEngine::start_alert(const Key& key, const Rule& r, const expr::Context& ctx, TimePoint now) {
  Alert& a = alerts_[key] = Alert{};
  a.rule = r.name;
  a.service = key.second;
  a.severity = r.severity;
  a.since = now;
  describe(a, r, ctx, rules_->custom_metrics);
  return a;
}

void RuleEngine::fire(Alert& a, const Rule& r, TimePoint now, double unix_now, EngineOutput& out) {
  a.state = AlertState::Firing;
  a.since = now;
  a.fired_at = unix_now;
  a.last_notified = now;
  Notification n;
  n.kind = Notification::Kind::Firing;
  n.alert = a;
  n.targets = r.notify;
  n.at = unix_now;
  out.notifications.push_back(n);
  if (r.action != RuleAction::None)
    out.actions.push_back({a.service, r.name, r.action, r.name + ": " + a.summary});
}

void RuleEngine::resolve(const Alert& a, const std::vector<std::string>& targets, double unix_now, EngineOutput& out) {
  if (a.state != AlertState::Firing) return;  // a pending alert was never news
  Notification n;
  n.kind = Notification::Kind::Resolved;
  n.alert = a;
  n.targets = targets;
  n.at = unix_now;
  n.muted = !a.firing_sent;
  out.notifications.push_back(n);
}

EngineOutput RuleEngine::set_rules(std::shared_ptr<const RuleSet> rules, TimePoint now, double unix_now) {
  (void)now;
  EngineOutput out;
  for (auto it = alerts_.begin(); it != alerts_.end();) {
    const std::string& rule = it->first.first;
    if (vigil_alert_targets_.count(rule)) {
      ++it;
      continue;
    }
    const Rule* old_rule = rules_ ? rules_->find(rule) : nullptr;
    const Rule* new_rule = rules->find(rule);
    if (new_rule && old_rule && new_rule->same_definition(*old_rule)) {
      ++it;
      continue;
    }
    resolve(it->second, old_rule ? old_rule->notify : std::vector<std::string>{}, unix_now, out);
    it = alerts_.erase(it);
  }
  rules_ = std::move(rules);
  return out;
}

EngineOutput RuleEngine::set_vigil_alert(const std::string& name, Severity severity, std::optional<std::string> summary,
                                         TimePoint now, double unix_now) {
  EngineOutput out;
  Key key{name, "vigil"};
  auto it = alerts_.find(key);
  if (!summary) {
    if (it != alerts_.end()) {
      resolve(it->second, vigil_alert_targets_[name], unix_now, out);
      alerts_.erase(it);
    }
    return out;
  }
  vigil_alert_targets_[name] = all_notifiers();
  summary = bounded_summary(std::move(*summary));
  if (it != alerts_.end() && it->second.summary == *summary) return out;  // already said
  Alert a;
  a.rule = name;
  a.service = "vigil";
  a.severity = severity;
  a.summary = *summary;
  a.state = AlertState::Firing;
  a.since = now;
  a.fired_at = unix_now;
  a.last_notified = now;
  a.firing_sent = true;
  alerts_[key] = a;
  Notification n;
  n.alert = a;
  n.targets = vigil_alert_targets_[name];
  n.at = unix_now;
  out.notifications.push_back(n);
  return out;
}

EngineOutput RuleEngine::evaluate(const Snapshot& snap, TimePoint now, double unix_now, const Silences& silences) {
  EngineOutput out;
  // Exits since vigil started, per service, and how many of them the engine has seen. A service
  // never seen before has had no exit seen, so an exit that lands before the first evaluation is
  // news like any other. Counted with or without rules, so rules loaded later do not page for
  // exits from before they existed.
  std::map<std::string, int> new_exits;
  for (const auto& s : snap.services) {
    auto seen = exits_seen_.find(s.name);
    int before = seen == exits_seen_.end() || s.exits < seen->second ? 0 : seen->second;  // smaller: a new run count
    new_exits[s.name] = s.exits - before;
    exits_seen_[s.name] = s.exits;
  }
  if (!rules_) return out;
  std::optional<bool> store_up;
  if (snap.store.configured) store_up = snap.store.up;

  std::map<std::string, const ServiceSnapshot*> services;
  for (const auto& s : snap.services) services[s.name] = &s;

  for (const Rule& r : rules_->rules) {
    for (const auto& s : snap.services) {
      if (!r.applies_to(s.name)) continue;
      expr::Context ctx{&s, store_up};
      Key key{r.name, s.name};
      auto it = alerts_.find(key);
      if (r.uses_health && s.in_health_grace) continue;  // judged again once the grace is over

      if (r.event) {
        // Only exits nobody asked for: a stop or restart by vigil or an operator is not a crash.
        bool new_exit = new_exits[s.name] > 0 && s.last_exit && !s.last_exit->requested;
        bool matches = new_exit && expr::holds(*r.when, ctx);
        if (matches) {
          if (it != alerts_.end()) {
            Alert& a = it->second;
            ++a.count;  // a crash storm folds into the firing alert
            a.last_event = now;
            describe(a, r, ctx, rules_->custom_metrics);
          } else {
            Alert& a = start_alert(key, r, ctx, now);
            a.last_event = now;
            fire(a, r, now, unix_now, out);
          }
        } else if (it != alerts_.end() && now - it->second.last_event >= r.clear_for) {
          resolve(it->second, r.notify, unix_now, out);
          alerts_.erase(it);
        } else if (it != alerts_.end() && r.repeat && now - it->second.last_notified >= *r.repeat) {
          it->second.last_notified = now;
          out.notifications.push_back({Notification::Kind::Repeat, it->second, r.notify, unix_now, false});
        }
        continue;
      }

      bool cond = expr::holds(*r.when, ctx);
      if (it == alerts_.end()) {
        if (!cond) continue;
        Alert& a = start_alert(key, r, ctx, now);
        if (r.for_.count() == 0) fire(a, r, now, unix_now, out);
        continue;
      }
      Alert& a = it->second;
      // Values are those seen while the condition held: a resolution reports what was wrong.
      if (cond) describe(a, r, ctx, rules_->custom_metrics);
      if (a.state == AlertState::Pending) {
        if (!cond) alerts_.erase(it);
        else if (now - a.since >= r.for_) fire(a, r, now, unix_now, out);
        continue;
      }
      bool clear = r.clear_when ? expr::holds(*r.clear_when, ctx) : !cond;
      if (clear) {
        if (!a.clearing_since) a.clearing_since = now;
        if (now - *a.clearing_since >= r.clear_for) {
          resolve(a, r.notify, unix_now, out);
          alerts_.erase(it);
          continue;
        }
      } else {
        a.clearing_since.reset();
      }
      if (r.repeat && now - a.last_notified >= *r.repeat) {
        a.last_notified = now;
        out.notifications.push_back({Notification::Kind::Repeat, a, r.notify, unix_now, false});
      }
    }
  }
  // Alerts of services that no longer exist resolve.
  for (auto it = alerts_.begin(); it != alerts_.end();) {
    const auto& [rule, service] = it->first;
    if (service != "vigil" && !services.count(service)) {
      const Rule* r = rules_->find(rule);
      resolve(it->second, r ? r->notify : std::vector<std::string>{}, unix_now, out);
      it = alerts_.erase(it);
    } else {
      ++it;
    }
  }
  // Muting, decided on the final picture: inhibition by a firing source, then silences.
  auto mute_reason = [&](const Alert& a) -> std::string {
    for (const auto& in : rules_->inhibits) {
      if (std::find(in.targets.begin(), in.targets.end(), a.rule) == in.targets.end()) continue;
      auto src = alerts_.find({in.source, a.service});
      if (src != alerts_.end() && src->second.state == AlertState::Firing) return "inhibited by " + in.source;
    }
    if (const Silence* s = silences.match(a.service, a.rule, unix_now))
      return "silenced by " + s->id + (s->reason.empty() ? "" : " (" + s->reason + ")");
    return "";
  };
  for (auto& [key, a] : alerts_) a.muted_by = mute_reason(a);
  for (auto& n : out.notifications) {
    if (n.kind == Notification::Kind::Resolved) continue;  // decided when it fired
    n.alert.muted_by = mute_reason(n.alert);
    n.muted = !n.alert.muted_by.empty();
    auto it = alerts_.find({n.alert.rule, n.alert.service});
    if (!n.muted && it != alerts_.end()) it->second.firing_sent = true;
    n.alert.firing_sent = !n.muted;
  }
  return out;
}

std::optional<TimePoint> RuleEngine::next_deadline(const Snapshot& snap, TimePoint now) const {
  if (!rules_) return std::nullopt;
  std::optional<TimePoint> best;
  auto consider = [&](TimePoint t) {
    if (t > now && (!best || t < *best)) best = t;
  };
  for (const auto& [key, a] : alerts_) {
    const Rule* r = rules_->find(key.first);
    if (r && a.state == AlertState::Pending) consider(a.since + r->for_);
  }
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

std::vector<Alert> RuleEngine::alerts() const {
  std::vector<Alert> out;
  for (const auto& [k, a] : alerts_) out.push_back(a);
  std::stable_sort(out.begin(), out.end(), [](const Alert& a, const Alert& b) {
    if (a.state != b.state) return a.state == AlertState::Firing;
    return a.severity > b.severity;
  });
  return out;
}

}  // namespace vigil
