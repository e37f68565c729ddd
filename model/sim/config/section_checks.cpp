#include "sim/config/section_checks.h"

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
        if (!sc.sections.count(name) || !check) continue;
        for (Diagnostic& d : check(sc)) out.push_back(std::move(d));
    }
    return out;
}

}  // namespace nicsim::config
