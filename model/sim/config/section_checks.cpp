#include "sim/config/section_checks.h"

#include <algorithm>
#include <map>

namespace nicsim::config {

namespace {
std::map<std::string, SectionCheck>& checks() {
    static std::map<std::string, SectionCheck> registered;
    return registered;
}
}  // namespace

void register_section_check(const std::string& section, SectionCheck check) { checks()[section] = std::move(check); }

std::vector<Diagnostic> check_sections(const Scenario& sc) {
    std::vector<Diagnostic> out;
    for (const auto& [name, check] : checks()) {
        // A section the file lacks may still be set by --set (topology.hosts=4 on a file
        // without topology:); the check reads the overrides too.
        const bool overridden = std::any_of(sc.section_overrides.begin(), sc.section_overrides.end(),
                                            [&](const SectionOverride& o) { return o.section == name; });
        if ((!sc.sections.count(name) && !overridden) || !check) continue;
        for (Diagnostic& d : check(sc)) out.push_back(std::move(d));
    }
    return out;
}

}  // namespace nicsim::config
