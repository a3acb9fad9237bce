#pragma once
// "did you mean ...?" for misspelt keys, metric and service names. Pure.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

/// The candidate closest to `word` by edit distance, if it is close enough to be a plausible typo
/// (at most a third of the word's length, and at least one edit allowed).
std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates);

/// " (did you mean 'x'?)" or "" — ready to append to an error message.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace vigil
