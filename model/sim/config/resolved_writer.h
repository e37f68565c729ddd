// config.resolved.yaml: every parameter's value, defaults included, as nested YAML with the
// source of each value as a trailing comment (gem5's config.ini idea, ecosystem.md §5).
// Loading the file back gives identical values (canonical value text, see format_value).
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "sim/config/config.h"

namespace nicsim::config {

// `header` lines are written first as comments (e.g. the scenario file and the command line).
void write_resolved_yaml(const Config& cfg, std::ostream& out, const std::vector<std::string>& header = {});

}  // namespace nicsim::config
