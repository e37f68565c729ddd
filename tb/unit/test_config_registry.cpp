// The parameter registry: the model's keys exist with sane declarations, malformed
// declarations are refused, suggestions and typed accessors behave.
#include <catch2/catch.hpp>

#include <stdexcept>

#include "sim/config/config.h"
#include "sim/config/param_registry.h"
#include "sim/config/suggest.h"

using namespace nicsim::config;

TEST_CASE("default registry declares the keys the NIC pipeline and the PCIe/host model need", "[config]") {
    const ParamRegistry& r = default_registry();
    for (const char* key : {"nic.core.clock_mhz", "nic.mac.clock_mhz", "nic.pcie.clock_mhz", "nic.core.width_bytes",
                            "nic.mac.width_bytes", "nic.pcie.width_bytes", "nic.mpa.markers", "nic.mpa.crc",
                            "nic.mpa.rev", "nic.mpa.p2p_rtr", "nic.mps.buffer_bytes", "nic.le.mode",
                            "nic.tp.tcb_cache_entries", "nic.tp.tcb_miss_cycles", "nic.tcp.mss", "nic.tcp.timestamps",
                            "nic.tcp.window_scale_shift", "nic.tcp.delayed_ack_segments", "nic.tcp.min_rto_ps", "nic.pipeline.mode",
                            "nic.mpa_tx.crc_impl", "nic.mpa_rx.marker_impl", "net.link.propagation_ps",
                            "net.switch.enabled", "net.switch.latency_ps", "pcie.gen", "pcie.lanes", "pcie.mps",
                            "pcie.mrrs", "pcie.rcb", "pcie.tags", "pcie.fc.ph", "pcie.rc.read_latency_ps",
                            "pcie.mmio_latency_ps", "host.mem.read_latency_ps", "host.doorbell", "nic.sge.doorbell_cycles",
                            "nic.sge.wr_parse_cycles", "nic.sge.cqe_cycles", "nic.sge.fetch_max_slots",
                            "nic.sge.dma_chunk", "nic.sge.gather_window", "nic.sge.holdoff_timer0_ps", "nic.sge.holdoff_timer5_ps", "nic.sge.max_qps",
                            "nic.max_ird_ord"}) {
        INFO(key);
        CHECK(r.find(key) != nullptr);
    }
    for (const char* block : {"ulp_tx", "tp", "mpa_tx", "mac_tx", "mac_rx", "mps", "le", "mpa_rx", "ulp_rx", "tpt"}) {
        for (const char* leaf : {"latency_cycles", "fifo_depth_beats", "cut_through", "header_bytes"}) {
            const std::string key = std::string("nic.") + block + "." + leaf;
            INFO(key);
            CHECK(r.find(key) != nullptr);
        }
    }
    CHECK(std::get<int64_t>(r.find("nic.mps.buffer_bytes")->def) == 196608);
    CHECK(std::get<int64_t>(r.find("pcie.mps")->def) == 256);
}

TEST_CASE("every declared parameter has a description, and numeric ones a unit or a range", "[config]") {
    for (const ParamSpec& s : default_registry().params()) {
        INFO(s.name);
        CHECK(!s.description.empty());
        CHECK(s.description.find('\n') == std::string::npos);
        if (s.type == ParamType::Double || s.type == ParamType::Duration) CHECK(!s.unit.empty());
        if (s.type != ParamType::String) CHECK(!s.range_text().empty());
    }
}

TEST_CASE("malformed declarations are programming errors", "[config]") {
    ParamRegistry r;
    r.add_int("a.b", 1, 0, 10, "", "x");
    CHECK_THROWS_AS(r.add_int("a.b", 1, 0, 10, "", "again"), std::logic_error);
    CHECK_THROWS_AS(r.add_int("a", 1, 0, 10, "", "a group already"), std::logic_error);
    CHECK_THROWS_AS(r.add_int("a.b.c", 1, 0, 10, "", "under a parameter"), std::logic_error);
    CHECK_THROWS_AS(r.add_int("a.Bad", 1, 0, 10, "", "case"), std::logic_error);
    CHECK_THROWS_AS(r.add_int("a..c", 1, 0, 10, "", "empty component"), std::logic_error);
    CHECK_THROWS_AS(r.add_int("a.c", 11, 0, 10, "", "default out of range"), std::logic_error);
    CHECK_THROWS_AS(r.add_enum("a.d", "x", {"y", "z"}, "default not a choice"), std::logic_error);
    CHECK_THROWS_AS(r.add_bool("a.e", true, ""), std::logic_error);
    CHECK(r.is_group("a"));
    CHECK_FALSE(r.is_group("a.b"));
}

TEST_CASE("suggestions for misspelt and incomplete keys", "[config]") {
    const ParamRegistry& r = default_registry();
    CHECK(r.suggest("nic.core.clok_mhz") == "nic.core.clock_mhz");
    CHECK(r.suggest("nic.mpa.markres") == "nic.mpa.markers");
    CHECK(r.suggest("pcie.mpss") == "pcie.mps");
    CHECK(r.suggest("core.clock_mhz") == "nic.core.clock_mhz");
    CHECK(r.suggest("clock_mhz") == "nic.core.clock_mhz, nic.mac.clock_mhz or nic.pcie.clock_mhz");
    CHECK(r.suggest("completely.unrelated.thing") == "");
    CHECK(edit_distance("kitten", "sitting") == 3);
    CHECK(edit_distance("ab", "ba") == 1);
    CHECK(closest("pushh", {"auto", "plain", "push"}) == "push");
    CHECK(closest("xyz", {"auto", "plain", "push"}) == "");
}

TEST_CASE("typed accessors read defaults, and misuse throws logic_error", "[config]") {
    Config c;
    CHECK(c.get_double("nic.core.clock_mhz") == 500.0);
    CHECK(c.get_int("pcie.mps") == 256);
    CHECK(c.get_bool("nic.mpa.crc"));
    CHECK(c.get_string("host.doorbell") == "auto");
    CHECK(c.get_ps("pcie.rc.read_latency_ps") == 450000);
    CHECK(c.view("nic.tp").get_int("latency_cycles") == c.get_int("nic.tp.latency_cycles"));
    CHECK(c.view("nic").view("mpa").get_bool("markers") == false);
    CHECK(c.source("pcie.mps").kind == SourceKind::Default);
    CHECK_THROWS_AS(c.get_int("nic.core.clock_mhz"), std::logic_error);
    CHECK_THROWS_AS(c.get_bool("no.such.key"), std::logic_error);
    CHECK_THROWS_AS(c.view("nic.nope"), std::logic_error);
    CHECK(c.set("pcie.mps", Value{int64_t{300}}, {}) != "");
    CHECK(c.set("pcie.mps", Value{true}, {}) != "");
    CHECK(c.set("pcie.mps", Value{int64_t{512}}, {SourceKind::Override, {"--set", 0, 0}}) == "");
    CHECK(c.get_int("pcie.mps") == 512);
    CHECK(c.explicit_count() == 1);
}
