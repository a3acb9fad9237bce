// Evaluation of rule expressions against a ServiceSnapshot (expr.hpp). Pure.
#include <cmath>
#include <cstdio>

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

Value num(std::optional<double> v) {
  Value r;
  if (v) {
    r.present = true;
    r.number = *v;
  }
  return r;
}

Value metric(const std::string& name, const Context& ctx) {
  const ServiceSnapshot& s = *ctx.service;
  bool live = s.state == State::Starting || s.state == State::Running || s.state == State::Stopping;
  Value v;
  if (name == "running") {
    v.present = true;
    v.boolean = live;
  } else if (name == "state") {
    v.present = true;
    v.text = std::string(to_string(s.state));
  } else if (name == "store_up") {
    if (ctx.store_up) {
      v.present = true;
      v.boolean = *ctx.store_up;
    }
  } else if (name == "uptime") {
    v = num(s.uptime);
  } else if (name == "exit_code") {
    if (s.last_exit && !s.last_exit->status.signaled) v = num(s.last_exit->status.code);
  } else if (name == "exit_signal") {
    if (s.last_exit && s.last_exit->status.signaled) v = num(s.last_exit->status.signal);
  } else if (name == "cpu") {
    v = num(s.cpu);
  } else if (name == "memory") {
    v = num(s.memory);
  } else if (name == "threads") {
    v = num(s.threads);
  } else if (name == "fds") {
    v = num(s.fds);
  } else if (name == "data_age") {
    v = num(s.data_age);
  } else if (name == "output_idle") {
    v = num(s.output_idle);
  } else if (name == "watchdog_age") {
    v = num(s.watchdog_age);
  } else if (auto it = s.custom.find(name); it != s.custom.end()) {
    v = num(it->second);
  }
  return v;
}

Value eval(const Node& n, const Context& ctx) {
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
      return metric(n.text, ctx);
    case Node::Kind::Restarts:
      v.present = true;
      v.number = ctx.service->starts_within(n.number);
      return v;
    case Node::Kind::Unary: {
      Value a = eval(*n.lhs, ctx);
      if (n.op == Op::Not) {
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
    Value a = eval(*n.lhs, ctx);
    bool l = a.present && a.boolean;
    if (n.op == Op::And && !l) return Value{true, 0, false, {}};
    if (n.op == Op::Or && l) return Value{true, 0, true, {}};
    Value b = eval(*n.rhs, ctx);
    return Value{true, 0, b.present && b.boolean, {}};
  }
  Value a = eval(*n.lhs, ctx), b = eval(*n.rhs, ctx);
  bool comparison = n.op == Op::Lt || n.op == Op::Le || n.op == Op::Gt || n.op == Op::Ge || n.op == Op::Eq || n.op == Op::Ne;
  if (!a.present || !b.present) {
    if (comparison) return Value{true, 0, false, {}};  // no value: the comparison does not hold
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

bool holds(const Node& root, const Context& ctx) {
  Value v = eval(root, ctx);
  return v.present && v.boolean;
}

std::optional<double> metric_number(const std::string& name, const Context& ctx) {
  Value v = metric(name, ctx);
  if (!v.present) return std::nullopt;
  return v.number;
}

std::string metric_value(const std::string& name, const Context& ctx, const std::map<std::string, Type>& custom) {
  if (name == "restarts") return std::to_string(ctx.service->restarts);
  Value v = metric(name, ctx);
  if (!v.present) return "n/a";
  Type t = Type::Plain;
  auto builtins = builtin_metrics();
  if (auto it = builtins.find(name); it != builtins.end()) t = it->second;
  else if (auto c = custom.find(name); c != custom.end()) t = c->second;
  char buf[64];
  switch (t) {
    case Type::Bool: return v.boolean ? "true" : "false";
    case Type::String: return v.text;
    case Type::Duration: return format_seconds(v.number);
    case Type::Size: return format_size(static_cast<std::uint64_t>(std::max(0.0, v.number)));
    case Type::Percent: std::snprintf(buf, sizeof buf, "%.1f%%", v.number); return buf;
    case Type::Plain: std::snprintf(buf, sizeof buf, "%g", v.number); return buf;
  }
  return "?";
}

}  // namespace vigil::expr
