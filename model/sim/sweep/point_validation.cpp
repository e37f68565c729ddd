#include "sim/sweep/point_validation.h"

#include <set>

#include "sim/config/param_registry.h"
#include "sim/config/value_parse.h"
#include "sim/config/yaml_loader.h"
#include "sim/sweep/workload_overrides.h"

namespace nicsim::sweep {

using config::Diagnostic;

namespace {

// Empty when the single assignment is acceptable.
std::string check_assignment(const config::Scenario& base, const Assignment& a) {
    if (const config::ParamSpec* spec = config::default_registry().find(a.key)) {
        // Unquoted, exactly as `nicsim run --set` will parse it.
        const config::ParseResult r = config::parse_value(*spec, a.value);
        if (!r.ok) return r.error;
        return config::check_range(*spec, r.value);
    }
    return check_workload_override(base, a.key, a.value);
}

std::string describe(const SweepPoint& p) {
    std::string s = "point " + p.id;
    if (p.swept.empty()) return s;
    s += " (";
    for (size_t i = 0; i < p.swept.size(); ++i) s += (i ? ", " : "") + p.swept[i].text();
    return s + ")";
}

}  // namespace

std::vector<Diagnostic> validate_points(const SweepSpec& spec, const std::vector<SweepPoint>& points,
                                        size_t max_point_errors) {
    std::vector<Diagnostic> diags;
    config::Scenario base;
    try {
        base = config::load_scenario(spec.base.string());
    } catch (const config::ConfigError& e) {
        diags = e.diagnostics();
        diags.push_back({spec.base_where, "base", "the base scenario " + spec.base.string() + " is invalid"});
        return diags;
    }

    // Each value once, at its own place in the sweep file.
    std::set<std::string> checked;  // path + value
    auto check_once = [&](const Assignment& a) {
        if (!checked.insert(a.path + '\n' + a.value).second) return;
        if (std::string why = check_assignment(base, a); !why.empty()) diags.push_back({a.where, a.path, why});
    };
    for (const Assignment& a : spec.fixed) check_once(a);
    for (const auto* axes : {&spec.matrix, &spec.zip})
        for (const Axis& axis : *axes)
            for (const Assignment& a : axis.values) check_once(a);
    if (!diags.empty()) return diags;

    // Whole points: the rules that span several keys.
    size_t failed = 0;
    for (const SweepPoint& p : points) {
        std::vector<std::string> params;
        for (const Assignment& a : p.all)
            if (config::default_registry().find(a.key)) params.push_back(a.text());
        try {
            config::load_scenario(spec.base.string(), params);
        } catch (const config::ConfigError& e) {
            if (++failed > max_point_errors) continue;
            for (const Diagnostic& d : e.diagnostics()) {
                // Report at the point's value of the key the rule names, else its first value.
                const Assignment* at = p.swept.empty() ? nullptr : &p.swept.front();
                for (const Assignment& a : p.all)
                    if (a.key == d.key) at = &a;
                diags.push_back({at ? at->where : spec.base_where, at ? at->path : "base",
                                 describe(p) + ": " + d.key + ": " + d.message});
            }
        }
    }
    if (failed > max_point_errors)
        diags.push_back({spec.base_where, "", std::to_string(failed - max_point_errors) + " more points are invalid"});
    return diags;
}

}  // namespace nicsim::sweep
