// Evaluation of rule expressions against a ServiceSnapshot (expr.hpp). Pure.
#include "vigil/expr.hpp"

#include "vigil/quantity.hpp"

namespace vigil::expr {
namespace {

// A value that may be missing ("no value"): comparisons with a missing side are false.
struct Value {
  bool present = false;
  double number = 0;
  bool boolean = false;
  std::string text;
};

Value value_of(const MetricReading& r) { return Value{r.present, r.number, r.boolean, std::string(r.text)}; }

// `kleene`: a boolean with no value stays "no value" through `not`, `and`, `or` and comparisons
// (evaluate()); otherwise a comparison with no value is false, as documented (holds()).
Value eval(const Node& n, const Context& ctx, bool kleene) {
  Value v;
  switch (n.kind) {
    case Node::Kind::Number:
      v.present = true;
      v.number = n.number;
      return v;
    case Node::Kind::String:
      v.present = true;
      v.text = n.text;
      return v;
    case Node::Kind::Bool:
      v.present = true;
      v.boolean = n.boolean;
      return v;
    case Node::Kind::Metric:
      // Resolved to its row when parsed: no name lookup per evaluation.
      if (n.job_metric) return ctx.job ? value_of(n.job_metric->read(*ctx.job)) : v;
      return value_of(n.metric ? n.metric->read(*ctx.service, ctx.store_up)
                               : read_metric(n.text, *ctx.service, ctx.store_up));
    case Node::Kind::Restarts:
      v.present = true;
      v.number = ctx.service->starts_within(n.number);
      return v;
    case Node::Kind::Window:
    case Node::Kind::Updates: {
      // A window the history does not cover yet (or no history at all) has no value.
      if (!ctx.windows) return v;
      auto r = n.kind == Node::Kind::Updates
                   ? ctx.windows->apply(ctx.service->name, WindowFn::Increase, kUpdates, ctx.now, n.number)
                   : ctx.windows->apply(ctx.service->name, n.window_fn, n.text, ctx.now, n.number);
      if (!r) return v;
      v.present = true;
      v.number = *r;
      return v;
    }
    case Node::Kind::Unary: {
      Value a = eval(*n.lhs, ctx, kleene);
      if (n.op == Op::Not) {
        if (kleene && !a.present) return v;
        v.present = true;
        v.boolean = !(a.present && a.boolean);
        return v;
      }
      if (!a.present) return v;
      v.present = true;
      v.number = -a.number;
      return v;
    }
    case Node::Kind::Binary:
      break;
  }
  if (n.op == Op::And || n.op == Op::Or) {
    Value a = eval(*n.lhs, ctx, kleene);
    bool l = a.present && a.boolean;
    bool decisive = a.present && (n.op == Op::And ? !a.boolean : a.boolean);
    if (!kleene || decisive) {
      if (n.op == Op::And && !l) return Value{true, 0, false, {}};
      if (n.op == Op::Or && l) return Value{true, 0, true, {}};
    }
    Value b = eval(*n.rhs, ctx, kleene);
    if (!kleene) return Value{true, 0, b.present && b.boolean, {}};
    // Kleene: a decisive right side decides; otherwise an unknown side leaves the whole unknown.
    if (b.present && (n.op == Op::And ? !b.boolean : b.boolean)) return Value{true, 0, b.boolean, {}};
    if (!a.present || !b.present) return Value{};
    return Value{true, 0, b.boolean, {}};
  }
  Value a = eval(*n.lhs, ctx, kleene), b = eval(*n.rhs, ctx, kleene);
  bool comparison = n.op == Op::Lt || n.op == Op::Le || n.op == Op::Gt || n.op == Op::Ge || n.op == Op::Eq || n.op == Op::Ne;
  if (!a.present || !b.present) {
    if (comparison && !kleene) return Value{true, 0, false, {}};  // no value: the comparison does not hold
    return Value{};
  }
  Type t = n.lhs->type;
  v.present = true;
  switch (n.op) {
    case Op::Lt: v.boolean = a.number < b.number; break;
    case Op::Le: v.boolean = a.number <= b.number; break;
    case Op::Gt: v.boolean = a.number > b.number; break;
    case Op::Ge: v.boolean = a.number >= b.number; break;
    case Op::Eq:
    case Op::Ne: {
      bool eq = t == Type::String ? a.text == b.text : t == Type::Bool ? a.boolean == b.boolean : a.number == b.number;
      v.boolean = n.op == Op::Eq ? eq : !eq;
      break;
    }
    case Op::Add: v.number = a.number + b.number; break;
    case Op::Sub: v.number = a.number - b.number; break;
    case Op::Mul: v.number = a.number * b.number; break;
    case Op::Div:
      if (b.number == 0) return Value{};  // no value rather than infinity
      v.number = a.number / b.number;
      break;
    case Op::Or:
    case Op::And:
    case Op::Not:
    case Op::Neg:
      break;
  }
  return v;
}

}  // namespace

std::vector<double> rising_thresholds(const Node& n, const std::string& metric) {
  std::vector<double> out;
  if (n.kind == Node::Kind::Binary) {
    auto is_metric = [&](const NodePtr& x) { return x->kind == Node::Kind::Metric && x->text == metric; };
    auto is_number = [](const NodePtr& x) { return x->kind == Node::Kind::Number; };
    if ((n.op == Op::Gt || n.op == Op::Ge) && is_metric(n.lhs) && is_number(n.rhs)) out.push_back(n.rhs->number);
    if ((n.op == Op::Lt || n.op == Op::Le) && is_number(n.lhs) && is_metric(n.rhs)) out.push_back(n.lhs->number);
    for (const NodePtr& side : {n.lhs, n.rhs}) {
      auto more = rising_thresholds(*side, metric);
      out.insert(out.end(), more.begin(), more.end());
    }
  } else if (n.kind == Node::Kind::Unary) {
    out = rising_thresholds(*n.lhs, metric);
  }
  return out;
}

std::optional<std::pair<std::string, double>> simple_threshold(const Node& n) {
  if (n.kind != Node::Kind::Binary) return std::nullopt;
  auto is_metric = [](const NodePtr& x) { return x->kind == Node::Kind::Metric; };
  auto is_number = [](const NodePtr& x) { return x->kind == Node::Kind::Number; };
  if ((n.op == Op::Gt || n.op == Op::Ge) && is_metric(n.lhs) && is_number(n.rhs))
    return std::make_pair(n.lhs->text, n.rhs->number);
  if ((n.op == Op::Lt || n.op == Op::Le) && is_number(n.lhs) && is_metric(n.rhs))
    return std::make_pair(n.rhs->text, n.lhs->number);
  return std::nullopt;
}

bool holds(const Node& root, const Context& ctx) {
  Value v = eval(root, ctx, false);
  return v.present && v.boolean;
}

Truth evaluate(const Node& root, const Context& ctx) {
  Value v = eval(root, ctx, true);
  if (!v.present) return Truth::Unknown;
  return v.boolean ? Truth::True : Truth::False;
}

Truth negate(Truth t) {
  switch (t) {
    case Truth::False: return Truth::True;
    case Truth::True: return Truth::False;
    case Truth::Unknown: return Truth::Unknown;
  }
  return Truth::Unknown;
}

std::vector<std::pair<std::string, std::string>> window_values(const Node& n, const Context& ctx) {
  std::vector<std::pair<std::string, std::string>> out;
  if (n.kind == Node::Kind::Window || n.kind == Node::Kind::Updates) {
    std::string window = format_seconds(n.number);
    std::string label = n.kind == Node::Kind::Updates
                            ? "updates(" + window + ")"
                            : std::string(to_string(n.window_fn)) + "(" + n.text + ", " + window + ")";
    Value v = eval(n, ctx, true);
    MetricReading r;
    r.present = v.present;
    r.number = v.number;
    out.emplace_back(label, format_metric(n.type, r));
  }
  for (const NodePtr& side : {n.lhs, n.rhs})
    if (side) {
      auto more = window_values(*side, ctx);
      out.insert(out.end(), more.begin(), more.end());
    }
  return out;
}

std::string metric_value(const std::string& name, const Context& ctx, const std::map<std::string, Type>& custom) {
  if (ctx.job) {
    const JobMetricDef* m = find_job_metric(name);
    return m ? format_metric(m->type, m->read(*ctx.job)) : "n/a";
  }
  Type t = Type::Plain;
  if (const MetricDef* m = find_metric(name)) t = m->type;
  else if (auto c = custom.find(name); c != custom.end()) t = c->second;
  return format_metric(t, read_metric(name, *ctx.service, ctx.store_up));
}

}  // namespace vigil::expr
