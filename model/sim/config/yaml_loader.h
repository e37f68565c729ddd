// Loads a scenario or NIC config YAML into a Scenario.
//
// File layout (all keys optional):
//   base: t5_40g            # or nic_config:; a name in the NIC config folders, or a path
//                           # (relative to this file) ending in .yaml; applied first
//   name: ...               # free text
//   description: ...
//   nic: {core: {clock_mhz: 500}}   # parameters, nested maps ...
//   pcie.mps: 512                   # ... or dotted keys, or a mix
//   topology: ... workload: ... faults: ...   # sections kept for the runner (scenario.h)
//
// Precedence: defaults < base chain (deepest first) < this file < apply_overrides().
// Every problem of the whole chain is collected and thrown as one ConfigError, each as
// `file:line:column: key.path: message`, with "did you mean ...?" for misspelt keys.
// yaml-cpp's own exceptions never escape.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "sim/config/scenario.h"

namespace nicsim::config {

struct LoadOptions {
    // Folders searched for `base: <name>` after the including file's folder and its ../nic.
    // Defaults to $NICSIM_CONFIG_DIR (if set) and the source tree's configs/nic.
    std::vector<std::filesystem::path> nic_config_dirs = default_nic_config_dirs();

    static std::vector<std::filesystem::path> default_nic_config_dirs();
};

// Where a YAML node is, 1-based (0:0 when yaml-cpp has no mark), for diagnostics.
Location yaml_location(const std::string& file, const YAML::Mark& mark);
// "a map", "a list", "a scalar", "nothing": what a node is, for "expected X, got Y" messages.
const char* yaml_kind_name(const YAML::Node& n);

// The top-level keys that hold sections rather than parameters.
const std::vector<std::string>& section_names();

// `overrides` are `key=value` strings (the run's --set), applied after the files; the
// cross-parameter rules are checked once everything is applied. Throws ConfigError.
Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides = {},
                       const LoadOptions& opts = {}, const ParamRegistry& registry = default_registry());

}  // namespace nicsim::config
