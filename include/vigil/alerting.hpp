#pragma once
// The alerting runtime on the event loop: the rules in force (loaded at start, reloaded when the
// file is saved or on SIGHUP, a broken edit never replacing working rules), the RuleEngine, the
// silences (persisted), and the NotifierPool. After each evaluation it logs every firing and
// resolution, hands notifications to the pool, and asks the supervisor for actions.
#include <boost/asio/io_context.hpp>
#include <functional>
#include <map>
#include <vector>
#include <memory>
#include <string>

#include "vigil/config.hpp"
#include "vigil/notifier.hpp"
#include "vigil/rule_engine.hpp"
#include "vigil/rules_watcher.hpp"
#include "vigil/silences.hpp"
#include "vigil/snapshot.hpp"

namespace vigil {

class LogWriter;

class Alerting {
 public:
  /// Carries out a rule's action; returns what became of it ("restart requested", "restart
  /// skipped: service is failed"), which the alert shows.
  using ActionHook = std::function<std::string(const ActionRequest&)>;

  /// `state_dir` holds silences.json; `writer` saves it off the loop.
  Alerting(boost::asio::io_context& io, const Config& config, std::string state_dir, LogWriter& writer,
           ActionHook act);
  ~Alerting();

  /// Loads the rules (a broken file at start: no rules, and a rules_reload_failed alert) and starts
  /// watching the file.
  void start();
  /// Re-reads the rules file. Returns "" if the new rules are in force, else why they were refused.
  std::string reload();
  /// Raises (error != "") or clears an alert about vigil's own files, e.g. config_reload_failed.
  void set_vigil_error(const std::string& alert, const std::string& error);
  /// Raises (a summary) or clears (nullopt) the built-in alert `alert` about `subject` (a job):
  /// job_failed.
  void set_vigil_alert(const std::string& alert, const std::string& subject, std::optional<std::string> summary);
  /// Evaluates `snap` and acts on the result; then fills `snap`'s alerts, rules, notifiers, health.
  void evaluate(Snapshot& snap);
  /// Fills `snap`'s alert fields from the current state without evaluating.
  void describe(Snapshot& snap) const;

  /// The engine's next deadline (see RuleEngine::next_deadline).
  std::optional<TimePoint> next_deadline(const Snapshot& snap) const { return engine_.next_deadline(snap, Clock::now()); }
  Silences& silences() { return silences_; }
  const RuleSet* rules() const { return engine_.rules(); }
  void save_silences();

 private:
  void handle(EngineOutput&& out);
  void set_reload_error(const std::string& error);

  boost::asio::io_context& io_;
  const Config& config_;
  std::string path_;
  std::string silences_path_;
  LogWriter& writer_;
  ActionHook act_;
  RuleEngine engine_;
  Silences silences_;
  NotifierPool notifiers_;
  std::unique_ptr<RulesWatcher> watcher_;
  RulesView view_;
  bool missing_reported_ = false;
  // Alertmanager forgets a firing alert whose lease ran out and must hear a resolution: firing
  // alerts are re-sent every `resend` of their channel, resolved ones for kResolvedResend after.
  std::map<std::string, TimePoint> am_last_resend_;  // by channel
  struct Resolved {
    Notification n;
    TimePoint at;
  };
  std::vector<Resolved> resolved_;
  void resend_to_alertmanagers(TimePoint now, double t);
};

}  // namespace vigil
