#include "nic/t5/nic_pipeline_config.h"

#include <stdexcept>

namespace nicsim::nic {

const std::vector<std::string>& nic_tx_blocks() {
    static const std::vector<std::string> b = {"ulp_tx", "tp", "mpa_tx", "mac_tx"};
    return b;
}

const std::vector<std::string>& nic_rx_blocks() {
    static const std::vector<std::string> b = {"mac_rx", "mps", "le", "tp", "mpa_rx", "ulp_rx", "tpt"};
    return b;
}

StageConfig nic_stage_from_config(const config::Config& c, const std::string& block) {
    const std::string p = "nic." + block + ".";
    if (!c.registry().find(p + "latency_cycles")) throw std::invalid_argument("no pipeline block '" + block + "'");
    const std::string domain = block.rfind("mac_", 0) == 0 ? "nic.mac." : "nic.core.";
    StageConfig s;
    s.name = block;
    s.clock = timing::ClockDomain::from_mhz(c.get_double(domain + "clock_mhz"), domain + "clk");
    s.width_bytes = static_cast<uint32_t>(c.get_int(domain + "width_bytes"));
    s.latency_cycles = static_cast<uint32_t>(c.get_int(p + "latency_cycles"));
    if (block == "le")  // the lookup itself, by the configured mechanism
        s.latency_cycles += static_cast<uint32_t>(
            c.get_int(c.get_string("nic.le.mode") == "tcam" ? "nic.le.tcam_lookup_cycles" : "nic.le.hash_lookup_cycles"));
    s.fifo_depth_beats = static_cast<uint32_t>(c.get_int(p + "fifo_depth_beats"));
    s.cut_through = c.get_bool(p + "cut_through");
    s.header_bytes = static_cast<uint32_t>(c.get_int(p + "header_bytes"));
    return s;
}

NicPipelineConfig nic_pipeline_from_config(const config::Config& c) {
    NicPipelineConfig n;
    for (const std::string& b : nic_tx_blocks()) n.tx.push_back(nic_stage_from_config(c, b));
    for (const std::string& b : nic_rx_blocks()) n.rx.push_back(nic_stage_from_config(c, b));
    n.mode = pipeline_mode_from_string(c.get_string("nic.pipeline.mode"));
    return n;
}

NicBlockParams nic_blocks_from_config(const config::Config& c) {
    NicBlockParams b;
    b.le_connections = static_cast<uint32_t>(c.get_string("nic.le.mode") == "tcam" ? c.get_int("nic.le.tcam_cells") / 4
                                                                                     : c.get_int("nic.le.hash_entries"));
    b.tcb_cache_entries = static_cast<uint32_t>(c.get_int("nic.tp.tcb_cache_entries"));
    b.tcb_miss_cycles = static_cast<uint32_t>(c.get_int("nic.tp.tcb_miss_cycles"));
    b.mps_buffer_bytes = static_cast<uint64_t>(c.get_int("nic.mps.buffer_bytes"));
    return b;
}

NicBlockParams default_nic_blocks() { return nic_blocks_from_config(config::Config()); }

NicPipelineConfig default_nic_pipeline() { return nic_pipeline_from_config(config::Config()); }

}  // namespace nicsim::nic
