#include "vigil/toml_errors.hpp"

#include <sstream>
#include <vector>

namespace vigil {

Diagnostic diagnostic_from_toml_error(const std::string& what, const std::string& file, std::uint32_t fallback_line) {
  std::istringstream in(what);
  std::string first, line;
  std::getline(in, first);
  // "[error] toml::parse_key_value_pair: missing value ..." → "missing value ..."
  std::string message = first;
  if (message.rfind("[error] ", 0) == 0) message = message.substr(8);
  if (message.rfind("toml::", 0) == 0) {
    auto colon = message.find(": ");
    if (colon != std::string::npos) message = message.substr(colon + 2);
  }

  std::uint32_t at_line = fallback_line, at_col = 1;
  std::string hint;
  std::uint32_t snippet_line = 0;
  std::size_t text_start = 0;
  while (std::getline(in, line)) {
    // A snippet line: " 12 | key = value"
    std::size_t bar = line.find(" | ");
    if (bar != std::string::npos) {
      std::string num = line.substr(0, bar);
      std::size_t p = num.find_first_not_of(' ');
      if (p != std::string::npos && num.find_first_not_of("0123456789", p) == std::string::npos) {
        snippet_line = static_cast<std::uint32_t>(std::stoul(num.substr(p)));
        text_start = bar + 3;
        continue;
      }
    }
    // The marker line under it: "    |      ^--- hint"
    if (snippet_line && line.size() > text_start) {
      std::size_t mark = line.find_first_of("^~", text_start);
      if (mark != std::string::npos && line.find('|') < text_start) {
        at_line = snippet_line;
        at_col = static_cast<std::uint32_t>(mark - text_start + 1);
        std::size_t h = line.find_first_not_of("^~- ", mark);
        hint = h == std::string::npos ? "" : line.substr(h);
        snippet_line = 0;
      }
    }
  }
  if (!hint.empty() && hint != "here") message += " (" + hint + ")";
  return Diagnostic{file, at_line, at_col, "TOML syntax error: " + message};
}

}  // namespace vigil
