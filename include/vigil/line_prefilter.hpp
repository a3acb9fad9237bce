#pragma once
// Which lines of a read can match a service's log_match and ready_log patterns, found in one SIMD
// pass. RE2's FilteredRE2 names, for each pattern, literal strings ("atoms") one of which is in every
// line the pattern matches ("took [0-9]{4,}ms": "took "); Vectorscan (Hyperscan's portable fork)
// finds those strings in a read ~30x faster than RE2's DFA scans it, so RE2 — still the only judge of
// a match — runs on a handful of lines. Only literals reach Vectorscan: compiling whole patterns there
// took seconds to minutes for some, which the event loop cannot afford. Optional at build time
// (VIGIL_HAVE_VECTORSCAN); without it, or for patterns with no atoms ("^$", "a.b"), build() says so
// and LineMatcher scans with RE2 alone.
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

/// True when a pattern sets inline flags ("(?i)"): RE2 then folds case by Unicode rules (the Kelvin
/// sign matches "k"), which an ASCII case-insensitive search for the atoms would miss in non-ASCII text.
bool pattern_sets_flags(std::string_view re2_pattern);

/// True when a pattern may name a character outside ASCII: a byte >= 0x80, or a \x, \p or \P
/// escape. FilteredRE2 lowercases its atoms by Unicode rules, so the Kelvin sign in a pattern
/// becomes the ASCII atom "k", which an ASCII search does not find where the text holds the sign.
bool pattern_names_non_ascii(std::string_view re2_pattern);

class LinePrefilter {
 public:
  /// nullptr when built without Vectorscan, when a pattern has no atoms of 3 bytes or more (it can
  /// match lines without any literal), when an atom is not ASCII, or when a pattern does not
  /// compile: the caller then scans with RE2.
  static std::unique_ptr<LinePrefilter> build(const std::vector<std::string>& patterns);
  /// Whether this build has Vectorscan at all.
  static bool available();
  ~LinePrefilter();
  LinePrefilter(const LinePrefilter&) = delete;
  LinePrefilter& operator=(const LinePrefilter&) = delete;

  /// `block` is whole '\n'-separated lines (its last one may be cut short). Fills `starts` with the
  /// offsets, ascending, of every line in which a pattern may be found (and some in which none is).
  /// False when this block cannot be judged here — non-ASCII text for a pattern with flags or one
  /// that names a non-ASCII character, or so many candidates that one RE2 pass skipping whole lines
  /// is cheaper: the caller uses RE2 instead.
  bool candidate_lines(std::string_view block, std::vector<std::size_t>& starts);

 private:
  LinePrefilter() = default;
  struct Engine;
  std::unique_ptr<Engine> engine_;
  bool ascii_only_ = false;
};

}  // namespace vigil
