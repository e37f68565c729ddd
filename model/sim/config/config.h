// The resolved configuration of one run: a value for every registered parameter, and where
// each value came from. Modules read it through typed accessors:
//
//   const Config& cfg = scenario.config;
//   double mhz  = cfg.get_double("nic.core.clock_mhz");
//   auto tp     = cfg.view("nic.tp");           // the same, relative to a group
//   int64_t lat = tp.get_int("latency_cycles");
//
// Asking for an undeclared key or with the wrong type is a programming error and throws
// std::logic_error; user input errors are found earlier, by the loader.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sim/config/diagnostic.h"
#include "sim/config/param_registry.h"

namespace nicsim::config {

enum class SourceKind { Default, File, Override };

struct ValueSource {
    SourceKind kind = SourceKind::Default;
    Location where;  // File: the file and position of the value; Override: file "--set"
    std::string describe() const;  // "default", "file configs/nic/t5_40g.yaml:4:14", "override --set"
};

class ConfigView;

class Config {
public:
    // Every parameter at its default.
    explicit Config(const ParamRegistry& registry = default_registry());

    const ParamRegistry& registry() const { return *registry_; }

    bool get_bool(std::string_view key) const;
    int64_t get_int(std::string_view key) const;
    double get_double(std::string_view key) const;
    int64_t get_ps(std::string_view key) const;                 // duration parameters, in ps
    const std::string& get_string(std::string_view key) const;  // enum and string parameters
    ConfigView view(std::string prefix) const;

    const Value& value(std::string_view key) const;
    const ValueSource& source(std::string_view key) const;
    // Canonical text of the value (format_value).
    std::string text(std::string_view key) const;

    // Range-checks and stores `v` (its alternative must match the key's type). Returns an empty
    // string on success, else the reason; unknown keys throw std::logic_error.
    std::string set(std::string_view key, const Value& v, const ValueSource& src);

    // Cross-parameter rules of the registry; one diagnostic per broken rule.
    std::vector<Diagnostic> check_constraints() const;

    // Keys whose value is not the default's source (set by a file or an override).
    size_t explicit_count() const;

    bool same_values(const Config& other) const { return values_ == other.values_; }

private:
    size_t index(std::string_view key) const;
    const Value& typed(std::string_view key, ParamType a, ParamType b) const;

    const ParamRegistry* registry_;
    std::vector<Value> values_;
    std::vector<ValueSource> sources_;
};

// A group of a Config, read with keys relative to it ("nic.tp" + "latency_cycles").
class ConfigView {
public:
    ConfigView(const Config& cfg, std::string prefix) : cfg_(&cfg), prefix_(std::move(prefix)) {}
    bool get_bool(std::string_view key) const { return cfg_->get_bool(full(key)); }
    int64_t get_int(std::string_view key) const { return cfg_->get_int(full(key)); }
    double get_double(std::string_view key) const { return cfg_->get_double(full(key)); }
    int64_t get_ps(std::string_view key) const { return cfg_->get_ps(full(key)); }
    const std::string& get_string(std::string_view key) const { return cfg_->get_string(full(key)); }
    ConfigView view(std::string_view sub) const { return ConfigView(*cfg_, full(sub)); }
    const std::string& prefix() const { return prefix_; }

private:
    std::string full(std::string_view key) const { return prefix_ + "." + std::string(key); }
    const Config* cfg_;
    std::string prefix_;
};

}  // namespace nicsim::config
