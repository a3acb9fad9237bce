#pragma once
// Shared by the two TOML file readers (config.cpp, rules_config.cpp): reads one table's keys with
// types checked, remembers which keys it knows, and on destruction reports the unknown ones with a
// suggestion. Every accessor reports its own type or value error (FILE:LINE:COL) and returns nullopt.
// Private to src/: no public header includes toml11.
#include <algorithm>
#include <optional>
#include <string>
#include <toml.hpp>
#include <utility>
#include <vector>

#include "vigil/error.hpp"
#include "vigil/quantity.hpp"
#include "vigil/suggest.hpp"

namespace vigil {

using Value = toml::value;

// Reads one TOML table's keys, remembering which it knows, so unknown keys can be reported with a
// suggestion. Every accessor reports a type or value error itself and returns nullopt.
class Fields {
 public:
  Fields(const Value& table, std::string context, const std::string& file, Diagnostics& diags,
         std::vector<std::string> known)
      : table_(table), context_(std::move(context)), file_(file), diags_(diags), known_(std::move(known)) {}

  ~Fields() { report_unknown(); }

  const Value* get(const std::string& key) {
    const auto& t = table_.as_table();
    auto it = t.find(key);
    return it == t.end() ? nullptr : &it->second;
  }

  void error_at(const Value& v, const std::string& key, const std::string& msg) {
    auto loc = v.location();
    diags_.push_back({file_, static_cast<std::uint32_t>(loc.line()), static_cast<std::uint32_t>(loc.column()),
                      context_ + " " + key + ": " + msg});
  }

  void error_here(const std::string& msg) {
    auto loc = table_.location();
    diags_.push_back({file_, static_cast<std::uint32_t>(loc.line()), static_cast<std::uint32_t>(loc.column()),
                      context_ + ": " + msg});
  }

  std::optional<std::string> str(const std::string& key) {
    const Value* v = get(key);
    if (!v) return std::nullopt;
    if (!v->is_string()) {
      error_at(*v, key, "expected a string, got " + type_name(*v));
      return std::nullopt;
    }
    return v->as_string().str;
  }

  std::optional<bool> boolean(const std::string& key) {
    const Value* v = get(key);
    if (!v) return std::nullopt;
    if (!v->is_boolean()) {
      error_at(*v, key, "expected true or false, got " + type_name(*v));
      return std::nullopt;
    }
    return v->as_boolean();
  }

  std::optional<Duration> duration(const std::string& key, bool allow_never = false, bool* never = nullptr) {
    const Value* v = get(key);
    if (!v) return std::nullopt;
    if (v->is_integer() || v->is_floating()) {
      std::string n = v->is_integer() ? std::to_string(v->as_integer()) : std::to_string(v->as_floating());
      error_at(*v, key, "a duration needs a unit: write \"" + n + "s\" (units: ms, s, m, h, d)");
      return std::nullopt;
    }
    if (!v->is_string()) {
      error_at(*v, key, "expected a duration string like \"30s\", got " + type_name(*v));
      return std::nullopt;
    }
    const std::string& s = v->as_string().str;
    if (allow_never && s == "never") {
      if (never) *never = true;
      return std::nullopt;
    }
    std::string err;
    auto d = parse_duration(s, &err);
    if (!d) error_at(*v, key, err + (allow_never ? ", or \"never\"" : ""));
    return d;
  }

  std::optional<std::uint64_t> size(const std::string& key) {
    const Value* v = get(key);
    if (!v) return std::nullopt;
    if (v->is_integer()) {
      if (v->as_integer() < 0) {
        error_at(*v, key, "a size cannot be negative");
        return std::nullopt;
      }
      return static_cast<std::uint64_t>(v->as_integer());
    }
    if (!v->is_string()) {
      error_at(*v, key, "expected a size like \"50MB\", got " + type_name(*v));
      return std::nullopt;
    }
    std::string err;
    auto s = parse_size(v->as_string().str, &err);
    if (!s) error_at(*v, key, err);
    return s;
  }

  // toml11's find<int> truncates silently; read the int64 and range-check it ourselves.
  std::optional<std::int64_t> integer(const std::string& key, std::int64_t min, std::int64_t max) {
    const Value* v = get(key);
    if (!v) return std::nullopt;
    return integer_value(*v, key, min, max);
  }

  std::optional<std::int64_t> integer_value(const Value& v, const std::string& key, std::int64_t min,
                                            std::int64_t max) {
    if (!v.is_integer()) {
      error_at(v, key, "expected an integer, got " + type_name(v));
      return std::nullopt;
    }
    std::int64_t n = v.as_integer();
    if (n < min || n > max) {
      error_at(v, key, std::to_string(n) + " is out of range (" + std::to_string(min) + " to " +
                           std::to_string(max) + ")");
      return std::nullopt;
    }
    return n;
  }

  std::optional<std::vector<std::string>> strings(const std::string& key) {
    const Value* v = get(key);
    if (!v) return std::nullopt;
    if (!v->is_array()) {
      error_at(*v, key, "expected an array of strings, got " + type_name(*v));
      return std::nullopt;
    }
    std::vector<std::string> out;
    bool ok = true;
    for (const Value& e : v->as_array()) {
      if (!e.is_string()) {
        error_at(e, key, "expected a string element, got " + type_name(e));
        ok = false;
        continue;
      }
      out.push_back(e.as_string().str);
    }
    if (!ok) return std::nullopt;
    return out;
  }

  template <class E>
  std::optional<E> choice(const std::string& key, const std::vector<std::pair<std::string, E>>& options) {
    auto s = str(key);
    if (!s) return std::nullopt;
    std::vector<std::string> names;
    for (const auto& [name, value] : options) {
      if (*s == name) return value;
      names.push_back(name);
    }
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "\"" : ", \"") + n + "\"";
    error_at(*get(key), key, "unknown value \"" + *s + "\": expected one of " + list + did_you_mean(*s, names));
    return std::nullopt;
  }

  static std::string type_name(const Value& v) {
    switch (v.type()) {
      case toml::value_t::boolean: return "a boolean";
      case toml::value_t::integer: return "an integer";
      case toml::value_t::floating: return "a float";
      case toml::value_t::string: return "a string";
      case toml::value_t::array: return "an array";
      case toml::value_t::table: return "a table";
      case toml::value_t::empty: return "nothing";
      case toml::value_t::offset_datetime:
      case toml::value_t::local_datetime:
      case toml::value_t::local_date:
      case toml::value_t::local_time: return "a date/time";
    }
    return "a value";
  }

 private:
  void report_unknown() {
    for (const auto& [key, v] : table_.as_table()) {
      if (std::find(known_.begin(), known_.end(), key) != known_.end()) continue;
      auto loc = v.location();
      // toml11 points at the value; point at the key when it starts the line (the usual case).
      std::uint32_t col = static_cast<std::uint32_t>(loc.column());
      const std::string& line = loc.line_str();
      std::size_t at = line.find(key);
      if (at != std::string::npos && at < col) col = static_cast<std::uint32_t>(at + 1);
      diags_.push_back({file_, static_cast<std::uint32_t>(loc.line()), col,
                        context_ + ": unknown key '" + key + "'" + did_you_mean(key, known_)});
    }
  }

  const Value& table_;
  std::string context_;
  const std::string& file_;
  Diagnostics& diags_;
  std::vector<std::string> known_;
};


}  // namespace vigil
