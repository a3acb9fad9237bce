#pragma once
// What toml11 3.7 must never see. Its parser and its value destructor recurse once per level of
// nesting (arrays, inline tables, dotted keys), so ~5,000 levels overflow the stack; and it reads
// past the end of a literal string holding invalid UTF-8 (upstream #199). These checks run on the
// raw bytes before toml11 does, and turn each case into one FILE:LINE:COL diagnostic. Pure.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "vigil/error.hpp"

namespace vigil {

/// Limits on a config or rules file (documented in docs/config.md).
// 1 MiB: far above any real file (1,000 services take ~150 KB), and toml11 needs about a second
// per MiB even optimised, on the thread that reads it.
constexpr std::size_t kMaxTomlBytes = 1u << 20;
constexpr int kMaxTomlNesting = 64;               // [ and { levels, or parts of one dotted key

/// The first problem in `text`: too large, invalid UTF-8, or nested too deeply.
std::optional<Diagnostic> check_toml_input(std::string_view text, const std::string& file);

}  // namespace vigil
