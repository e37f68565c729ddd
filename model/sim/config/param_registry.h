// Every configuration key the model knows, in declaration order, plus cross-parameter rules.
//
// The registry is the single source of truth: the YAML loader rejects keys it does not list,
// `nicsim params` and docs/parameters.md print it, Config stores one value per entry.
// Modules add their keys in a declare_* function (param_declarations.h).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "sim/config/param_spec.h"

namespace nicsim::config {

class Config;

// A rule spanning several keys ("pcie.rcb must not exceed pcie.mps"). `check` returns an empty
// string when the rule holds; the error is reported at the location of the last key listed in
// `keys` that was set explicitly (else the first).
struct Constraint {
    std::vector<std::string> keys;
    std::function<std::string(const Config&)> check;
};

class ParamRegistry {
public:
    // Each throws std::logic_error on a malformed declaration (bad name, duplicate, a name that
    // is also a group of other keys, a default outside its own range).
    const ParamSpec& add(ParamSpec spec);
    const ParamSpec& add_bool(std::string name, bool def, std::string description);
    const ParamSpec& add_int(std::string name, int64_t def, int64_t min, int64_t max, std::string unit,
                             std::string description);
    const ParamSpec& add_int_pow2(std::string name, int64_t def, int64_t min, int64_t max, std::string unit,
                                  std::string description);
    const ParamSpec& add_int_choice(std::string name, int64_t def, std::vector<int64_t> choices, std::string unit,
                                    std::string description);
    const ParamSpec& add_double(std::string name, double def, double min, double max, std::string unit,
                                std::string description);
    const ParamSpec& add_duration(std::string name, int64_t def_ps, int64_t min_ps, int64_t max_ps,
                                  std::string description);
    const ParamSpec& add_enum(std::string name, std::string def, std::vector<std::string> choices,
                              std::string description);
    const ParamSpec& add_string(std::string name, std::string def, std::string description);
    void add_constraint(Constraint c);

    const std::vector<ParamSpec>& params() const { return params_; }
    const std::vector<Constraint>& constraints() const { return constraints_; }
    size_t size() const { return params_.size(); }
    const ParamSpec* find(std::string_view name) const;
    // Index into params(), or -1.
    int index_of(std::string_view name) const;
    // True if `prefix` names a group, i.e. some key starts with "prefix.".
    bool is_group(std::string_view prefix) const;
    // The closest key or group to a misspelt `name` ("nic.core.clok_mhz" -> "nic.core.clock_mhz");
    // also finds keys whose last components match ("core.clock_mhz" -> "nic.core.clock_mhz";
    // "clock_mhz" -> "nic.core.clock_mhz, nic.mac.clock_mhz or nic.pcie.clock_mhz"). "" if none.
    std::string suggest(std::string_view name) const;

private:
    std::vector<ParamSpec> params_;
    std::map<std::string, int, std::less<>> index_;
    std::map<std::string, int, std::less<>> groups_;  // group -> number of keys under it
    std::vector<Constraint> constraints_;
};

// The registry of the whole model (NIC, PCIe, host, network, simulation), built on first use.
const ParamRegistry& default_registry();

}  // namespace nicsim::config
