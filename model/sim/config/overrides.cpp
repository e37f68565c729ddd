#include "sim/config/overrides.h"

#include <cctype>

#include "sim/config/value_parse.h"

namespace nicsim::config {

std::vector<Diagnostic> apply_overrides(Config& cfg, const std::vector<std::string>& assignments) {
    std::vector<Diagnostic> diags;
    const Location where{"--set", 0, 0};
    for (const std::string& a : assignments) {
        const size_t eq = a.find('=');
        const std::string key = eq == std::string::npos ? std::string() : trim(a.substr(0, eq));
        if (eq == std::string::npos || key.empty()) {
            diags.push_back({where, "", "expected key=value, got \"" + a + "\""});
            continue;
        }
        const ParamSpec* spec = cfg.registry().find(key);
        if (!spec) {
            std::string msg = cfg.registry().is_group(key) ? "is a group of parameters, not a parameter"
                                                           : "unknown key";
            const std::string near = cfg.registry().suggest(key);
            if (!near.empty() && near != key) msg += " (did you mean " + near + "?)";
            diags.push_back({where, key, msg});
            continue;
        }
        const ParseResult r = parse_value(*spec, a.substr(eq + 1));
        if (!r.ok) {
            diags.push_back({where, key, r.error});
            continue;
        }
        std::string err = cfg.set(key, r.value, ValueSource{SourceKind::Override, where});
        if (!err.empty()) diags.push_back({where, key, err});
    }
    return diags;
}

}  // namespace nicsim::config
