#pragma once
// toml11 reports syntax errors as rustc-style text with a caret under the offending spot, while its
// exception's own column is often 1. This turns that text into one FILE:LINE:COL diagnostic. Pure.
#include <cstdint>
#include <string>

#include "vigil/error.hpp"

namespace vigil {

/// `what` is toml::exception::what(); `fallback_line` is used when the text has no snippet.
Diagnostic diagnostic_from_toml_error(const std::string& what, const std::string& file, std::uint32_t fallback_line);

}  // namespace vigil
