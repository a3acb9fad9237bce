#pragma once
// The rule expression language (`when`, `clear_when`): lexer, parser with type checking, evaluator.
// Pure: text in, a typed tree out; evaluation reads a ServiceSnapshot and the store state.
//
//   data_age > 60s and not (state == "stopping")      cpu > 80%      memory >= 1.5GB
//   restarts(10m) > 3                                 exit_code != 0 (an event rule)
//   not probe.http                                    increase(log.errors, 1m) > 3
//   rate(files, 5m) * 60 < 1                          updates(5m) < 1
//
// Precedence, loosest first: or · and · not · comparisons · + - · * / · unary - · primary.
// Types are checked when the rule file is loaded: a duration compared to a size, or a string to a
// number, is an error with its column. A plain number goes with any unit (`cpu > 80`, `uptime < 30`
// meaning seconds). A metric with no value makes every comparison it is in false.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/metric_window.hpp"
#include "vigil/metrics.hpp"
#include "vigil/snapshot.hpp"

namespace vigil::expr {

// A metric's type is the type of the expression that names it (metrics.hpp).
using Type = MetricType;

struct Error {
  std::uint32_t column = 1;  // 1-based, inside the expression text
  std::string message;
};

struct Node;
using NodePtr = std::shared_ptr<const Node>;

enum class Op { Or, And, Not, Neg, Lt, Le, Gt, Ge, Eq, Ne, Add, Sub, Mul, Div };

struct Node {
  // Window: fn(text, number) over the metric's history; Updates: updates(number).
  enum class Kind { Number, String, Bool, Metric, Restarts, Window, Updates, Unary, Binary } kind = Kind::Number;
  Type type = Type::Plain;
  std::uint32_t column = 1;
  double number = 0;       // Number (in base units: seconds, bytes, percent); Restarts: window seconds
  std::string text;        // String literal, Metric name
  const MetricDef* metric = nullptr;  // Metric: the built-in row; nullptr for a family member (custom)
  const JobMetricDef* job_metric = nullptr;  // Metric of a job rule: its row
  bool boolean = false;
  Op op = Op::Add;
  WindowFn window_fn = WindowFn::Rate;  // Window
  NodePtr lhs, rhs;        // Unary uses lhs
};

struct Parsed {
  NodePtr root;       // set when error is empty
  std::optional<Error> error;
  std::set<std::string> metrics;  // every metric the expression names (restarts as "restarts")
  WindowNeeds windows;            // metrics looked at over windows, with their longest window (updates: kUpdates)
};

/// What a rule looks at: a service (every metric of metrics.hpp's table and families) or a job
/// (the job metrics only).
enum class Subject { Service, Job };

/// Parses and type-checks; the whole expression must be boolean.
Parsed parse(std::string_view text, const std::map<std::string, Type>& custom_metrics,
             Subject subject = Subject::Service);

/// What an expression is evaluated against.
struct Context {
  const ServiceSnapshot* service = nullptr;
  std::optional<bool> store_up;  // empty when no store is configured
  const WindowHistory* windows = nullptr;  // histories for window functions (none: they have no value)
  double now = 0;                          // unix seconds, the end of every window
  const JobSnapshot* job = nullptr;        // instead of `service`, for a job rule
};

/// True only if the expression holds; a comparison with a metric that has no value is false.
bool holds(const Node& root, const Context& ctx);

/// Three-valued (Kleene) evaluation for the alert lifecycle: Unknown when the result depends on a
/// metric with no value (`not` and comparisons pass Unknown on; `and` is False if either side is
/// False, `or` True if either side is True). When it is True or False, holds() says the same, so
/// expressions keep their documented meaning; the engine only learns when "false" was "no data".
enum class Truth { False, True, Unknown };
Truth evaluate(const Node& root, const Context& ctx);
Truth negate(Truth t);

/// The numbers `metric` must exceed for the expression to change: N in `metric > N`,
/// `metric >= N`, `N < metric`, `N <= metric` (base units). Lets vigil wake up exactly when a
/// growing metric such as data_age will cross a threshold, instead of at the next sample.
std::vector<double> rising_thresholds(const Node& root, const std::string& metric);

/// `metric > N`, `metric >= N`, `N < metric`, `N <= metric` as the whole expression: (metric, N).
/// The threshold a monitoring system can show next to the metric.
std::optional<std::pair<std::string, double>> simple_threshold(const Node& root);

/// Each window term of the expression with its value now, formatted:
/// {"increase(log.errors, 1m)", "5"}, {"updates(5m)", "n/a"}. Alerts show them with the metrics.
std::vector<std::pair<std::string, std::string>> window_values(const Node& root, const Context& ctx);

/// The value of one metric, formatted with its unit ("73.2s", "612MB", "85.3%"), or "n/a".
std::string metric_value(const std::string& metric, const Context& ctx, const std::map<std::string, Type>& custom);

}  // namespace vigil::expr
