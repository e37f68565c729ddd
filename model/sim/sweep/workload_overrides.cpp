#include "sim/sweep/workload_overrides.h"

#include <yaml-cpp/yaml.h>

namespace nicsim::sweep {

bool is_workload_key(const std::string& key) {
    static const std::string prefix = "workload.";
    return key.size() > prefix.size() && key.compare(0, prefix.size(), prefix) == 0 && key.back() != '.';
}

std::string check_workload_override(const config::Scenario& base, const std::string& key, const std::string& value) {
    if (!is_workload_key(key)) return "not a workload key";
    if (base.sections.find("workload") == base.sections.end())
        return "the base scenario has no workload section to override";
    try {
        const YAML::Node n = YAML::Load(value);
        if (n.IsNull()) return "missing value";
    } catch (const YAML::Exception& e) {
        return "the value is not valid YAML: " + e.msg;
    }
    return {};
}

}  // namespace nicsim::sweep
