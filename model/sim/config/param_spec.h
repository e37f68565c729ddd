// The declaration of one tunable: dotted name, type, default, unit, allowed range, description.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace nicsim::config {

enum class ParamType {
    Bool,
    Int,       // int64; [min, max], optionally a power of two or one of a list
    Double,    // [min, max]
    Duration,  // integer picoseconds (the model's time unit); input may carry ps/ns/us/ms/s
    Enum,      // one of `choices`
    String,
};

// Bool -> bool, Int and Duration -> int64_t, Double -> double, Enum and String -> std::string.
using Value = std::variant<bool, int64_t, double, std::string>;

struct ParamSpec {
    std::string name;  // dotted, lower_snake components: "nic.core.clock_mhz"
    ParamType type = ParamType::Int;
    Value def;
    std::string unit;  // "MHz", "B", "cycles", "ps", ... empty for flags and enums
    std::string description;  // one line
    int64_t int_min = INT64_MIN, int_max = INT64_MAX;  // Int, Duration
    bool power_of_two = false;                         // Int
    std::vector<int64_t> int_choices;                  // Int: if not empty, only these
    double dbl_min = -1e300, dbl_max = 1e300;          // Double
    std::vector<std::string> choices;                  // Enum

    std::string type_name() const;   // "bool", "int", "double", "duration", "enum", "string"
    std::string range_text() const;  // "1..4", "128..4096, power of 2", "model|rtl", ""
};

// Canonical text of a value, as the resolved config writes it; parsing it back gives the same
// value (doubles use the shortest representation that round-trips).
std::string format_value(const ParamSpec& spec, const Value& v);

// The same for humans: durations also in the largest exact unit ("450000 (450 ns)").
std::string format_value_human(const ParamSpec& spec, const Value& v);

}  // namespace nicsim::config
