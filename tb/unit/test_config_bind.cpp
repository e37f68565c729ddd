// The bindings from Config to the models' own parameter structs: the registry's defaults are
// the structs' defaults (so the two cannot drift apart unnoticed), values reach the right
// fields, and the bundled NIC configs give pipelines the timing engine accepts.
#include <catch2/catch.hpp>

#include "nic/pipeline/pipeline_layout.h"
#include "sim/config/bind/bind_host_pcie.h"
#include "sim/config/bind/bind_net.h"
#include "sim/config/bind/bind_nic.h"
#include "sim/config/overrides.h"
#include "sim/config/yaml_loader.h"

using namespace nicsim;
using config::Config;

namespace {
Config with(std::vector<std::string> sets) {
    Config c;
    const auto diags = config::apply_overrides(c, sets);
    REQUIRE(diags.empty());
    return c;
}
std::string nic_config(const char* name) {
    const char* env = std::getenv("NICSIM_SOURCE_DIR");
    return std::string(env && *env ? env : NICSIM_TEST_SOURCE_DIR) + "/configs/nic/" + name + ".yaml";
}
}  // namespace

TEST_CASE("PCIe and host defaults of the registry equal the structs' defaults", "[config][bind]") {
    const Config c;
    const pcie::PcieParams p = config::to_pcie_params(c), d;
    CHECK(p.gen == d.gen);
    CHECK(p.lanes == d.lanes);
    CHECK(p.mps == d.mps);
    CHECK(p.mrrs == d.mrrs);
    CHECK(p.rcb == d.rcb);
    CHECK(p.rcb_chunks == d.rcb_chunks);
    CHECK(p.addr64 == d.addr64);
    CHECK(p.ecrc == d.ecrc);
    CHECK(p.max_read_tags == d.max_read_tags);
    CHECK(p.rc_posted_hdr_credits == d.rc_posted_hdr_credits);
    CHECK(p.rc_posted_data_credits == d.rc_posted_data_credits);
    CHECK(p.rc_nonposted_hdr_credits == d.rc_nonposted_hdr_credits);
    CHECK(p.fc_update_latency == d.fc_update_latency);
    CHECK(p.link_latency == d.link_latency);
    CHECK(p.rc_read_latency.is_constant() == d.rc_read_latency.is_constant());
    CHECK(p.rc_read_latency.median() == d.rc_read_latency.median());
    CHECK(p.rc_write_latency == d.rc_write_latency);
    CHECK(p.mmio_latency == d.mmio_latency);
    CHECK(p.msix_base == d.msix_base);
    CHECK(p.seed == d.seed);
    CHECK_NOTHROW(p.validate());

    const host::HostMemoryParams m = config::to_host_memory_params(c), md;
    CHECK(m.read_latency == md.read_latency);
    CHECK(m.write_latency == md.write_latency);
    const host::verbs::DriverParams v = config::to_driver_params(c), vd;
    CHECK(v.doorbell == vd.doorbell);
    CHECK(v.post_cpu_ps == vd.post_cpu_ps);
    CHECK(v.irq_latency == vd.irq_latency);
    CHECK(v.dma_base == vd.dma_base);
}

