#pragma once
// Maintenance silences: `vigil silence SERVICE[/RULE] --for 2h --reason TEXT`. They mute
// notifications, never actions, and expire on their own. Pure set + JSON form for persistence.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vigil {

struct Silence {
  std::string id;        // short, stable: shown by --list, used by --remove
  std::string service;   // a name or glob
  std::string rule;      // "" = every rule
  double until = 0;      // unix seconds
  double created = 0;
  std::string reason;
};

class Silences {
 public:
  /// The silence muting (service, rule) at `now`, if any.
  const Silence* match(const std::string& service, const std::string& rule, double now) const;
  Silence& add(Silence s, double now);
  bool remove(const std::string& id);
  /// Drops expired silences; returns true if any was dropped.
  bool expire(double now);
  const std::vector<Silence>& all() const { return items_; }

  std::string to_json() const;
  /// Replaces the contents from JSON written by to_json(); false (and unchanged) on bad input.
  bool from_json(const std::string& text);

 private:
  std::vector<Silence> items_;
  std::uint64_t next_id_ = 1;
};

}  // namespace vigil
