// "Did you mean ...?": the closest candidate by edit distance, for misspelt keys and values.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace nicsim::config {

// Levenshtein distance (insert, delete, substitute; transposition counts as one).
size_t edit_distance(std::string_view a, std::string_view b);

// The candidate nearest to `word`, or "" if none is near enough to be a plausible typo
// (distance at most max(2, |word| / 3)). Ties go to the first candidate.
std::string closest(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace nicsim::config
