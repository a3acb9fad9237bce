// The JSON form of a Snapshot (docs/status.md), written with JsonOut: it runs every sample.
#include "vigil/snapshot.hpp"

#include <algorithm>

#include "vigil/json_out.hpp"
#include "vigil/metrics.hpp"

namespace vigil {

int ServiceSnapshot::starts_within(double window_seconds) const {
  int n = 0;
  for (double age : start_ages)
    if (age <= window_seconds) ++n;
  return n;
}

namespace {

bool wanted(const std::vector<std::string>& only, const std::string& service) {
  return only.empty() || std::find(only.begin(), only.end(), service) != only.end();
}

void service_json(JsonOut& j, const ServiceSnapshot& s) {
  j.begin_object();
  j.key("name").value(s.name);
  j.key("state").value(to_string(s.state));
  j.key("pid");
  s.pid ? j.value(static_cast<std::int64_t>(s.pid)) : j.null();
  j.key("uptime").value(s.uptime);
  j.key("restarts").value(s.restarts);
  j.key("next_start_in").value(s.next_start_in);
  j.key("failed_reason").string_or_null(s.failed_reason);
  j.key("status_text").value(s.status_text);
  j.key("notified_mainpid").value(s.notified_mainpid);
  j.key("log_file").value(s.log_file);
  j.key("in_health_grace").value(s.in_health_grace);
  j.key("metrics").begin_object();
  for (const MetricDef& m : metric_table()) {
    if (!m.in_status_json) continue;
    MetricReading v = m.read(s, std::nullopt);
    j.key(m.name);
    if (m.type == MetricType::Bool) j.value(v.boolean);
    else v.present ? j.value(v.number) : j.null();
  }
  for (const auto& [name, value] : s.custom) {
    j.key(name);
    if (value && family_of(name) && family_of(name)->type == MetricType::Bool) j.value(*value != 0);
    else j.value(value);
  }
  j.end_object();
  j.key("cpu_seconds_total").value(s.cpu_seconds_total);
  j.key("log_dropped_lines").value(s.log_dropped_lines);
  j.key("log_lines").begin_object();
  j.key("stdout").value(s.log_lines_stdout);
  j.key("stderr").value(s.log_lines_stderr);
  j.end_object();
  j.key("startup_held").value(s.startup_held);
  j.key("probes").begin_array();
  for (const ProbeView& p : s.probes) {
    j.begin_object();
    j.key("name").value(p.name);
    j.key("type").value(to_string(p.kind));
    j.key("state").value(to_string(p.state));
    j.key("startup").value(p.startup);
    j.key("passing");
    if (p.state == ProbeState::Passing || p.state == ProbeState::Failing) j.value(p.state == ProbeState::Passing);
    else j.null();
    j.key("failures").value(p.failures);
    j.key("latency").value(p.latency);
    j.key("last_passed").value(p.last_passed);
    j.key("http_status");
    p.http_status ? j.value(p.http_status) : j.null();
    j.key("detail").value(p.detail);
    j.key("last_check_age").value(p.last_check_age);
    j.key("checks").value(p.checks);
    j.key("failed_checks").value(p.failed_checks);
    j.end_object();
  }
  j.end_array();
  j.key("log_counters").begin_object();
  for (const LogCounterView& c : s.log_counters) {
    j.key(c.name).begin_object();
    j.key("count").value(c.count);
    j.key("last_line").string_or_null(c.last_line);
    j.key("last_at");
    c.last_at > 0 ? j.value(c.last_at) : j.null();
    j.end_object();
  }
  j.end_object();
  j.key("rules").begin_array();
  for (const RuleStateView& r : s.rule_states) {
    j.begin_object();
    j.key("rule").value(r.rule);
    j.key("severity").value(to_string(r.severity));
    j.key("state").value(r.active ? to_string(r.state) : std::string_view("inactive"));
    j.key("since");
    r.active ? j.value(r.since) : j.null();
    j.key("value").value(r.value);
    j.key("no_data").value(r.no_data);
    j.end_object();
  }
  j.end_array();
  j.key("store_error").string_or_null(s.store_error);
  j.key("thresholds").begin_object();
  for (const auto& [metric, t] : s.thresholds) {
    j.key(metric).begin_object();
    j.key("warning").value(t.warning);
    j.key("critical").value(t.critical);
    j.end_object();
  }
  j.end_object();
  j.key("health").value(to_string(s.health));
  j.key("health_summary").value(s.health_summary);
  j.key("last_exit");
  if (s.last_exit) {
    const ExitStatus& e = s.last_exit->status;
    j.begin_object();
    j.key("code");
    e.signaled ? j.null() : j.value(e.code);
    j.key("signal");
    e.signaled ? j.value(e.signal) : j.null();
    j.key("description").value(e.describe());
    j.key("requested").value(s.last_exit->requested);
    j.key("cpu_seconds").value(e.cpu_seconds);
    j.key("max_rss");
    e.max_rss > 0 ? j.value(e.max_rss) : j.null();  // null: not known (ExitStatus::max_rss)
    j.key("age").value(s.last_exit->age);
    j.end_object();
  } else {
    j.null();
  }
  j.end_object();
}

void alert_list(JsonOut& j, const Snapshot& snap, const std::vector<std::string>& only) {
  j.begin_array();
  for (const auto& a : snap.alerts) {
    if (!wanted(only, a.service)) continue;
    j.begin_object();
    j.key("rule").value(a.rule);
    j.key("service").value(a.service);
    j.key("severity").value(to_string(a.severity));
    j.key("state").value(to_string(a.state));
    j.key("summary").value(a.summary);
    j.key("value").value(a.value);
    j.key("values").begin_object();
    for (const auto& [k, v] : a.values) j.key(k).value(v);
    j.end_object();
    j.key("since").value(a.since);
    j.key("count").value(a.count);
    j.key("muted_by").string_or_null(a.muted_by);
    j.key("no_data_since").value(a.no_data_since);
    j.key("action").string_or_null(a.action);
    j.end_object();
  }
  j.end_array();
}

void job_json(JsonOut& j, const JobSnapshot& job) {
  j.begin_object();
  j.key("name").value(job.name);
  j.key("state").value(job.state);
  j.key("schedule").string_or_null(job.schedule);
  j.key("next_run");
  job.next_run > 0 ? j.value(job.next_run) : j.null();
  j.key("run");
  if (job.run) {
    j.begin_object();
    j.key("run_id").value(job.run->run_id);
    j.key("trigger").value(to_string(job.run->trigger));
    j.key("attempt").value(job.run->attempt);
    j.key("started").value(job.run->started);
    j.key("pid").value(static_cast<std::int64_t>(job.run->pid));
    j.end_object();
  } else {
    j.null();
  }
  j.key("queued").value(job.queued);
  j.key("log_file").value(job.log_file);
  j.key("last");
  if (job.last) attempt_json(j, *job.last);
  else j.null();
  j.key("last_success");
  job.last_success_at > 0 ? j.value(job.last_success_at) : j.null();
  j.key("metrics").begin_object();
  for (const JobMetricDef& m : job_metric_table()) {
    MetricReading v = m.read(job);
    j.key(m.name);
    if (!v.present) j.null();
    else if (m.type == MetricType::Bool) j.value(v.boolean);
    else j.value(v.number);
  }
  j.end_object();
  j.end_object();
}

}  // namespace

std::string jobs_json(const std::vector<JobSnapshot>& jobs) {
  std::string out;
  JsonOut j(out);
  j.begin_array();
  for (const JobSnapshot& job : jobs) job_json(j, job);
  j.end_array();
  return out;
}

std::string alerts_json(const Snapshot& snap) {
  std::string out;
  JsonOut j(out);
  alert_list(j, snap, {});
  return out;
}

std::string to_json(const Snapshot& snap, const std::vector<std::string>& only) {
  std::string out;
  out.reserve(512 + snap.services.size() * 600);
  JsonOut j(out);
  j.begin_object();
  j.key("vigil").begin_object();
  j.key("version").value(snap.version);
  j.key("pid").value(static_cast<std::int64_t>(snap.pid));
  j.key("uptime").value(snap.uptime);
  j.key("config").value(snap.config_path);
  j.key("taken_at").value(snap.taken_at);
  j.key("config_loaded_at").value(snap.config_loaded_at);
  j.key("containment").begin_object();
  j.key("mode").value(snap.cgroups ? "cgroups" : "process-groups");
  j.key("detail").value(snap.containment_detail);
  j.end_object();
  j.end_object();
  j.key("store").begin_object();
  j.key("configured").value(snap.store.configured);
  j.key("store_up");
  snap.store.configured ? j.value(snap.store.up) : j.null();
  j.key("error").string_or_null(snap.store.error);
  j.key("keyspace_events").value(snap.store.keyspace_events);
  j.end_object();
  j.key("services").begin_array();
  for (const auto& s : snap.services)
    if (wanted(only, s.name)) service_json(j, s);
  j.end_array();
  if (only.empty()) {
    j.key("jobs").begin_array();
    for (const JobSnapshot& job : snap.jobs) job_json(j, job);
    j.end_array();
  }
  j.key("alerts");
  alert_list(j, snap, only);
  const RulesView& r = snap.rules;
  j.key("rules").begin_object();
  j.key("path").string_or_null(r.path);
  j.key("loaded").value(r.loaded);
  j.key("count").value(r.rules);
  j.key("loaded_at").value(r.loaded_at);
  j.key("error").string_or_null(r.error);
  j.key("watch_error").string_or_null(r.watch_error);
  j.end_object();
  j.key("reload").begin_object();
  j.key("at");
  snap.reload.at > 0 ? j.value(snap.reload.at) : j.null();
  j.key("ok").value(snap.reload.ok);
  j.key("result").string_or_null(snap.reload.result);
  j.end_object();
  j.key("notifiers").begin_array();
  for (const auto& n : snap.notifiers) {
    j.begin_object();
    j.key("name").value(n.name);
    j.key("type").value(n.type);
    j.key("sent").value(n.sent);
    j.key("failed").value(n.failed);
    j.key("dropped").value(n.dropped);
    j.key("last_error").string_or_null(n.last_error);
    j.end_object();
  }
  j.end_array();
  j.end_object();
  return out;
}

}  // namespace vigil
