#include "vigil/spec_diff.hpp"

namespace vigil {

namespace {

struct SpecKey {
  const char* name;
  bool reaches_process;  // the running process was started with it: a change needs a restart
  bool (*same)(const ServiceSpec& a, const ServiceSpec& b);
};

bool same_freshness(const ServiceSpec& a, const ServiceSpec& b) {
  if (a.freshness.has_value() != b.freshness.has_value()) return false;
  if (!a.freshness) return true;
  return a.freshness->key == b.freshness->key && a.freshness->field == b.freshness->field &&
         a.freshness->format == b.freshness->format;
}

bool same_metrics(const ServiceSpec& a, const ServiceSpec& b) {
  if (a.metrics.size() != b.metrics.size()) return false;
  for (auto i = a.metrics.begin(), j = b.metrics.begin(); i != a.metrics.end(); ++i, ++j)
    if (i->first != j->first || i->second.key != j->second.key || i->second.field != j->second.field) return false;
  return true;
}

#define VIGIL_SAME(field) [](const ServiceSpec& a, const ServiceSpec& b) { return a.field == b.field; }

const SpecKey kKeys[] = {
    {"command", true, VIGIL_SAME(command)},
    {"cwd", true, VIGIL_SAME(cwd)},
    {"env", true, VIGIL_SAME(env)},
    {"watchdog", true, VIGIL_SAME(watchdog)},
    {"env_file", true, VIGIL_SAME(run.env_file)},
    {"umask", true, VIGIL_SAME(run.umask)},
    {"nice", true, [](const ServiceSpec& a, const ServiceSpec& b) { return a.run.has_nice == b.run.has_nice && a.run.nice == b.run.nice; }},
    {"limits", true, VIGIL_SAME(run.limits)},
    {"after", false, VIGIL_SAME(after)},
    {"ready", false, [](const ServiceSpec& a, const ServiceSpec& b) { return a.ready == b.ready && a.ready_probe == b.ready_probe; }},
    {"ready_log", false, VIGIL_SAME(ready_log)},
    {"start_timeout", false, VIGIL_SAME(start_timeout)},
    {"restart", false, VIGIL_SAME(restart.mode)},
    {"restart_delay", false, VIGIL_SAME(restart.restart_delay)},
    {"backoff_max", false, VIGIL_SAME(restart.backoff_max)},
    {"stable_after", false, VIGIL_SAME(restart.stable_after)},
    {"start_limit_burst", false, VIGIL_SAME(restart.start_limit_burst)},
    {"start_limit_interval", false, VIGIL_SAME(restart.start_limit_interval)},
    {"failed_retry", false, VIGIL_SAME(restart.failed_retry)},
    {"restart_prevent_exit_codes", false, VIGIL_SAME(restart.prevent_exit_codes)},
    {"stop_signal", false, VIGIL_SAME(stop_signal)},
    {"stop_timeout", false, VIGIL_SAME(stop_timeout)},
    {"health_grace", false, VIGIL_SAME(health_grace)},
    {"freshness", false, same_freshness},
    {"metrics", false, same_metrics},
    {"hooks", false, VIGIL_SAME(hooks)},
    {"probe", false, VIGIL_SAME(probes)},
    {"log_match", false, VIGIL_SAME(log_match)},
};

#undef VIGIL_SAME

}  // namespace

SpecChange compare_specs(const ServiceSpec& before, const ServiceSpec& after) {
  SpecChange c;
  for (const SpecKey& k : kKeys) {
    if (k.same(before, after)) continue;
    c.keys.emplace_back(k.name);
    c.restart = c.restart || k.reaches_process;
  }
  // A difference this table does not name (a key added to ServiceSpec but not here): restart,
  // the safe side.
  if (c.keys.empty() && !(before == after)) {
    c.keys.emplace_back("other settings");
    c.restart = true;
  }
  return c;
}

}  // namespace vigil
