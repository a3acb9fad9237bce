// The exposition table (exposition.hpp): one row per family of GET /metrics. Pure.
#include "vigil/exposition.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <vector>

#include "vigil/snapshot.hpp"

namespace vigil {

namespace {

void escape_into(std::string& out, std::string_view v) {
  for (char c : v) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
}

}  // namespace

void ExpositionWriter::sample(std::string_view family, std::string_view name_label) {
  out_.append(family);
  out_ += '{';
  out_.append(name_label);
  open_ = true;
}

void ExpositionWriter::label(std::string_view key, std::string_view value) {
  if (!open_) {
    out_ += '{';
    open_ = true;
  } else if (out_.back() != '{') {
    out_ += ',';
  }
  out_.append(key);
  out_ += "=\"";
  escape_into(out_, value);
  out_ += '"';
}

void ExpositionWriter::value(double v) {
  if (open_) out_ += '}';
  open_ = false;
  out_ += ' ';
  if (std::isnan(v)) out_ += "NaN";
  else if (std::isinf(v)) out_ += v > 0 ? "+Inf" : "-Inf";
  else if (v == std::floor(v) && std::fabs(v) < 1e15) {
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, static_cast<long long>(v));
    out_.append(buf, r.ptr);
  } else {
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out_.append(buf, r.ptr);
  }
  out_ += '\n';
  wrote = true;
}

void ExpositionWriter::value(std::uint64_t v) {
  if (open_) out_ += '}';
  open_ = false;
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out_ += ' ';
  out_.append(buf, r.ptr);
  out_ += '\n';
  wrote = true;
}

void ExpositionWriter::plain(std::string_view family, double v) {
  out_.append(family);
  open_ = false;
  value(v);
}

