#include "vigil/alerting.hpp"

#include <unistd.h>

#include <boost/asio/post.hpp>
#include <algorithm>
#include <filesystem>
#include <set>

#include "vigil/clock.hpp"
#include "vigil/files.hpp"
#include "vigil/log_writer.hpp"
#include "vigil/oplog.hpp"

namespace vigil {

namespace {

std::string hostname() {
  char buf[256] = {0};
  ::gethostname(buf, sizeof buf - 1);
  return buf;
}

// Resolved alerts are re-sent to Alertmanager this long after they resolved, at each `resend`:
// a peer that was down at the moment of resolution still hears of it.
constexpr auto kResolvedResend = std::chrono::minutes(5);
constexpr std::size_t kResolvedKept = 1000;

// generatorURL: where the dashboard is, as others should reach it.
std::string dashboard_url(const Config& config) {
  const VigilSpec& v = config.vigil;
  if (!v.external_url.empty()) return v.external_url.back() == '/' ? v.external_url : v.external_url + "/";
  if (v.http.kind != HttpListen::Kind::Tcp) return "";
  HttpListen where = v.http;
  if (where.host == "0.0.0.0" || where.host == "::") where.host = hostname();
  return "http://" + where.str() + "/";
}

std::string rules_path(const Config& config) {
  if (!config.vigil.rules.empty()) return config.vigil.rules;
  // No rules file yet: watch for one beside the config.
  return (std::filesystem::absolute(config.path).parent_path() / "rules.toml").lexically_normal().string();
}

}  // namespace

Alerting::Alerting(boost::asio::io_context& io, const Config& config, std::string state_dir, LogWriter& writer,
                   ActionHook act)
    : io_(io),
      config_(config),
      path_(rules_path(config)),
      silences_path_(state_dir + "/silences.json"),
      writer_(writer),
      act_(std::move(act)),
      notifiers_(hostname(), [&io](const std::string& channel, const std::string& what, const std::string& err,
                                   bool gave_up) {
        boost::asio::post(io, [=] { oplog::notify_failed(channel, what, err, gave_up); });
      }) {
  view_.path = path_;
  notifiers_.set_generator_url(dashboard_url(config));
}

Alerting::~Alerting() = default;

void Alerting::start() {
  if (auto text = read_file(silences_path_))
    if (!silences_.from_json(*text)) oplog::warn("cannot read " + silences_path_ + "; starting with no silences");
  // Watched before the first read: an edit saved between the read and the watch would otherwise
  // go unseen until the next one.
  watcher_ = std::make_unique<RulesWatcher>(io_, path_, [this] { reload(); });
  view_.watch_error = watcher_->error();
  if (!view_.watch_error.empty())
    oplog::warn(view_.watch_error + "; rules are reloaded only on SIGHUP or `vigil reload`");
  reload();
}

std::string Alerting::reload() {
  TimePoint now = Clock::now();
  int in_force = engine_.rules() ? static_cast<int>(engine_.rules()->rules.size()) : 0;
  if (!std::filesystem::exists(path_)) {
    std::string msg = engine_.rules() ? "rules file " + path_ + " is gone; keeping the " + std::to_string(in_force) +
                                            " rules in force until it is back"
                                      : "no rules file at " + path_ + "; vigil applies one as soon as it is saved there";
    if (!missing_reported_) oplog::info(msg);
    missing_reported_ = true;
    return engine_.rules() ? msg : "";
  }
  missing_reported_ = false;
  std::vector<std::string> names;
  for (const auto& s : config_.services) names.push_back(s.name);
  std::vector<std::string> jobs;
  for (const auto& j : config_.jobs) jobs.push_back(j.name);
  RulesResult r = load_rules(path_, names, config_.declared_metrics(), jobs);
  if (!r.rules) {
    std::string all;
    for (const auto& d : r.errors) all += (all.empty() ? "" : "\n") + d.str();
    oplog::rules_rejected(path_, all, in_force);
    set_reload_error(r.errors.front().str() + (r.errors.size() > 1 ? " (and " + std::to_string(r.errors.size() - 1) + " more)" : ""));
    return all;
  }
  auto rules = std::make_shared<RuleSet>(std::move(*r.rules));
  std::string changes;
  const RuleSet* old = engine_.rules();
  for (const auto& rule : rules->rules) {
    const Rule* before = old ? old->find(rule.name) : nullptr;
    if (!before) changes += " +" + rule.name;
    else if (!before->same_definition(rule)) changes += " ~" + rule.name;
  }
  if (old)
    for (const auto& rule : old->rules)
      if (!rules->find(rule.name)) changes += " -" + rule.name;
  notifiers_.configure(rules->notifiers);
  handle(engine_.set_rules(rules, now, unix_now()));
  view_.loaded = true;
  view_.rules = static_cast<int>(rules->rules.size());
  view_.loaded_at = unix_now();
  oplog::rules_loaded(path_, view_.rules, changes);
  set_reload_error("");
  return "";
}

void Alerting::set_reload_error(const std::string& error) {
  view_.error = error;
  std::optional<std::string> summary;
  if (!error.empty()) {
    int in_force = engine_.rules() ? static_cast<int>(engine_.rules()->rules.size()) : 0;
    summary = "rules edit rejected, keeping the " + std::to_string(in_force) + " rules in force: " + error;
  }
  handle(engine_.set_vigil_alert("rules_reload_failed", summary, Clock::now(), unix_now()));
}

void Alerting::set_vigil_error(const std::string& alert, const std::string& error) {
  std::optional<std::string> summary;
  if (!error.empty()) summary = "config edit rejected, keeping the config in force: " + error;
  handle(engine_.set_vigil_alert(alert, summary, Clock::now(), unix_now()));
}

void Alerting::set_vigil_alert(const std::string& alert, const std::string& subject, std::optional<std::string> summary) {
  handle(engine_.set_vigil_alert(alert, std::move(summary), Clock::now(), unix_now(), subject, &silences_));
}

void Alerting::handle(EngineOutput&& out) {
  // Actions first, so that the firing notification says what became of its action.
  for (const auto& a : out.actions) {
    std::string outcome = act_(a);
    engine_.note_action(a.rule, a.service, outcome);
    for (auto& n : out.notifications)
      if (n.alert.rule == a.rule && n.alert.service == a.service) n.alert.action = outcome;
  }
  for (const auto& n : out.notifications) {
    oplog::alert(n.alert.rule, n.alert.service, n.alert.severity,
                 n.kind == Notification::Kind::Resolved ? "resolved" : n.kind == Notification::Kind::Repeat ? "still firing" : "firing",
                 n.alert.summary, n.targets, n.muted, n.alert.muted_by);
    if (!n.muted) notifiers_.send(n);
    if (!n.muted && n.kind == Notification::Kind::Resolved) {
      Notification again = n;
      std::erase_if(again.targets, [&](const std::string& t) { return !notifiers_.is_alertmanager(t); });
      if (!again.targets.empty()) resolved_.push_back({std::move(again), Clock::now()});
      if (resolved_.size() > kResolvedKept) resolved_.erase(resolved_.begin());
    }
  }
  for (const auto& a : out.updated)
    oplog::alert(a.rule, a.service, a.severity, "still firing, updated", a.summary, {}, true,
                 "it fires already and has not resolved");
}

void Alerting::evaluate(Snapshot& snap) {
  TimePoint now = Clock::now();
  double t = unix_now();
  if (silences_.expire(t)) save_silences();
  handle(engine_.evaluate(snap, now, t, silences_));
  resend_to_alertmanagers(now, t);
  describe(snap);
}

void Alerting::resend_to_alertmanagers(TimePoint now, double t) {
  std::erase_if(resolved_, [&](const Resolved& r) { return now - r.at > kResolvedResend; });
  std::set<std::string> channels;
  for (const Alert& a : engine_.alerts())
    if (a.firing() && a.firing_sent && a.muted_by.empty()) channels.insert(a.targets.begin(), a.targets.end());
  for (const Resolved& r : resolved_) channels.insert(r.n.targets.begin(), r.n.targets.end());
  for (const std::string& target : channels) {
    std::optional<Duration> period = notifiers_.alertmanager_resend(target);
    if (!period) continue;
    auto [last, first] = am_last_resend_.try_emplace(target, now);
    if (first || now - last->second < *period) continue;  // the first notification was just sent
    last->second = now;
    for (const Alert& a : engine_.alerts()) {
      if (!a.firing() || !a.firing_sent || !a.muted_by.empty()) continue;
      if (std::find(a.targets.begin(), a.targets.end(), target) != a.targets.end())
        notifiers_.send_to(target, Notification{Notification::Kind::Repeat, a, {target}, t, false});
    }
    for (const Resolved& r : resolved_)
      if (std::find(r.n.targets.begin(), r.n.targets.end(), target) != r.n.targets.end()) notifiers_.send_to(target, r.n);
  }
}

void Alerting::describe(Snapshot& snap) const {
  TimePoint now = Clock::now();
  snap.alerts.clear();
  for (const Alert& a : engine_.alerts()) {
    AlertView v;
    v.rule = a.rule;
    v.service = a.service;
    v.severity = a.severity;
    v.state = a.firing() ? AlertState::Firing : AlertState::Pending;
    v.summary = a.summary;
    v.value = a.value;
    v.values = a.values;
    v.since = to_seconds(now - a.since);
    v.count = a.count;
    v.muted_by = a.muted_by;
    v.no_data_since = a.no_data_since;
    v.action = a.action;
    snap.alerts.push_back(v);
  }
  for (auto& s : snap.services) {
    s.thresholds.clear();
    if (const RuleSet* rules = engine_.rules())
      for (const Rule& r : rules->rules) {
        auto t = r.applies_to(s.name) ? expr::simple_threshold(*r.when) : std::nullopt;
        if (!t || r.severity == Severity::Info) continue;
        auto& slot = r.severity == Severity::Critical ? s.thresholds[t->first].critical : s.thresholds[t->first].warning;
        slot = slot ? std::min(*slot, t->second) : t->second;  // the first to fire
      }
    s.health = Health::Ok;
    s.health_summary.clear();
    for (const auto& a : snap.alerts) {
      if (a.service != s.name || a.state != AlertState::Firing) continue;
      if (health_of(a.severity) > s.health) {  // the first of the worst
        s.health = health_of(a.severity);
        s.health_summary = a.summary;
      }
    }
  }
  engine_.describe_rules(snap, now);
  snap.rules = view_;
  snap.notifiers.clear();
  for (const auto& c : notifiers_.stats())
    snap.notifiers.push_back({c.name, c.type, c.sent, c.failed, c.dropped, c.last_error, c.last_error_at});
}

void Alerting::save_silences() {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(silences_path_).parent_path(), ec);
  writer_.write_file_atomically(silences_path_, silences_.to_json());
}

}  // namespace vigil
