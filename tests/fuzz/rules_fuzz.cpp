// rules.toml: toml11, the rule, inhibit and notifier tables, and the expressions inside them.
#include <string>

#include "fuzz_input.hpp"
#include "vigil/rules_config.hpp"

using namespace vigil;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::vector<std::string> kServices = {"api", "scan-bridge", "worker-1"};
  static const std::map<std::string, expr::Type> kCustom = {{"queue_depth", expr::Type::Plain}};
  std::string text(fuzz::text(data, size));
  RulesResult r = parse_rules(text, "/etc/vigil/rules.toml", kServices, kCustom);
  for (const auto& d : r.errors) (void)d.str();
  if (r.rules) {
    std::map<std::string, std::string> values = {{"service", "api"}, {"rule", "r"}, {"data_age", "61s"}};
    for (const auto& rule : r.rules->rules) {
      (void)render_summary(rule.summary, values);
      for (const auto& s : kServices) (void)rule.applies_to(s);
    }
  }
  return 0;
}