TEST_CASE("NIC and network defaults of the registry equal the structs' defaults", "[config][bind]") {
    const Config c;
    const nic::sge::SgeParams s = config::to_sge_params(c), sd;
    CHECK(s.clock_mhz == sd.clock_mhz);
    CHECK(s.beat_bytes == sd.beat_bytes);
    CHECK(s.doorbell_cycles == sd.doorbell_cycles);
    CHECK(s.wr_parse_cycles == sd.wr_parse_cycles);
    CHECK(s.cqe_cycles == sd.cqe_cycles);
    CHECK(s.fetch_max_slots == sd.fetch_max_slots);
    CHECK(s.dma_chunk == sd.dma_chunk);
    CHECK(s.gather_window == sd.gather_window);
    CHECK(s.holdoff == sd.holdoff);
    CHECK(s.max_qps == sd.max_qps);
    CHECK(s.max_cqs == sd.max_cqs);
    CHECK(s.max_ird_ord == sd.max_ird_ord);

    const proto::TcpConfig t = config::to_tcp_config(c), td;
    CHECK(t.mss == td.mss);
    CHECK(t.window_scaling == td.window_scaling);
    CHECK(t.window_scale_shift == td.window_scale_shift);
    CHECK(t.timestamps == td.timestamps);
    CHECK(t.timestamp_tick_ps == td.timestamp_tick_ps);
    CHECK(t.receive_buffer == td.receive_buffer);
    CHECK(t.delayed_ack_segments == td.delayed_ack_segments);
    CHECK(t.delayed_ack_timeout_ps == td.delayed_ack_timeout_ps);
    CHECK(t.initial_rto_ps == td.initial_rto_ps);
    CHECK(t.min_rto_ps == td.min_rto_ps);
    CHECK(t.max_rto_ps == td.max_rto_ps);
    CHECK(t.clock_granularity_ps == td.clock_granularity_ps);
    CHECK(t.rto_after_syn_loss_ps == td.rto_after_syn_loss_ps);
    CHECK(t.max_retransmissions == td.max_retransmissions);
    CHECK(t.max_syn_retries == td.max_syn_retries);
    CHECK(t.initial_cwnd_segments == td.initial_cwnd_segments);
    CHECK(t.initial_ssthresh == td.initial_ssthresh);
    CHECK(t.dupack_threshold == td.dupack_threshold);
    CHECK(t.record_packing == td.record_packing);
    CHECK(t.time_wait_ps == td.time_wait_ps);

    const net::LinkParams l = config::to_link_params(c), ld;
    CHECK(l.rate_gbps == ld.rate_gbps);
    CHECK(l.propagation == ld.propagation);
    CHECK(config::to_switch_params(c).latency == net::SwitchParams{}.latency);
}

TEST_CASE("configured values reach the structs", "[config][bind]") {
    const Config c = with({"pcie.mps=512", "pcie.rc.read_latency_dist=pciebench_e5_64b", "pcie.rc.read_latency_ps=500ns",
                           "host.doorbell=push", "nic.core.clock_mhz=400", "nic.sge.holdoff_timer2_ps=7us",
                           "nic.tcp.record_packing=pack_to_emss", "nic.mac.rate_gbps=10", "nic.le.mode=tcam",
                           "nic.mpa_rx.marker_impl=rtl", "nic.mpa.markers=true"});
    const pcie::PcieParams p = config::to_pcie_params(c);
    CHECK(p.mps == 512);
    CHECK_FALSE(p.rc_read_latency.is_constant());
    CHECK(p.rc_read_latency.median() == 500000);
    CHECK(config::to_driver_params(c).doorbell == host::verbs::DoorbellMode::Push);
    CHECK(config::to_sge_params(c).clock_mhz == 400.0);
    CHECK(config::to_sge_params(c).holdoff[2] == 7000000);
    CHECK(config::to_tcp_config(c).record_packing == proto::TcpRecordPacking::PackToEmss);
    CHECK(config::to_link_params(c).rate_gbps == 10.0);
    const nic::StageConfig le = config::to_stage_config(c, "le");
    CHECK(le.latency_cycles == c.get_int("nic.le.latency_cycles") + c.get_int("nic.le.tcam_lookup_cycles"));
    CHECK(le.clock.period() == 2500);  // 400 MHz
    const islands::EngineConfig strip = config::to_engine_config(c, islands::Block::MarkerStrip, false);
    CHECK(strip.impl == islands::Impl::Rtl);
    CHECK(strip.markers);
    CHECK(config::to_engine_config(c, islands::Block::Crc32c, true).impl == islands::Impl::Model);
    CHECK_THROWS_AS(config::to_stage_config(c, "nope"), std::logic_error);
}

TEST_CASE("the bundled NIC configs give pipelines the timing engine accepts", "[config][bind]") {
    for (const char* name : {"t5_40g", "t5_40g_store_forward", "t5_10g", "t5_40g_markers", "t5_40g_rtl"}) {
        INFO(name);
        const config::Scenario sc = config::load_scenario(nic_config(name));
        const auto tx = config::tx_stage_configs(sc.config);
        const auto rx = config::rx_stage_configs(sc.config);
        REQUIRE(tx.size() == 4);
        REQUIRE(rx.size() == 7);
        CHECK(tx.back().name == "mac_tx");
        CHECK(tx.back().clock.period() == (std::string(name) == "t5_10g" ? 6400u : 3200u));
        CHECK(tx.front().name == "ulp_tx");
        CHECK(tx.front().clock.period() == 2000);
        for (const auto* chain : {&tx, &rx}) {
            nic::PipelineLayout layout(*chain);
            const int64_t frame = sc.config.get_int("nic.mac.mtu") + 18;
            CHECK_NOTHROW(layout.add_frame(static_cast<uint64_t>(frame)));
            CHECK_NOTHROW(layout.add_frame(64));
        }
    }
}
