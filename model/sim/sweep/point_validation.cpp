#include "sim/sweep/point_validation.h"

#include <set>

#include "sim/config/param_registry.h"
#include "sim/config/value_parse.h"
#include "sim/sweep/workload_overrides.h"

namespace nicsim::sweep {

using config::Diagnostic;

namespace {

// Empty when the single assignment is acceptable.
std::string check_assignment(const SweepSpec& spec, const Assignment& a) {
    if (const config::ParamSpec* param = config::default_registry().find(a.key)) {
        // Unquoted, exactly as `nicsim run --set` will parse it.
        const config::ParseResult r = config::parse_value(*param, a.value);
        if (!r.ok) return r.error;
        return config::check_range(*param, r.value);
    }
    return check_workload_override(spec.base, a.key, a.value);
}

std::string describe(const SweepPoint& p) {
    std::string s = "point " + p.id;
    if (p.swept.empty()) return s;
    s += " (";
    constexpr size_t kShown = 4;  // long zips would make every line unreadable
    for (size_t i = 0; i < p.swept.size() && i < kShown; ++i) s += (i ? ", " : "") + p.swept[i].text();
    if (p.swept.size() > kShown) s += ", ... " + std::to_string(p.swept.size() - kShown) + " more";
    return s + ")";
}

}  // namespace

std::vector<Diagnostic> validate_points(const SweepSpec& spec, const std::vector<SweepPoint>& points,
                                        size_t max_point_errors) {
    std::vector<Diagnostic> diags;
    diags = check_run_input(spec.base, {});
    if (!diags.empty()) {
        diags.push_back({spec.base_where, "base", "the base scenario " + spec.base.string() + " is invalid"});
        return diags;
    }

    // Each value once, at its own place in the sweep file.
    std::set<std::string> checked;  // path + value
    auto check_once = [&](const Assignment& a) {
        if (!checked.insert(a.path + '\n' + a.value).second) return;
        if (std::string why = check_assignment(spec, a); !why.empty()) diags.push_back({a.where, a.path, why});
    };
    for (const Assignment& a : spec.fixed) check_once(a);
    for (const auto* axes : {&spec.matrix, &spec.zip})
        for (const Axis& axis : *axes)
            for (const Assignment& a : axis.values) check_once(a);
    if (!diags.empty()) return diags;

    // Whole points, exactly as `nicsim run` will load them: the rules that span several keys.
    size_t failed = 0;
    for (const SweepPoint& p : points) {
        const std::vector<Diagnostic> problems = check_run_input(spec.base, p.assignments());
        if (!problems.empty()) {
            if (++failed > max_point_errors) continue;
            for (const Diagnostic& d : problems) {
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
