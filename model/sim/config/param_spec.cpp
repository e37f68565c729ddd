#include "sim/config/param_spec.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace nicsim::config {

namespace {

std::string shortest_double(double d) {
    char buf[64];
    // Plain decimals for ordinary magnitudes ("312.5", "40.0"), exponents only when needed.
    if (std::fabs(d) < 1e15) {
        for (int digits = 0; digits <= 17; ++digits) {
            std::snprintf(buf, sizeof buf, "%.*f", digits, d);
            if (std::strtod(buf, nullptr) == d) {
                std::string s = buf;
                return digits == 0 ? s + ".0" : s;
            }
        }
    }
    for (int prec = 1; prec <= 17; ++prec) {
        std::snprintf(buf, sizeof buf, "%.*g", prec, d);
        if (std::strtod(buf, nullptr) == d) break;
    }
    std::string s = buf;
    if (s.find_first_of(".eE") == std::string::npos) s += ".0";
    return s;
}

std::string quote(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\t': out += "\\t"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char esc[8];
                    std::snprintf(esc, sizeof esc, "\\x%02x", static_cast<unsigned char>(c));
                    out += esc;
                } else {
                    out += c;
                }
        }
    }
    return out + "\"";
}

std::string join(const std::vector<std::string>& v, const char* sep) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
    return s;
}

std::string bound(int64_t v, const ParamSpec& spec) {
    if (spec.type == ParamType::Duration) {
        static const struct { int64_t scale; const char* name; } units[] = {
            {1000000000000, "s"}, {1000000000, "ms"}, {1000000, "us"}, {1000, "ns"}};
        for (const auto& u : units) {
            if (v != 0 && v % u.scale == 0) return std::to_string(v / u.scale) + " " + u.name;
        }
        return v == 0 ? "0" : std::to_string(v) + " ps";
    }
    return format_value(spec, Value{v});
}

}  // namespace

std::string ParamSpec::type_name() const {
    switch (type) {
        case ParamType::Bool: return "bool";
        case ParamType::Int: return "int";
        case ParamType::Double: return "double";
        case ParamType::Duration: return "duration";
        case ParamType::Enum: return "enum";
        case ParamType::String: return "string";
    }
    return "?";
}

std::string ParamSpec::range_text() const {
    switch (type) {
        case ParamType::Bool: return "true|false";
        case ParamType::Enum: return join(choices, "|");
        case ParamType::String: return "";
        case ParamType::Double: return shortest_double(dbl_min) + ".." + shortest_double(dbl_max);
        case ParamType::Int:
        case ParamType::Duration: {
            if (!int_choices.empty()) {
                std::vector<std::string> c;
                for (int64_t v : int_choices) c.push_back(std::to_string(v));
                return join(c, "|");
            }
            std::string s = bound(int_min, *this) + ".." + bound(int_max, *this);
            if (power_of_two) s += ", power of 2";
            return s;
        }
    }
    return "";
}

std::string format_value(const ParamSpec& spec, const Value& v) {
    switch (spec.type) {
        case ParamType::Bool: return std::get<bool>(v) ? "true" : "false";
        case ParamType::Int:
            if (spec.unit == "address") {
                char buf[24];
                std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(std::get<int64_t>(v)));
                return buf;
            }
            return std::to_string(std::get<int64_t>(v));
        case ParamType::Duration: return std::to_string(std::get<int64_t>(v));
        case ParamType::Double: return shortest_double(std::get<double>(v));
        case ParamType::Enum: return std::get<std::string>(v);
        case ParamType::String: return quote(std::get<std::string>(v));
    }
    return "";
}

std::string format_value_human(const ParamSpec& spec, const Value& v) {
    if (spec.type != ParamType::Duration) return format_value(spec, v);
    const int64_t ps = std::get<int64_t>(v);
    static const struct { int64_t scale; const char* name; } units[] = {
        {1000000000000, "s"}, {1000000000, "ms"}, {1000000, "us"}, {1000, "ns"}};
    if (ps != 0) {
        for (const auto& u : units) {
            if (ps % u.scale == 0) return std::to_string(ps) + " (" + std::to_string(ps / u.scale) + " " + u.name + ")";
        }
    }
    return std::to_string(ps);
}

}  // namespace nicsim::config
