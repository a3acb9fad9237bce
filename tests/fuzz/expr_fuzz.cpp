// The rule expression language: lexer, parser with type checking, and evaluation of what parses.
#include <map>
#include <string>

#include "fuzz_input.hpp"
#include "vigil/expr.hpp"

using namespace vigil;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::map<std::string, expr::Type> kCustom = {{"queue_depth", expr::Type::Plain},
                                                             {"lag", expr::Type::Duration}};
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
  for (const ServiceSnapshot* s : {&empty, &full}) {
    expr::Context ctx{s, true};
    (void)expr::holds(*p.root, ctx);
    for (const auto& m : p.metrics) {
      (void)expr::metric_value(m, ctx, kCustom);
      (void)expr::rising_thresholds(*p.root, m);
    }
  }
  return 0;
}
