// What loading a scenario (or a NIC config) yields: the resolved parameters, the chain of files
// they came from, and the scenario's free-form sections for the runner.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "sim/config/config.h"

namespace nicsim::config {

// A top-level section that is not made of parameters (topology, workload, faults, outputs): the runner
// reads the YAML itself and reports problems with section_location() + Diagnostic.
struct Section {
    YAML::Node node;
    std::string file;
};

// `--set <section>.<key>=<value>` (e.g. workload.sizes=[64,4096]): the value is YAML text,
// checked and applied by the section's runner like the file's own value.
struct SectionOverride {
    std::string section;  // "workload"
    std::string key;      // "sizes" (may itself contain dots)
    std::string value;    // "[64,4096]"
};

struct Scenario {
    Config config;
    std::vector<std::string> files;  // base configs first, the loaded file last
    std::string name;                // `name:` or the file's stem
    std::string description;         // `description:` or ""
    std::map<std::string, Section> sections;
    std::vector<SectionOverride> section_overrides;  // in command-line order
};

// The 1-based position of a node of a section, for the runner's own diagnostics.
Location section_location(const Section& s, const YAML::Node& node);

}  // namespace nicsim::config
