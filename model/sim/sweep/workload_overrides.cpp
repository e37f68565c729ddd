#include "sim/sweep/workload_overrides.h"

#include <yaml-cpp/yaml.h>

#include "sim/config/section_checks.h"
#include "sim/config/yaml_loader.h"

namespace nicsim::sweep {

bool is_workload_key(const std::string& key) {
    static const std::string prefix = "workload.";
    return key.size() > prefix.size() && key.compare(0, prefix.size(), prefix) == 0 && key.back() != '.';
}

bool is_section_key(const std::string& key) {
    for (const std::string prefix : {"workload.", "topology.", "outputs."})
        if (key.size() > prefix.size() && key.compare(0, prefix.size(), prefix) == 0 && key.back() != '.') return true;
    return false;
}

std::vector<config::Diagnostic> check_run_input(const std::filesystem::path& base,
                                                const std::vector<std::string>& assignments) {
    try {
        const config::Scenario sc = config::load_scenario(base.string(), assignments);
        return config::check_sections(sc);
    } catch (const config::ConfigError& e) {
        return e.diagnostics();
    }
}

std::string check_workload_override(const std::filesystem::path& base, const std::string& key, const std::string& value) {
    if (!is_section_key(key)) return "not a key of an overridable section";
    try {
        if (YAML::Load(value).IsNull()) return "missing value";
    } catch (const YAML::Exception& e) {
        return "the value is not valid YAML: " + e.msg;
    }
    try {
        if (is_workload_key(key) && config::load_scenario(base.string()).sections.count("workload") == 0)
            return "the base scenario has no workload section to override";
    } catch (const config::ConfigError&) {
        return {};  // the base's own problems are reported by validate_points()
    }
    std::string why;
    for (const config::Diagnostic& d : check_run_input(base, {key + "=" + value})) {
        if (!why.empty()) why += "; ";
        why += (d.key == key || d.key.empty() ? "" : d.key + ": ") + d.message;
    }
    return why;
}

}  // namespace nicsim::sweep
