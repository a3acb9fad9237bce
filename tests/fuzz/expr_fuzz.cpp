// The rule expression language: lexer, parser with type checking, and evaluation of what parses.
#include <map>
#include <string>

#include "fuzz_input.hpp"
#include "vigil/expr.hpp"

using namespace vigil;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::map<std::string, expr::Type> kCustom = {
      {"queue_depth", expr::Type::Plain}, {"lag", expr::Type::Duration}, {"probe.http", expr::Type::Bool},
      {"probe_latency.http", expr::Type::Duration}, {"log.errors", expr::Type::Plain}};
  expr::Parsed p = expr::parse(fuzz::text(data, size), kCustom);
  if (!p.root) return 0;
  // Evaluate against a service with no values (every comparison false) and one with all of them.
  ServiceSnapshot empty;
  ServiceSnapshot full;
  full.name = "api";
  full.state = State::Running;
  full.uptime = 12.5;
  full.restarts = full.exits = 3;
  full.start_ages = {1, 30, 700};
  full.cpu = 85;
  full.memory = 1.5e9;
  full.threads = full.fds = 9;
  full.output_idle = full.watchdog_age = full.data_age = 61;
  full.custom["queue_depth"] = 1e300;
  full.custom["lag"] = -0.0;
  full.custom["probe.http"] = 1;
  full.custom["log.errors"] = 7;
  full.data_timestamp = 1e9;
  // Histories for the window functions: a few readings, with a counter reset.
  WindowHistory windows;
  windows.set_needs(p.windows);
  for (int i = 0; i < 8; ++i) {
    full.custom["log.errors"] = i == 5 ? 0 : 7 * i;
    full.data_timestamp = 1e9 + i / 3;
    windows.record(full.name, 1000 + 10 * i, [&](const std::string& m) -> std::optional<double> {
      auto it = full.custom.find(m);
      return it == full.custom.end() ? std::nullopt : it->second;
    }, full.data_timestamp);
  }
  for (const ServiceSnapshot* s : {&empty, &full}) {
    expr::Context ctx{s, true, &windows, 1070};
    (void)expr::evaluate(*p.root, ctx);
    (void)expr::window_values(*p.root, ctx);
    (void)expr::holds(*p.root, ctx);
    for (const auto& m : p.metrics) {
      (void)expr::metric_value(m, ctx, kCustom);
      (void)expr::rising_thresholds(*p.root, m);
    }
  }
  return 0;
}
