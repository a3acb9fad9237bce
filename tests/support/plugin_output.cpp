#include "plugin_output.hpp"

#include <gtest/gtest.h>

#include <regex>

namespace vt {

PluginOutput parse_plugin_output(const std::string& out) {
  PluginOutput p;
  std::string first = out.substr(0, out.find('\n'));
  static const std::regex head(R"(^VIGIL (OK|WARNING|CRITICAL|UNKNOWN) - ([^|]*?)(?: \| (.*))?$)");
  std::smatch m;
  p.ok = std::regex_match(first, m, head);
  EXPECT_TRUE(p.ok) << "not a plugin status line: " << first;
  if (!p.ok) return p;
  p.word = m[1];
  p.text = m[2];
  std::string perf = m[3];
  // Plain decimals only (the guidelines allow [-0-9.]), a known UOM, labels quoted with '' inside.
  static const std::regex item(
      R"('((?:[^']|'')+)'=(-?[0-9.]+(?:s|%|B|c)?);([-0-9.]*);([-0-9.]*);([-0-9.]*);([-0-9.]*))");
  std::size_t covered = 0;
  for (auto it = std::sregex_iterator(perf.begin(), perf.end(), item); it != std::sregex_iterator(); ++it) {
    p.perf[(*it)[1]] = {(*it)[2], (*it)[3], (*it)[4], (*it)[5], (*it)[6]};
    covered += static_cast<std::size_t>(it->length()) + 1;  // and the space that separates them
  }
  EXPECT_EQ(covered, perf.empty() ? 0 : perf.size() + 1) << "perfdata with parts that are not label=value: " << perf;
  std::size_t start = out.find('\n');
  for (start = start == std::string::npos ? out.size() : start + 1; start < out.size();) {
    std::size_t nl = out.find('\n', start);
    if (nl == std::string::npos) nl = out.size();
    p.lines.push_back(out.substr(start, nl - start));
    start = nl + 1;
  }
  return p;
}

}  // namespace vt
