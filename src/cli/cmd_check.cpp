// `vigil check [-c FILE]`: validate the config (and, once rules exist, the rules); every error as
// FILE:LINE:COL: message. Exit 0 valid, 1 invalid, 2 usage.
#include <iostream>
#include <map>

#include "vigil/commands.hpp"
#include "vigil/config.hpp"
#include "vigil/rules_config.hpp"

namespace vigil {

bool parse_config_option(const Args& args, std::string* config, bool* debug, const char* command) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if ((a == "-c" || a == "--config") && i + 1 < args.size()) {
      *config = args[++i];
    } else if (a.rfind("--config=", 0) == 0) {
      *config = a.substr(9);
    } else if (a == "--debug" && debug) {
      *debug = true;
    } else {
      std::cerr << "vigil " << command << ": unexpected argument '" << a << "'\n"
                << "usage: vigil " << command << " [-c FILE]" << (debug ? " [--debug]" : "") << "\n";
      return false;
    }
  }
  if (config->empty()) *config = default_config_path(process_env());
  return true;
}

int cmd_check(const Args& args) {
  std::string path;
  if (!parse_config_option(args, &path, nullptr, "check")) return 2;
  ConfigResult r = load_config(path, process_env());
  if (!r.config) {
    for (const Diagnostic& d : r.errors) std::cerr << d.str() << "\n";
    std::cerr << path << ": " << r.errors.size() << (r.errors.size() == 1 ? " error" : " errors") << "\n";
    return 1;
  }
  const Config& c = *r.config;
  std::string names;
  std::vector<std::string> service_names;
  for (const auto& s : c.services) {
    names += (names.empty() ? "" : ", ") + s.name;
    service_names.push_back(s.name);
  }
  std::string rules_note = "no rules file";
  if (!c.vigil.rules.empty()) {
    std::vector<std::string> job_names;
    for (const auto& j : c.jobs) job_names.push_back(j.name);
    RulesResult rr = load_rules(c.vigil.rules, service_names, c.declared_metrics(), job_names);
    if (!rr.rules) {
      for (const Diagnostic& d : rr.errors) std::cerr << d.str() << "\n";
      std::cerr << c.vigil.rules << ": " << rr.errors.size() << (rr.errors.size() == 1 ? " error" : " errors") << "\n";
      return 1;
    }
    rules_note = std::to_string(rr.rules->rules.size()) + " rules in " + c.vigil.rules;
  }
  std::string jobs;
  for (const auto& j : c.jobs) jobs += (jobs.empty() ? "" : ", ") + j.name;
  if (!jobs.empty()) jobs = ", " + std::to_string(c.jobs.size()) + (c.jobs.size() == 1 ? " job (" : " jobs (") + jobs + ")";
  std::string services = std::to_string(c.services.size()) + (c.services.size() == 1 ? " service (" : " services (") + names + ")";
  if (c.services.empty() && !jobs.empty()) services.clear(), jobs = jobs.substr(2);
  std::cout << path << ": OK, " << services << jobs << "; " << rules_note << "; logs in " << c.vigil.log_dir << "\n";
  return 0;
}

}  // namespace vigil
