#pragma once
// Reads Monitoring Plugins output the way Nagios/Icinga do: the first line's status word and text,
// perfdata split into 'label'=value[UOM];[warn];[crit];[min];[max], then the long-output lines.
// Malformed output fails the calling test (gtest expectations inside).
#include <map>
#include <string>
#include <vector>

namespace vt {

struct PluginOutput {
  bool ok = false;  // the first line matched the format
  std::string word, text;
  std::map<std::string, std::vector<std::string>> perf;  // label -> {value+UOM, warn, crit, min, max}
  std::vector<std::string> lines;                        // after the first
};

PluginOutput parse_plugin_output(const std::string& out);

}  // namespace vt
