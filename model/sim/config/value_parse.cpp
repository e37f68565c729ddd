#include "sim/config/value_parse.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "sim/config/suggest.h"

namespace nicsim::config {

std::string trim(std::string_view s) {
    size_t b = 0, e = s.size();
    while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
    return std::string(s.substr(b, e - b));
}

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

ParseResult fail(std::string msg) { return ParseResult{false, Value{}, std::move(msg)}; }
ParseResult good(Value v) { return ParseResult{true, std::move(v), {}}; }

std::string shown(std::string_view text) { return "\"" + std::string(text) + "\""; }

// Strict integer: whole text consumed, no overflow.
bool parse_int(std::string s, int64_t* out) {
    s.erase(std::remove(s.begin(), s.end(), '_'), s.end());
    if (s.empty()) return false;
    bool neg = false;
    size_t i = 0;
    if (s[0] == '-' || s[0] == '+') {
        neg = s[0] == '-';
        i = 1;
    }
    int base = 10;
    if (s.size() > i + 2 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
        base = 16;
        i += 2;
    }
    if (i >= s.size()) return false;
    for (size_t k = i; k < s.size(); ++k) {
        if (!(base == 16 ? std::isxdigit(static_cast<unsigned char>(s[k])) : std::isdigit(static_cast<unsigned char>(s[k]))))
            return false;
    }
    errno = 0;
    unsigned long long mag = std::strtoull(s.c_str() + i, nullptr, base);
    if (errno == ERANGE || mag > static_cast<unsigned long long>(INT64_MAX) + (neg ? 1ull : 0ull)) return false;
    *out = neg ? static_cast<int64_t>(0ull - mag) : static_cast<int64_t>(mag);
    return true;
}

bool parse_double(const std::string& s, double* out) {
    if (s.empty()) return false;
    const std::string l = lower(s);
    if (l.find("nan") != std::string::npos || l.find("inf") != std::string::npos || l.find("0x") != std::string::npos)
        return false;
    char* end = nullptr;
    errno = 0;
    double d = std::strtod(s.c_str(), &end);
    if (end != s.c_str() + s.size() || errno == ERANGE || !std::isfinite(d)) return false;
    *out = d;
    return true;
}

ParseResult parse_duration(std::string_view text) {
    const std::string t = trim(text);
    size_t split = t.size();
    while (split > 0 && std::isalpha(static_cast<unsigned char>(t[split - 1]))) --split;
    const std::string number = trim(t.substr(0, split));
    const std::string unit = lower(t.substr(split));
    static const struct { const char* name; double scale; } units[] = {
        {"", 1}, {"ps", 1}, {"ns", 1e3}, {"us", 1e6}, {"ms", 1e9}, {"s", 1e12}};
    const double* scale = nullptr;
    for (const auto& u : units) {
        if (unit == u.name) scale = &u.scale;
    }
    const std::string expected = "expected a duration (integer ps, or a number with ps/ns/us/ms/s), got " + shown(text);
    if (!scale) return fail(expected);
    int64_t i = 0;
    if (parse_int(number, &i) && number.find_first_of("xX") == std::string::npos) {
        const double ps = static_cast<double>(i) * *scale;
        if (std::fabs(ps) > 9.2e18) return fail("duration " + shown(text) + " is too large");
        return good(Value{static_cast<int64_t>(i * static_cast<int64_t>(*scale))});
    }
    double d = 0;
    if (!parse_double(number, &d)) return fail(expected);
    const double ps = d * *scale;
    if (std::fabs(ps) > 9.2e18) return fail("duration " + shown(text) + " is too large");
    const double rounded = std::round(ps);
    if (std::fabs(ps - rounded) > 1e-6 * std::max(1.0, std::fabs(ps)))
        return fail("duration " + shown(text) + " is not a whole number of picoseconds");
    return good(Value{static_cast<int64_t>(rounded)});
}

}  // namespace

ParseResult parse_value(const ParamSpec& spec, std::string_view text, bool quoted) {
    const std::string t = trim(text);
    if (quoted && (spec.type == ParamType::Bool || spec.type == ParamType::Int || spec.type == ParamType::Double))
        return fail("expected " + std::string(spec.type == ParamType::Bool ? "true or false" : "a number") +
                    ", got the quoted string " + shown(text) + " (remove the quotes)");
    switch (spec.type) {
        case ParamType::Bool: {
            const std::string l = lower(t);
            if (l == "true" || l == "yes" || l == "on") return good(Value{true});
            if (l == "false" || l == "no" || l == "off") return good(Value{false});
            return fail("expected true or false, got " + shown(text));
        }
        case ParamType::Int: {
            int64_t i = 0;
            if (parse_int(t, &i)) return good(Value{i});
            double d = 0;
            if (parse_double(t, &d)) return fail("expected an integer, got " + shown(text) + " (not a whole number)");
            return fail("expected an integer, got " + shown(text));
        }
        case ParamType::Double: {
            double d = 0;
            if (parse_double(t, &d)) return good(Value{d});
            return fail("expected a number, got " + shown(text));
        }
        case ParamType::Duration: return parse_duration(t);
        case ParamType::Enum: {
            if (std::find(spec.choices.begin(), spec.choices.end(), t) != spec.choices.end()) return good(Value{t});
            std::string msg = "expected one of " + spec.range_text() + ", got " + shown(text);
            const std::string near = closest(t, spec.choices);
            if (!near.empty()) msg += " (did you mean " + near + "?)";
            return fail(msg);
        }
        case ParamType::String: return good(Value{std::string(text)});
    }
    return fail("unsupported parameter type");
}

std::string check_range(const ParamSpec& spec, const Value& v) {
    switch (spec.type) {
        case ParamType::Int:
        case ParamType::Duration: {
            const int64_t i = std::get<int64_t>(v);
            const std::string got = ", got " + format_value_human(spec, v);
            if (!spec.int_choices.empty()) {
                if (std::find(spec.int_choices.begin(), spec.int_choices.end(), i) == spec.int_choices.end())
                    return "must be one of " + spec.range_text() + got;
                return {};
            }
            if (i < spec.int_min || i > spec.int_max || (spec.power_of_two && (i <= 0 || (i & (i - 1)) != 0)))
                return "must be in " + spec.range_text() + got;
            return {};
        }
        case ParamType::Double: {
            const double d = std::get<double>(v);
            if (d < spec.dbl_min || d > spec.dbl_max) return "must be in " + spec.range_text() + ", got " + format_value(spec, v);
            return {};
        }
        default: return {};
    }
}

}  // namespace nicsim::config
