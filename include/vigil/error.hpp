#pragma once
// The one error convention: expected failures are values, not exceptions.
// A Diagnostic names where the problem is (file, line, column) so an operator can jump to it.
#include <cstdint>
#include <string>
#include <vector>

namespace vigil {

struct Diagnostic {
  std::string file;
  std::uint32_t line = 0;    // 1-based; 0 when the problem has no single place (e.g. "file not found")
  std::uint32_t column = 0;  // 1-based
  std::string message;

  /// "FILE:LINE:COL: message" (or "FILE: message" without a position), the form editors understand.
  std::string str() const;
};

using Diagnostics = std::vector<Diagnostic>;

/// Orders diagnostics by file, line and column, so they read top to bottom.
void sort_diagnostics(Diagnostics& diags);

}  // namespace vigil
