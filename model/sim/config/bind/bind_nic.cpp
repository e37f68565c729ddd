#include "sim/config/bind/bind_nic.h"

#include <stdexcept>

namespace nicsim::config {

namespace {
uint32_t u32(const Config& c, const std::string& key) { return static_cast<uint32_t>(c.get_int(key)); }
uint64_t ps(const Config& c, const char* key) { return static_cast<uint64_t>(c.get_ps(key)); }
}  // namespace

const std::vector<std::string>& tx_blocks() {
    static const std::vector<std::string> b = {"ulp_tx", "tp", "mpa_tx", "mac_tx"};
    return b;
}

const std::vector<std::string>& rx_blocks() {
    static const std::vector<std::string> b = {"mac_rx", "mps", "le", "tp", "mpa_rx", "ulp_rx", "tpt"};
    return b;
}

nic::StageConfig to_stage_config(const Config& c, const std::string& block) {
    const std::string p = "nic." + block + ".";
    if (!c.registry().find(p + "latency_cycles")) throw std::logic_error("no pipeline block '" + block + "'");
    const std::string domain = block.rfind("mac_", 0) == 0 ? "nic.mac." : "nic.core.";
    nic::StageConfig s;
    s.name = block;
    s.clock = timing::ClockDomain::from_mhz(c.get_double(domain + "clock_mhz"), domain + "clk");
    s.width_bytes = u32(c, domain + "width_bytes");
    s.latency_cycles = u32(c, p + "latency_cycles");
    if (block == "le")
        s.latency_cycles += u32(c, c.get_string("nic.le.mode") == "tcam" ? "nic.le.tcam_lookup_cycles"
                                                                         : "nic.le.hash_lookup_cycles");
    s.fifo_depth_beats = u32(c, p + "fifo_depth_beats");
    s.cut_through = c.get_bool(p + "cut_through");
    s.header_bytes = u32(c, p + "header_bytes");
    return s;
}

std::vector<nic::StageConfig> tx_stage_configs(const Config& c) {
    std::vector<nic::StageConfig> v;
    for (const std::string& b : tx_blocks()) v.push_back(to_stage_config(c, b));
    return v;
}

std::vector<nic::StageConfig> rx_stage_configs(const Config& c) {
    std::vector<nic::StageConfig> v;
    for (const std::string& b : rx_blocks()) v.push_back(to_stage_config(c, b));
    return v;
}

nic::PipelineMode to_pipeline_mode(const Config& c) {
    return nic::pipeline_mode_from_string(c.get_string("nic.pipeline.mode"));
}

nic::sge::SgeParams to_sge_params(const Config& c) {
    nic::sge::SgeParams p;
    p.clock_mhz = c.get_double("nic.core.clock_mhz");
    p.beat_bytes = u32(c, "nic.core.width_bytes");
    p.doorbell_cycles = u32(c, "nic.sge.doorbell_cycles");
    p.wr_parse_cycles = u32(c, "nic.sge.wr_parse_cycles");
    p.cqe_cycles = u32(c, "nic.sge.cqe_cycles");
    p.fetch_max_slots = u32(c, "nic.sge.fetch_max_slots");
    p.dma_chunk = u32(c, "nic.sge.dma_chunk");
    p.gather_window = u32(c, "nic.sge.gather_window");
    for (size_t i = 0; i < p.holdoff.size(); ++i)
        p.holdoff[i] = static_cast<timing::Ps>(c.get_ps("nic.sge.holdoff_timer" + std::to_string(i) + "_ps"));
    p.max_qps = u32(c, "nic.sge.max_qps");
    p.max_cqs = u32(c, "nic.sge.max_cqs");
    p.max_ird_ord = static_cast<uint8_t>(c.get_int("nic.max_ird_ord"));
    return p;
}

proto::TcpConfig to_tcp_config(const Config& c) {
    proto::TcpConfig t;
    t.mss = static_cast<uint16_t>(c.get_int("nic.tcp.mss"));
    t.window_scaling = c.get_bool("nic.tcp.window_scaling");
    t.window_scale_shift = static_cast<uint8_t>(c.get_int("nic.tcp.window_scale_shift"));
    t.timestamps = c.get_bool("nic.tcp.timestamps");
    t.timestamp_tick_ps = ps(c, "nic.tcp.timestamp_tick_ps");
    t.receive_buffer = u32(c, "nic.tcp.receive_buffer_bytes");
    t.delayed_ack_segments = u32(c, "nic.tcp.delayed_ack_segments");
    t.delayed_ack_timeout_ps = ps(c, "nic.tcp.delayed_ack_timeout_ps");
    t.initial_rto_ps = ps(c, "nic.tcp.initial_rto_ps");
    t.min_rto_ps = ps(c, "nic.tcp.min_rto_ps");
    t.max_rto_ps = ps(c, "nic.tcp.max_rto_ps");
    t.clock_granularity_ps = ps(c, "nic.tcp.clock_granularity_ps");
    t.rto_after_syn_loss_ps = ps(c, "nic.tcp.rto_after_syn_loss_ps");
    t.max_retransmissions = u32(c, "nic.tcp.max_retransmissions");
    t.max_syn_retries = u32(c, "nic.tcp.max_syn_retries");
    t.initial_cwnd_segments = u32(c, "nic.tcp.initial_cwnd_segments");
    t.initial_ssthresh = u32(c, "nic.tcp.initial_ssthresh_bytes");
    t.dupack_threshold = u32(c, "nic.tcp.dupack_threshold");
    t.record_packing = c.get_string("nic.tcp.record_packing") == "pack_to_emss" ? proto::TcpRecordPacking::PackToEmss
                                                                              : proto::TcpRecordPacking::OnePerSegment;
    t.time_wait_ps = ps(c, "nic.tcp.time_wait_ps");
    return t;
}

islands::EngineConfig to_engine_config(const Config& c, islands::Block block, bool transmit) {
    islands::EngineConfig e;
    e.block = block;
    const std::string side = transmit ? "nic.mpa_tx." : "nic.mpa_rx.";
    const std::string which = block == islands::Block::Crc32c ? "crc_impl" : "marker_impl";
    e.impl = c.get_string(side + which) == "rtl" ? islands::Impl::Rtl : islands::Impl::Model;
    e.data_bytes = static_cast<unsigned>(c.get_int("nic.core.width_bytes"));
    e.crc = c.get_bool("nic.mpa.crc");
    e.transmit = transmit;
    e.markers = c.get_bool("nic.mpa.markers");
    return e;
}

}  // namespace nicsim::config
