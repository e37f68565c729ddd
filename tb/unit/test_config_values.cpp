// Text -> value parsing shared by YAML scalars and --set, and the canonical text written back.
#include <catch2/catch.hpp>

#include "sim/config/param_registry.h"
#include "sim/config/value_parse.h"

using namespace nicsim::config;

namespace {
const ParamSpec& spec(const char* key) { return *default_registry().find(key); }
Value ok(const char* key, const char* text) {
    ParseResult r = parse_value(spec(key), text);
    INFO(key << " <- " << text << ": " << r.error);
    REQUIRE(r.ok);
    return r.value;
}
std::string bad(const char* key, const char* text, bool quoted = false) {
    ParseResult r = parse_value(spec(key), text, quoted);
    INFO(key << " <- " << text);
    REQUIRE_FALSE(r.ok);
    return r.error;
}
}  // namespace

TEST_CASE("bool, int, double, enum spellings", "[config]") {
    CHECK(std::get<bool>(ok("nic.mpa.markers", "true")));
    CHECK(std::get<bool>(ok("nic.mpa.markers", "On")));
    CHECK_FALSE(std::get<bool>(ok("nic.mpa.markers", "no")));
    CHECK(bad("nic.mpa.markers", "1").find("expected true or false") != std::string::npos);
    CHECK(std::get<int64_t>(ok("pcie.mps", "512")) == 512);
    CHECK(std::get<int64_t>(ok("nic.mps.buffer_bytes", "196_608")) == 196608);
    CHECK(std::get<int64_t>(ok("pcie.msix_base", "0xFEE00000")) == 0xFEE00000LL);
    CHECK(bad("pcie.mps", "2.5").find("not a whole number") != std::string::npos);
    CHECK(bad("pcie.mps", "99999999999999999999999").find("expected an integer") != std::string::npos);
    CHECK(bad("pcie.mps", "256", true).find("quoted") != std::string::npos);
    CHECK(std::get<double>(ok("nic.core.clock_mhz", "312.5")) == 312.5);
    CHECK(std::get<double>(ok("nic.core.clock_mhz", "5e2")) == 500.0);
    CHECK(bad("nic.core.clock_mhz", "nan").find("expected a number") != std::string::npos);
    CHECK(bad("nic.core.clock_mhz", "fast").find("expected a number") != std::string::npos);
    CHECK(std::get<std::string>(ok("nic.le.mode", "tcam")) == "tcam");
    CHECK(std::get<std::string>(ok("nic.le.mode", "tcam")) == "tcam");
    CHECK(bad("nic.le.mode", "tcma") == "expected one of hash|tcam, got \"tcma\" (did you mean tcam?)");
}

TEST_CASE("durations: integer picoseconds or a number with a unit", "[config]") {
    CHECK(std::get<int64_t>(ok("pcie.link_latency_ps", "1500")) == 1500);
    CHECK(std::get<int64_t>(ok("pcie.link_latency_ps", "450ns")) == 450000);
    CHECK(std::get<int64_t>(ok("pcie.link_latency_ps", "1.5 us")) == 1500000);
    CHECK(std::get<int64_t>(ok("nic.tcp.min_rto_ps", "200ms")) == 200000000000LL);
    CHECK(std::get<int64_t>(ok("nic.tcp.min_rto_ps", "1 s")) == 1000000000000LL);
    CHECK(bad("pcie.link_latency_ps", "0.5ps").find("whole number of picoseconds") != std::string::npos);
    CHECK(bad("pcie.link_latency_ps", "3 parsecs").find("expected a duration") != std::string::npos);
    CHECK(bad("pcie.link_latency_ps", "ns").find("expected a duration") != std::string::npos);
}

TEST_CASE("range checks name the allowed range", "[config]") {
    CHECK(check_range(spec("pcie.gen"), Value{int64_t{7}}) == "must be in 1..4, got 7");
    CHECK(check_range(spec("pcie.mps"), Value{int64_t{384}}) == "must be in 128..4096, power of 2, got 384");
    CHECK(check_range(spec("pcie.lanes"), Value{int64_t{3}}) == "must be one of 1|2|4|8|16, got 3");
    CHECK(check_range(spec("nic.core.clock_mhz"), Value{10.0}) == "must be in 50.0..2000.0, got 10.0");
    CHECK(check_range(spec("pcie.link_latency_ps"), Value{int64_t{2000000000}}).find("0..1 ms") != std::string::npos);
    CHECK(check_range(spec("pcie.gen"), Value{int64_t{4}}) == "");
}

TEST_CASE("canonical text parses back to the same value", "[config]") {
    for (const ParamSpec& s : default_registry().params()) {
        INFO(s.name);
        const std::string text = format_value(s, s.def);
        ParseResult r = parse_value(s, s.type == ParamType::String ? std::get<std::string>(s.def) : text);
        REQUIRE(r.ok);
        CHECK(r.value == s.def);
    }
    CHECK(format_value(spec("nic.core.clock_mhz"), Value{156.25}) == "156.25");
    CHECK(format_value(spec("nic.core.clock_mhz"), Value{500.0}) == "500.0");
    CHECK(format_value(spec("nic.core.clock_mhz"), Value{0.1}) == "0.1");
    CHECK(format_value(spec("pcie.msix_base"), Value{int64_t{0xFEE00000}}) == "0xfee00000");
}
