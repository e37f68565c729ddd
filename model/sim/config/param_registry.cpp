#include "sim/config/param_registry.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "sim/config/param_declarations.h"
#include "sim/config/suggest.h"
#include "sim/config/value_parse.h"

namespace nicsim::config {

namespace {

bool valid_name(const std::string& name) {
    if (name.empty() || name.front() == '.' || name.back() == '.') return false;
    char prev = '.';
    for (char c : name) {
        if (c == '.' && prev == '.') return false;
        if (!(c == '.' || c == '_' || std::islower(static_cast<unsigned char>(c)) ||
              std::isdigit(static_cast<unsigned char>(c))))
            return false;
        prev = c;
    }
    return true;
}

bool value_matches_type(const ParamSpec& s) {
    switch (s.type) {
        case ParamType::Bool: return std::holds_alternative<bool>(s.def);
        case ParamType::Int:
        case ParamType::Duration: return std::holds_alternative<int64_t>(s.def);
        case ParamType::Double: return std::holds_alternative<double>(s.def);
        case ParamType::Enum:
        case ParamType::String: return std::holds_alternative<std::string>(s.def);
    }
    return false;
}

}  // namespace

const ParamSpec& ParamRegistry::add(ParamSpec spec) {
    const std::string& n = spec.name;
    if (!valid_name(n)) throw std::logic_error("parameter name '" + n + "' is not dotted lower_snake_case");
    if (index_.count(n)) throw std::logic_error("parameter '" + n + "' declared twice");
    if (groups_.count(n)) throw std::logic_error("parameter '" + n + "' is also a group of other parameters");
    for (size_t dot = n.find('.'); dot != std::string::npos; dot = n.find('.', dot + 1)) {
        if (index_.count(n.substr(0, dot)))
            throw std::logic_error("parameter '" + n + "' lies under parameter '" + n.substr(0, dot) + "'");
    }
    if (!value_matches_type(spec)) throw std::logic_error("default of '" + n + "' has the wrong type");
    if (spec.type == ParamType::Enum && spec.choices.empty())
        throw std::logic_error("enum '" + n + "' has no choices");
    if (spec.type == ParamType::Enum &&
        std::find(spec.choices.begin(), spec.choices.end(), std::get<std::string>(spec.def)) == spec.choices.end())
        throw std::logic_error("default of '" + n + "' is not one of its choices");
    const std::string range_error = check_range(spec, spec.def);
    if (!range_error.empty()) throw std::logic_error("default of '" + n + "' " + range_error);
    if (spec.description.empty()) throw std::logic_error("parameter '" + n + "' has no description");

    for (size_t dot = n.find('.'); dot != std::string::npos; dot = n.find('.', dot + 1)) ++groups_[n.substr(0, dot)];
    index_.emplace(n, static_cast<int>(params_.size()));
    params_.push_back(std::move(spec));
    return params_.back();
}

namespace {
// The fields every declaration has; the add_* functions below fill in the rest.
ParamSpec spec_of(std::string name, ParamType type, Value def, std::string unit, std::string description) {
    ParamSpec s;
    s.name = std::move(name);
    s.type = type;
    s.def = std::move(def);
    s.unit = std::move(unit);
    s.description = std::move(description);
    return s;
}
}  // namespace

const ParamSpec& ParamRegistry::add_bool(std::string name, bool def, std::string description) {
    return add(spec_of(std::move(name), ParamType::Bool, def, "", std::move(description)));
}

const ParamSpec& ParamRegistry::add_int(std::string name, int64_t def, int64_t min, int64_t max, std::string unit,
                                        std::string description) {
    ParamSpec s = spec_of(std::move(name), ParamType::Int, def, std::move(unit), std::move(description));
    s.int_min = min;
    s.int_max = max;
    return add(std::move(s));
}

const ParamSpec& ParamRegistry::add_int_pow2(std::string name, int64_t def, int64_t min, int64_t max,
                                             std::string unit, std::string description) {
    ParamSpec s = spec_of(std::move(name), ParamType::Int, def, std::move(unit), std::move(description));
    s.int_min = min;
    s.int_max = max;
    s.power_of_two = true;
    return add(std::move(s));
}

const ParamSpec& ParamRegistry::add_int_choice(std::string name, int64_t def, std::vector<int64_t> choices,
                                               std::string unit, std::string description) {
    ParamSpec s = spec_of(std::move(name), ParamType::Int, def, std::move(unit), std::move(description));
    s.int_choices = std::move(choices);
    return add(std::move(s));
}

const ParamSpec& ParamRegistry::add_double(std::string name, double def, double min, double max, std::string unit,
                                           std::string description) {
    ParamSpec s = spec_of(std::move(name), ParamType::Double, def, std::move(unit), std::move(description));
    s.dbl_min = min;
    s.dbl_max = max;
    return add(std::move(s));
}

const ParamSpec& ParamRegistry::add_duration(std::string name, int64_t def_ps, int64_t min_ps, int64_t max_ps,
                                             std::string description) {
    ParamSpec s = spec_of(std::move(name), ParamType::Duration, def_ps, "ps", std::move(description));
    s.int_min = min_ps;
    s.int_max = max_ps;
    return add(std::move(s));
}

const ParamSpec& ParamRegistry::add_enum(std::string name, std::string def, std::vector<std::string> choices,
                                         std::string description) {
    ParamSpec s = spec_of(std::move(name), ParamType::Enum, std::move(def), "", std::move(description));
    s.choices = std::move(choices);
    return add(std::move(s));
}

const ParamSpec& ParamRegistry::add_string(std::string name, std::string def, std::string description) {
    return add(spec_of(std::move(name), ParamType::String, std::move(def), "", std::move(description)));
}

void ParamRegistry::add_constraint(Constraint c) {
    for (const std::string& k : c.keys) {
        if (!find(k)) throw std::logic_error("constraint names unknown parameter '" + k + "'");
    }
    constraints_.push_back(std::move(c));
}

const ParamSpec* ParamRegistry::find(std::string_view name) const {
    const int i = index_of(name);
    return i < 0 ? nullptr : &params_[static_cast<size_t>(i)];
}

int ParamRegistry::index_of(std::string_view name) const {
    auto it = index_.find(name);
    return it == index_.end() ? -1 : it->second;
}

bool ParamRegistry::is_group(std::string_view prefix) const { return groups_.find(prefix) != groups_.end(); }

std::string ParamRegistry::suggest(std::string_view name) const {
    std::vector<std::string> candidates;
    for (const auto& [n, i] : index_) candidates.push_back(n);
    for (const auto& [g, count] : groups_) candidates.push_back(g);
    std::string near = closest(name, candidates);
    if (!near.empty()) return near;
    // A key written without its group ("clock_mhz" at the top, "core.clock_mhz" under nic):
    // suggest the full names ending in it.
    const std::string tail = "." + std::string(name);
    std::vector<std::string> found;
    for (const ParamSpec& s : params_) {
        const std::string& n = s.name;
        if (n.size() > tail.size() && n.compare(n.size() - tail.size(), tail.size(), tail) == 0) found.push_back(n);
    }
    if (found.empty() || found.size() > 4) return {};
    std::string out = found[0];
    for (size_t i = 1; i < found.size(); ++i) out += (i + 1 == found.size() ? " or " : ", ") + found[i];
    return out;
}

const ParamRegistry& default_registry() {
    static const ParamRegistry registry = [] {
        ParamRegistry r;
        declare_nic_params(r);
        declare_pcie_host_params(r);
        declare_net_sim_params(r);
        return r;
    }();
    return registry;
}

}  // namespace nicsim::config