namespace {

using W = ExpositionWriter;
using In = const ExpositionInput&;

// One sample per service that has a value.
template <class Read>
void per_service(W& w, In in, std::string_view family, Read read) {
  const auto& services = in.snap.services;
  for (std::size_t i = 0; i < services.size(); ++i) {
    std::optional<double> v = read(services[i]);
    if (!v) continue;
    w.sample(family, w.name_labels[i]);
    w.value(*v);
  }
}

// One sample per job that has a value.
template <class Read>
void per_job(W& w, In in, std::string_view family, Read read) {
  for (const JobSnapshot& j : in.snap.jobs) {
    std::optional<double> v = read(j);
    if (!v) continue;
    w.sample(family, "");
    w.label("name", j.name);
    w.value(*v);
  }
}

template <class Each>
void for_each_probe(In in, Each each) {
  const auto& services = in.snap.services;
  for (std::size_t i = 0; i < services.size(); ++i)
    for (const ProbeView& p : services[i].probes) each(i, p);
}

constexpr State kStates[] = {State::Stopped, State::Starting, State::Running,
                             State::Stopping, State::Backoff,  State::Failed};
constexpr Health kHealths[] = {Health::Ok, Health::Info, Health::Warning, Health::Critical};

const ExpositionFamily kFamilies[] = {
    {"vigil_build_info", "gauge", "version", "vigil's version; always 1", false,
     [](W& w, In in) {
       w.sample("vigil_build_info", "");
       w.label("version", in.snap.version);
       w.value(1.0);
     }},
    {"vigil_service_up", "gauge", "name", "1 when the service is running (started, and ready if it notifies), else 0",
     false,
     [](W& w, In in) {
       per_service(w, in, "vigil_service_up", [](const ServiceSnapshot& s) -> std::optional<double> {
         return s.state == State::Running ? 1.0 : 0.0;
       });
     }},
    {"vigil_service_state", "gauge", "name, state",
     "1 for the state the service is in (stopped starting running stopping backoff failed), 0 for the others", false,
     [](W& w, In in) {
       const auto& services = in.snap.services;
       for (std::size_t i = 0; i < services.size(); ++i)
         for (State st : kStates) {
           w.sample("vigil_service_state", w.name_labels[i]);
           w.label("state", to_string(st));
           w.value(services[i].state == st ? 1.0 : 0.0);
         }
     }},
    {"vigil_service_health", "gauge", "name, health",
     "1 for the service's health (ok info warning critical: its worst firing alert), 0 for the others", false,
     [](W& w, In in) {
       const auto& services = in.snap.services;
       for (std::size_t i = 0; i < services.size(); ++i)
         for (Health h : kHealths) {
           w.sample("vigil_service_health", w.name_labels[i]);
           w.label("health", to_string(h));
           w.value(services[i].health == h ? 1.0 : 0.0);
         }
     }},
    {"vigil_service_restarts_total", "counter", "name", "starts after the first since vigil started", false,
     [](W& w, In in) {
       per_service(w, in, "vigil_service_restarts_total",
                   [](const ServiceSnapshot& s) -> std::optional<double> { return s.restarts; });
     }},
    {"vigil_service_start_time_seconds", "gauge", "name", "when the current run started (unix seconds); absent when not running",
     false,
     [](W& w, In in) {
       double at = in.snap.taken_at;
       per_service(w, in, "vigil_service_start_time_seconds", [at](const ServiceSnapshot& s) -> std::optional<double> {
         if (!s.uptime) return std::nullopt;
         return std::round((at - *s.uptime) * 1000) / 1000;
       });
     }},
    {"vigil_service_cpu_seconds_total", "counter", "name",
     "CPU time of the service's process trees since vigil started, as sampling saw it", false,
     [](W& w, In in) {
       per_service(w, in, "vigil_service_cpu_seconds_total",
                   [](const ServiceSnapshot& s) -> std::optional<double> { return s.cpu_seconds_total; });
     }},
    {"vigil_service_resident_memory_bytes", "gauge", "name", "resident memory summed over the process tree", false,
     [](W& w, In in) {
       per_service(w, in, "vigil_service_resident_memory_bytes", [](const ServiceSnapshot& s) { return s.memory; });
     }},
    {"vigil_service_threads", "gauge", "name", "threads summed over the process tree", false,
     [](W& w, In in) { per_service(w, in, "vigil_service_threads", [](const ServiceSnapshot& s) { return s.threads; }); }},
    {"vigil_service_open_fds", "gauge", "name", "open file descriptors summed over the process tree", false,
     [](W& w, In in) { per_service(w, in, "vigil_service_open_fds", [](const ServiceSnapshot& s) { return s.fds; }); }},
    {"vigil_service_last_exit_code", "gauge", "name", "the last run's exit code; absent when a signal ended it or no run ended",
     false,
     [](W& w, In in) {
       per_service(w, in, "vigil_service_last_exit_code", [](const ServiceSnapshot& s) -> std::optional<double> {
         if (!s.last_exit || s.last_exit->status.signaled) return std::nullopt;
         return s.last_exit->status.code;
       });
     }},
    {"vigil_service_last_exit_signal", "gauge", "name", "the signal that ended the last run; absent when it exited", false,
     [](W& w, In in) {
       per_service(w, in, "vigil_service_last_exit_signal", [](const ServiceSnapshot& s) -> std::optional<double> {
         if (!s.last_exit || !s.last_exit->status.signaled) return std::nullopt;
         return s.last_exit->status.signal;
       });
     }},
    {"vigil_service_data_age_seconds", "gauge", "name", "now minus the timestamp in the service's freshness key (store)",
     false,
     [](W& w, In in) {
       per_service(w, in, "vigil_service_data_age_seconds", [](const ServiceSnapshot& s) { return s.data_age; });
     }},
    {"vigil_service_output_idle_seconds", "gauge", "name", "since the service last wrote to stdout or stderr", false,
     [](W& w, In in) {
       per_service(w, in, "vigil_service_output_idle_seconds", [](const ServiceSnapshot& s) { return s.output_idle; });
     }},
    {"vigil_service_watchdog_age_seconds", "gauge", "name", "since the last WATCHDOG=1 (only with watchdog)", false,
     [](W& w, In in) {
       per_service(w, in, "vigil_service_watchdog_age_seconds", [](const ServiceSnapshot& s) { return s.watchdog_age; });
     }},
    {"vigil_service_metric", "gauge", "name, metric", "each store metric the service declares under `metrics`", false,
     [](W& w, In in) {
       const auto& services = in.snap.services;
       for (std::size_t i = 0; i < services.size(); ++i)
         for (const auto& [metric, v] : services[i].custom) {
           if (!v || metric.find('.') != std::string::npos) continue;  // probe.X, log.X: families of their own
           w.sample("vigil_service_metric", w.name_labels[i]);
           w.label("metric", metric);
           w.value(*v);
         }
     }},
    {"vigil_log_lines_total", "counter", "name, stream", "lines the service wrote to stdout and stderr", false,
     [](W& w, In in) {
       const auto& services = in.snap.services;
       for (std::size_t i = 0; i < services.size(); ++i) {
         w.sample("vigil_log_lines_total", w.name_labels[i]);
         w.label("stream", "stdout");
         w.value(services[i].log_lines_stdout);
         w.sample("vigil_log_lines_total", w.name_labels[i]);
         w.label("stream", "stderr");
         w.value(services[i].log_lines_stderr);
       }
     }},
    {"vigil_log_dropped_lines_total", "counter", "name", "child output lines dropped under log_overflow = \"drop\"", false,
     [](W& w, In in) {
       per_service(w, in, "vigil_log_dropped_lines_total",
                   [](const ServiceSnapshot& s) -> std::optional<double> { return static_cast<double>(s.log_dropped_lines); });
     }},
    {"vigil_log_matches_total", "counter", "name, match", "lines that matched each of the service's `log_match` patterns",
     false,
     [](W& w, In in) {
       const auto& services = in.snap.services;
       for (std::size_t i = 0; i < services.size(); ++i)
         for (const LogCounterView& c : services[i].log_counters) {
           w.sample("vigil_log_matches_total", w.name_labels[i]);
           w.label("match", c.name);
           w.value(c.count);
         }
     }},
    {"vigil_probe_success", "gauge", "name, probe",
     "1 while the probe passes, 0 while it fails (after its thresholds); absent before its first verdict", false,
     [](W& w, In in) {
       for_each_probe(in, [&w](std::size_t i, const ProbeView& p) {
         if (p.state != ProbeState::Passing && p.state != ProbeState::Failing) return;
         w.sample("vigil_probe_success", w.name_labels[i]);
         w.label("probe", p.name);
         w.value(p.state == ProbeState::Passing ? 1.0 : 0.0);
       });
     }},
    {"vigil_probe_duration_seconds", "gauge", "name, probe", "how long the probe's last check took", false,
     [](W& w, In in) {
       for_each_probe(in, [&w](std::size_t i, const ProbeView& p) {
         if (!p.latency) return;
         w.sample("vigil_probe_duration_seconds", w.name_labels[i]);
         w.label("probe", p.name);
         w.value(*p.latency);
       });
     }},
    {"vigil_probe_checks_total", "counter", "name, probe, result", "checks since vigil started: passed and failed",
     false,
     [](W& w, In in) {
       for_each_probe(in, [&w](std::size_t i, const ProbeView& p) {
         const std::pair<std::string_view, std::uint64_t> results[] = {{"passed", p.checks - p.failed_checks},
                                                                       {"failed", p.failed_checks}};
         for (const auto& [result, count] : results) {
           w.sample("vigil_probe_checks_total", w.name_labels[i]);
           w.label("probe", p.name);
           w.label("result", result);
           w.value(count);
         }
       });
     }},
    {"vigil_job_running", "gauge", "name", "1 while a run of the job is going on, else 0", false,
     [](W& w, In in) {
       per_job(w, in, "vigil_job_running", [](const JobSnapshot& j) -> std::optional<double> { return j.run ? 1.0 : 0.0; });
     }},
    {"vigil_job_last_run_success", "gauge", "name",
     "1 when the job's last finished run succeeded (or had nothing to do), 0 when it failed; absent before the first",
     false,
     [](W& w, In in) {
       per_job(w, in, "vigil_job_last_run_success", [](const JobSnapshot& j) -> std::optional<double> {
         if (!j.last_finished) return std::nullopt;
         return run_ok(j.last_finished->result) ? 1.0 : 0.0;
       });
     }},
    {"vigil_job_last_success_timestamp_seconds", "gauge", "name",
     "when the job's last run that ended ok ended (unix seconds); `time() - it > 26*3600` pages for a stalled nightly job",
     false,
     [](W& w, In in) {
       per_job(w, in, "vigil_job_last_success_timestamp_seconds", [](const JobSnapshot& j) -> std::optional<double> {
         if (j.last_success_at <= 0) return std::nullopt;
         return std::round(j.last_success_at * 1000) / 1000;
       });
     }},
    {"vigil_job_last_duration_seconds", "gauge", "name", "how long the final attempt of the job's last finished run took",
     false,
     [](W& w, In in) {
       per_job(w, in, "vigil_job_last_duration_seconds", [](const JobSnapshot& j) -> std::optional<double> {
         if (!j.last_finished) return std::nullopt;
         return std::max(0.0, j.last_finished->ended - j.last_finished->started);
       });
     }},
    {"vigil_job_next_run_timestamp_seconds", "gauge", "name", "when the job runs next on its schedule (unix seconds)",
     false,
     [](W& w, In in) {
       per_job(w, in, "vigil_job_next_run_timestamp_seconds", [](const JobSnapshot& j) -> std::optional<double> {
         if (j.next_run <= 0) return std::nullopt;
         return std::round(j.next_run);
       });
     }},
    {"vigil_alerts", "gauge", "name, alertname, alertstate, severity",
     "1 per pending or firing alert (as Prometheus' ALERTS)", false,
     [](W& w, In in) {
       for (const AlertView& a : in.snap.alerts) {
         w.sample("vigil_alerts", "");
         w.label("name", a.service);
         w.label("alertname", a.rule);
         w.label("alertstate", to_string(a.state));
         w.label("severity", to_string(a.severity));
         w.value(1.0);
       }
     }},
    {"vigil_notifications_total", "counter", "notifier, result",
     "notifications per notifier: sent, failed (attempts) and dropped (queue full)", false,
     [](W& w, In in) {
       for (const NotifierView& n : in.snap.notifiers) {
         const std::pair<std::string_view, std::uint64_t> results[] = {
             {"sent", n.sent}, {"failed", n.failed}, {"dropped", n.dropped}};
         for (const auto& [result, count] : results) {
           w.sample("vigil_notifications_total", "");
           w.label("notifier", n.name);
           w.label("result", result);
           w.value(count);
         }
       }
     }},
    {"vigil_config_last_reload_successful", "gauge", "", "1 when the last config reload was applied, its rules included (or none happened)",
     false, [](W& w, In in) { w.plain("vigil_config_last_reload_successful", in.snap.reload.ok ? 1 : 0); }},
    {"vigil_config_last_reload_success_timestamp_seconds", "gauge", "",
     "when the config in force was loaded (unix seconds)", false,
     [](W& w, In in) {
       w.plain("vigil_config_last_reload_success_timestamp_seconds", std::round(in.snap.config_loaded_at));
     }},
    {"vigil_rules_last_reload_successful", "gauge", "",
     "1 unless the last edit of the rules file was rejected (the rules in force stay)", false,
     [](W& w, In in) { w.plain("vigil_rules_last_reload_successful", in.snap.rules.error.empty() ? 1 : 0); }},
    {"vigil_rules", "gauge", "", "rules in force", false,
     [](W& w, In in) { w.plain("vigil_rules", in.snap.rules.rules); }},
    {"vigil_store_up", "gauge", "", "1 when the store answered the last batch; absent without a store", false,
     [](W& w, In in) {
       if (in.snap.store.configured) w.plain("vigil_store_up", in.snap.store.up ? 1 : 0);
     }},
    {"process_cpu_seconds_total", "counter", "", "user and system CPU time of vigil itself", true,
     [](W& w, In in) { w.plain("process_cpu_seconds_total", in.self->cpu_seconds); }},
    {"process_resident_memory_bytes", "gauge", "", "resident memory of vigil itself", true,
     [](W& w, In in) { w.plain("process_resident_memory_bytes", in.self->resident_bytes); }},
    {"process_virtual_memory_bytes", "gauge", "", "virtual memory of vigil itself", true,
     [](W& w, In in) { w.plain("process_virtual_memory_bytes", in.self->virtual_bytes); }},
    {"process_start_time_seconds", "gauge", "", "when vigil started (unix seconds)", true,
     [](W& w, In in) { w.plain("process_start_time_seconds", in.self->start_time); }},
    {"process_open_fds", "gauge", "", "open file descriptors of vigil itself", true,
     [](W& w, In in) { w.plain("process_open_fds", in.self->open_fds); }},
    {"process_max_fds", "gauge", "", "vigil's open-file limit", true,
     [](W& w, In in) { w.plain("process_max_fds", in.self->max_fds); }},
};

}  // namespace

