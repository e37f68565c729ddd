// Checks of the scenario sections the parameter registry does not describe (topology,
// workload, faults). The command that understands a section registers a check for it, and
// `nicsim validate` runs the checks too, so validate and run reject the same files.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "sim/config/scenario.h"

namespace nicsim::config {

// Returns one diagnostic per problem (section_location() gives file:line:column).
using SectionCheck = std::function<std::vector<Diagnostic>(const Scenario&)>;

// A later registration for the same section replaces the earlier one.
void register_section_check(const std::string& section, SectionCheck check);

// Runs the check of every section the scenario has or a --set overrides (a NIC config without
// sections passes).
std::vector<Diagnostic> check_sections(const Scenario& sc);

}  // namespace nicsim::config
