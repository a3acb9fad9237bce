// The metric table (metrics.hpp): one row per built-in metric, one per family. Pure.
#include "vigil/metrics.hpp"

#include <algorithm>
#include <cstdio>

#include "vigil/job_record.hpp"
#include "vigil/quantity.hpp"
#include "vigil/snapshot.hpp"

namespace vigil {

std::string_view to_string(MetricType t) {
  switch (t) {
    case MetricType::Plain: return "a number";
    case MetricType::Duration: return "a duration";
    case MetricType::Size: return "a size";
    case MetricType::Percent: return "a percentage";
    case MetricType::Bool: return "a boolean";
    case MetricType::String: return "a string";
  }
  return "?";
}

namespace {

MetricReading number(std::optional<double> v) {
  MetricReading r;
  if (v) {
    r.present = true;
    r.number = *v;
  }
  return r;
}

MetricReading boolean(bool b) {
  MetricReading r;
  r.present = true;
  r.boolean = b;
  return r;
}

using S = const ServiceSnapshot&;
using Up = std::optional<bool>;
using T = MetricType;

// Order: as status.json's `metrics` object and docs/health.md list them.
const MetricDef kMetrics[] = {
    {"running", T::Bool, "bool", "supervisor", "the service has processes (starting, running or stopping)", false, true,
     [](S s, Up) { return boolean(has_processes(s.state)); }},
    {"state", T::String, "string", "supervisor", "`stopped starting running stopping backoff failed`", false, false,
     [](S s, Up) {
       MetricReading r;
       r.present = true;
       r.text = to_string(s.state);
       return r;
     }},
    {"uptime", T::Duration, "s", "supervisor", "since the current run started", false, false,
     [](S s, Up) { return number(s.uptime); }},
    {"restarts", T::Plain, "count", "supervisor",
     "starts after the first since vigil started; `restarts(10m)` in rules counts starts within a window", false,
     false, [](S s, Up) { return number(s.restarts); }},
    {"exit_code", T::Plain, "number", "`wait4`", "the last run's exit code (no value when a signal ended it)", false,
     false,
     [](S s, Up) {
       return s.last_exit && !s.last_exit->status.signaled ? number(s.last_exit->status.code) : MetricReading{};
     }},
    {"exit_signal", T::Plain, "number", "`wait4`", "the signal that ended the last run (no value when it exited)",
     false, false,
     [](S s, Up) {
       return s.last_exit && s.last_exit->status.signaled ? number(s.last_exit->status.signal) : MetricReading{};
     }},
    {"cpu", T::Percent, "% of one core", "`/proc`, cgroup",
     "CPU time of the whole process tree (with cgroups: of the run's cgroup) over the last interval (a tree using two cores shows 200)", true, true,
     [](S s, Up) { return number(s.cpu); }},
    {"memory", T::Size, "bytes", "`/proc`, cgroup",
     "resident memory summed over the tree (with cgroups and the memory controller: the cgroup's working set)", true, true,
     [](S s, Up) { return number(s.memory); }},
    {"threads", T::Plain, "count", "`/proc`", "threads summed over the tree (with cgroups: over the run's cgroup)", true, true,
     [](S s, Up) { return number(s.threads); }},
    {"fds", T::Plain, "count", "`/proc`", "open descriptors summed over the tree (with cgroups: over the run's cgroup)", true, true,
     [](S s, Up) { return number(s.fds); }},
    {"output_idle", T::Duration, "s", "output pump", "since the service last wrote anything to stdout or stderr", true,
     true, [](S s, Up) { return number(s.output_idle); }},
    {"watchdog_age", T::Duration, "s", "notify socket", "since the last `WATCHDOG=1` (only with `watchdog`)", true,
     true, [](S s, Up) { return number(s.watchdog_age); }},
    {"data_age", T::Duration, "s", "store", "now minus the timestamp in the service's `freshness` key", true, true,
     [](S s, Up) { return number(s.data_age); }},
    {"store_up", T::Bool, "bool", "store", "whether the store answered the last batch within `[store] timeout`",
     false, false, [](S, Up up) { return up ? boolean(*up) : MetricReading{}; }},
};

const MetricFamily kMetricFamilies[] = {
    {"*custom*", "", T::Plain, "number", "store", "each name under the service's `metrics`", true},
    {"`probe.NAME`", "probe.", T::Bool, "bool", "probe",
     "the probe passes, after its thresholds (no value until one is reached, and while the service is down)", true},
    {"`probe_latency.NAME`", "probe_latency.", T::Duration, "s", "probe", "how long the probe's last check took", true},
    {"`probe_failures.NAME`", "probe_failures.", T::Plain, "count", "probe",
     "consecutive failed checks of the probe in the current run", true},
    {"`log.NAME`", "log.", T::Plain, "count", "output pump",
     "output lines that matched `log_match` pattern NAME since vigil started (a counter: use increase/rate)", true},
};

using J = const JobSnapshot&;

const JobMetricDef kJobMetrics[] = {
    {"running", T::Bool, "bool", "a run is going on (its condition, command, or a wait between retries)",
     [](J j) { return boolean(j.run.has_value()); }},
    {"last_run_ok", T::Bool, "bool",
     "the last run that is over succeeded, or its condition said there was nothing to do (no value before the first run)",
     [](J j) { return j.last_finished ? boolean(run_ok(j.last_finished->result)) : MetricReading{}; }},
    {"last_success_age", T::Duration, "s",
     "since the last run that ended ok ended (no value when none has); `last_success_age > 26h` pages for a nightly job "
     "that stopped running",
     [](J j) {
       return j.last_success_at > 0 ? number(std::max(0.0, j.taken_at - j.last_success_at)) : MetricReading{};
     }},
    {"last_duration", T::Duration, "s", "how long the final attempt of the last run that is over took",
     [](J j) {
       return j.last_finished ? number(std::max(0.0, j.last_finished->ended - j.last_finished->started)) : MetricReading{};
     }},
    {"last_exit_code", T::Plain, "number", "the exit code of that attempt (no value when a signal ended it)",
     [](J j) {
       return j.last_finished && j.last_finished->exit_code >= 0 ? number(j.last_finished->exit_code) : MetricReading{};
     }},
};

}  // namespace

std::span<const JobMetricDef> job_metric_table() { return kJobMetrics; }

const JobMetricDef* find_job_metric(std::string_view name) {
  for (const JobMetricDef& m : kJobMetrics)
    if (m.name == name) return &m;
  return nullptr;
}

std::string job_metric_table_markdown() {
  std::string out = "| metric | unit | meaning |\n|---|---|---|\n";
  for (const JobMetricDef& m : kJobMetrics)
    out.append("| `").append(m.name).append("` | ").append(m.unit).append(" | ").append(m.doc).append(" |\n");
  return out;
}

std::span<const MetricDef> metric_table() { return kMetrics; }
std::span<const MetricFamily> metric_families() { return kMetricFamilies; }

const MetricDef* find_metric(std::string_view name) {
  for (const MetricDef& m : kMetrics)
    if (m.name == name) return &m;
  return nullptr;
}

const MetricFamily* family_of(std::string_view name) {
  for (const MetricFamily& f : kMetricFamilies)
    if (!f.prefix.empty() && name.size() > f.prefix.size() && name.substr(0, f.prefix.size()) == f.prefix) return &f;
  return find_metric(name) ? nullptr : &kMetricFamilies[0];
}

MetricReading read_metric(std::string_view name, const ServiceSnapshot& s, std::optional<bool> store_up) {
  if (const MetricDef* m = find_metric(name)) return m->read(s, store_up);
  if (auto it = s.custom.find(std::string(name)); it != s.custom.end()) {
    MetricReading r = number(it->second);
    if (r.present && family_of(name)->type == T::Bool) r.boolean = r.number != 0;
    return r;
  }
  return {};
}

std::string format_metric(MetricType type, const MetricReading& v) {
  if (!v.present) return "n/a";
  char buf[64];
  switch (type) {
    case T::Bool: return v.boolean ? "true" : "false";
    case T::String: return std::string(v.text);
    case T::Duration: return format_seconds(v.number);
    case T::Size: return format_size(static_cast<std::uint64_t>(std::max(0.0, v.number)));
    case T::Percent: std::snprintf(buf, sizeof buf, "%.1f%%", v.number); return buf;
    case T::Plain: std::snprintf(buf, sizeof buf, "%g", v.number); return buf;
  }
  return "?";
}

std::string metric_table_markdown() {
  std::string out = "| metric | unit | from | meaning |\n|---|---|---|---|\n";
  auto row = [&](std::string_view name, std::string_view unit, std::string_view source, std::string_view doc) {
    out.append("| ").append(name).append(" | ").append(unit).append(" | ").append(source).append(" | ").append(doc);
    out += " |\n";
  };
  for (const MetricDef& m : kMetrics) row(std::string("`").append(m.name).append("`"), m.unit, m.source, m.doc);
  for (const MetricFamily& f : kMetricFamilies) row(f.shown_as, f.unit, f.source, f.doc);
  return out;
}

}  // namespace vigil
