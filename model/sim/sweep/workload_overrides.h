// The one place that decides whether a sweep may pass `workload.<key>=<value>` to `nicsim run`.
// Parameter keys are checked against the parameter registry; workload keys belong to the
// workload module, so the sweep only checks what it can know here. To check them exactly as
// `nicsim run` does, call the workload spec parser from check_workload_override().
#pragma once

#include <string>

#include "sim/config/scenario.h"

namespace nicsim::sweep {

// "workload.<key>" with a non-empty key.
bool is_workload_key(const std::string& key);

// Empty when `key=value` is acceptable for the base scenario `base`, else the reason.
std::string check_workload_override(const config::Scenario& base, const std::string& key, const std::string& value);

}  // namespace nicsim::sweep
