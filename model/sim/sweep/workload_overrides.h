// The one place that decides whether a sweep may pass `workload.<key>=<value>` (or a topology or
// outputs key) to `nicsim run`.
// The value goes through the same path as `nicsim run --set`: the config loader keeps it as a
// section override and the registered `workload` section check (model/sim/workload/, registered
// by the run command in the nicsim binary) parses it with the file's own rules. Without a
// registered check (a binary without `run`), only the YAML syntax and the base's workload
// section are checked here.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "sim/config/diagnostic.h"

namespace nicsim::sweep {

// "workload.<key>" with a non-empty key.
bool is_workload_key(const std::string& key);

// "<section>.<key>" of a section `nicsim run --set` overrides: workload, topology, outputs
// (faults come only from the file).
bool is_section_key(const std::string& key);

// Empty when `key=value` (a section key) is acceptable on top of the base scenario `base`,
// else the reason. The topology and outputs sections go through their registered checks in
// the same way.
std::string check_workload_override(const std::filesystem::path& base, const std::string& key, const std::string& value);

// Loads `base` with every `assignments` (parameters and workload keys) and runs the section
// checks; returns their problems (empty: `nicsim run base --set ...` accepts the input).
std::vector<config::Diagnostic> check_run_input(const std::filesystem::path& base,
                                                const std::vector<std::string>& assignments);

}  // namespace nicsim::sweep
