#pragma once
// Reading JSON that another vigil wrote (a reply over the socket, status.json): after an upgrade the
// running daemon may be the older binary, and its objects lack the keys added since.
#include <nlohmann/json.hpp>
#include <string>

namespace vigil {

/// A member of a JSON object, or null when it has none (or `j` is no object). The const
/// operator[] on a missing key is undefined behaviour (an assertion in debug builds).
inline const nlohmann::json& member(const nlohmann::json& j, const char* key) {
  static const nlohmann::json kNull;
  if (!j.is_object()) return kNull;
  auto it = j.find(key);
  return it == j.end() ? kNull : *it;
}

/// A string member, or "" when it is missing, null or not a string.
inline std::string string_member(const nlohmann::json& j, const char* key) {
  const nlohmann::json& v = member(j, key);
  return v.is_string() ? v.get<std::string>() : std::string();
}

}  // namespace vigil
