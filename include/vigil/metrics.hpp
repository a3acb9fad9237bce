#pragma once
// The metric table: every metric a rule may name, that status shows and status.json holds, listed
// once. The expression parser takes names and types from it, the evaluator reads values through it,
// the rules checks take "sampled" from it, the snapshot JSON writes its `metrics` object from it, and
// the metric table of docs/health.md is checked against it by a unit test (MetricTable.*).
// A new built-in metric is one row in metrics.cpp.
//
// Families: metrics whose members are declared per service rather than built in: the store metrics
// of a service (`metrics = { lag = {...} }`), its probes (probe.NAME, probe_latency.NAME,
// probe_failures.NAME) and its log counters (log.NAME). A member's value lives in ServiceSnapshot::custom under its full name.
// Pure.
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace vigil {

struct ServiceSnapshot;
struct JobSnapshot;

/// What kind of value a metric holds; decides which comparisons type-check and how it is written.
enum class MetricType { Plain, Duration, Size, Percent, Bool, String };

/// "a number", "a duration", ...: for error messages.
std::string_view to_string(MetricType t);

/// A metric's value at one moment. `present == false`: no value (not running, never sampled,
/// store down), which is not zero.
struct MetricReading {
  bool present = false;
  double number = 0;
  bool boolean = false;
  std::string_view text;  // String metrics; points into static storage
};

struct MetricDef {
  std::string_view name;
  MetricType type;
  std::string_view unit;    // as docs/health.md shows it
  std::string_view source;  // what measures it (docs/health.md)
  std::string_view doc;     // one line of meaning (docs/health.md)
  bool sampled;             // measured by sampling: a rule that names it is quiet during health_grace
  bool in_status_json;      // written under "metrics" in status.json
  MetricReading (*read)(const ServiceSnapshot& service, std::optional<bool> store_up);
};

struct MetricFamily {
  std::string_view shown_as;  // the docs row's name
  std::string_view prefix;    // members' names start with it ("" for store metrics)
  MetricType type;
  std::string_view unit, source, doc;
  bool sampled;
};

/// Every built-in metric, in the order status.json and docs/health.md list them.
std::span<const MetricDef> metric_table();
std::span<const MetricFamily> metric_families();
/// nullptr when `name` is not a built-in metric.
const MetricDef* find_metric(std::string_view name);

/// The family a member belongs to by its prefix ("probe.http" → probe.NAME); the store family for
/// any other name that is not built in; nullptr for a built-in metric.
const MetricFamily* family_of(std::string_view name);

/// Reads a built-in metric or a family member (from ServiceSnapshot::custom).
MetricReading read_metric(std::string_view name, const ServiceSnapshot& service, std::optional<bool> store_up);

/// A metric of a job (a rule with `jobs = [...]` names these, and only these). One table as well:
/// the parser, the evaluator, status.json's job `metrics` and docs/jobs.md's table come from it.
struct JobMetricDef {
  std::string_view name;
  MetricType type;
  std::string_view unit;
  std::string_view doc;
  MetricReading (*read)(const JobSnapshot& job);
};
std::span<const JobMetricDef> job_metric_table();
/// nullptr when `name` is not a job metric.
const JobMetricDef* find_job_metric(std::string_view name);
/// docs/jobs.md's metric table (markdown).
std::string job_metric_table_markdown();

/// A value as alerts and summaries show it: "73.2s", "612MB", "85.3%", "true", or "n/a".
std::string format_metric(MetricType type, const MetricReading& value);

/// The metric table of docs/health.md (markdown), generated from the table and the families.
std::string metric_table_markdown();

}  // namespace vigil
