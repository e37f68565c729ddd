// `nicsim params`: the parameter registry as an aligned text table or as Markdown
// (docs/parameters.md is generated from the Markdown form by scripts/gen_params_doc).
#pragma once

#include <ostream>
#include <string>

#include "sim/config/param_registry.h"

namespace nicsim::config {

// Only keys starting with `prefix` (all if empty).
void write_params_table(const ParamRegistry& r, std::ostream& out, const std::string& prefix = {});
void write_params_markdown(const ParamRegistry& r, std::ostream& out, const std::string& prefix = {});

}  // namespace nicsim::config