std::span<const ExpositionFamily> exposition_table() { return kFamilies; }

void append_exposition(std::string& out, const ExpositionInput& in) {
  std::vector<std::string> names;
  names.reserve(in.snap.services.size());
  for (const auto& s : in.snap.services) {
    std::string l = "name=\"";
    escape_into(l, s.name);
    l += '"';
    names.push_back(std::move(l));
  }
  out.reserve(out.size() + 1024 + in.snap.services.size() * 1800);
  for (const ExpositionFamily& f : kFamilies) {
    if (f.self && !in.self) continue;
    std::size_t mark = out.size();
    out.append("# HELP ").append(f.name).append(" ").append(f.help).append("\n# TYPE ").append(f.name);
    out.append(" ").append(f.type).append("\n");
    ExpositionWriter w(out);
    w.name_labels = names;
    f.write(w, in);
    if (!w.wrote) out.resize(mark);
  }
}

std::string exposition_text(const ExpositionInput& in) {
  std::string out;
  append_exposition(out, in);
  return out;
}

std::string exposition_table_markdown() {
  std::string out = "| metric | type | labels | meaning |\n|---|---|---|---|\n";
  for (const ExpositionFamily& f : kFamilies) {
    out.append("| `").append(f.name).append("` | ").append(f.type).append(" | ");
    out.append(f.labels.empty() ? "" : f.labels).append(" | ").append(f.help).append(" |\n");
  }
  return out;
}

}  // namespace vigil
