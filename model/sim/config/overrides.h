// `--set key=value` overrides: the value text is parsed with the key's own type, exactly as a
// YAML scalar would be (value_parse.h), and recorded with source "override".
#pragma once

#include <string>
#include <vector>

#include "sim/config/config.h"

namespace nicsim::config {

// Applies each `key=value` in order (a later one wins). Returns one diagnostic per bad
// assignment, located at "--set"; good ones are applied even if others are bad.
std::vector<Diagnostic> apply_overrides(Config& cfg, const std::vector<std::string>& assignments);

}  // namespace nicsim::config
