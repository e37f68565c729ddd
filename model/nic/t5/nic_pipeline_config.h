// The T5 NIC's two timing chains as StageConfigs, read from the config registry's nic.* keys
// (model/sim/config/params_nic.cpp; defaults = configs/nic/t5_40g.yaml).
//
//   TX: ULP_TX -> TP -> MPA_TX -> MAC_TX
//   RX: MAC_RX -> MPS -> LE -> TP -> MPA_RX -> ULP_RX -> TPT
//
// The SGE is not a stage of either chain: the Sge module times its own work (doorbell decode,
// WR fetch and parse, payload beats on TX; placement and CQE DMA on RX), so its
// nic.sge.latency_cycles / fifo_depth_beats keys are not used by the T5Nic.
//
// `mode` (nic.pipeline.mode) picks the engine that times both chains: fast, or the per-edge
// reference (identical times, much slower; tb/nic/test_pipeline_modes.cpp).
#pragma once

#include <string>
#include <vector>

#include "nic/pipeline/pipeline_mode.h"
#include "nic/pipeline/stage_config.h"
#include "sim/config/config.h"

namespace nicsim::nic {

struct NicPipelineConfig {
    std::vector<StageConfig> tx;
    std::vector<StageConfig> rx;
    PipelineMode mode = PipelineMode::Fast;
};

const std::vector<std::string>& nic_tx_blocks();  // ulp_tx tp mpa_tx mac_tx
const std::vector<std::string>& nic_rx_blocks();  // mac_rx mps le tp mpa_rx ulp_rx tpt

// One block: clock and width of its domain (mac_* blocks: nic.mac.*, others nic.core.*) and
// its nic.<block>.{latency_cycles, fifo_depth_beats, cut_through, header_bytes}; the LE adds
// the lookup cycles of nic.le.mode.
StageConfig nic_stage_from_config(const config::Config& c, const std::string& block);
NicPipelineConfig nic_pipeline_from_config(const config::Config& c);

// The capacities of the blocks that are not only timing stages (docs/pipeline_timing.md):
//   LE: how many offloaded connections it holds: nic.le.hash_entries (mode hash) or
//       nic.le.tcam_cells / 4 (mode tcam, one IPv4 4-tuple per 4 cells);
//   TP: its TCB cache (nic.tp.tcb_cache_entries) and the stall of a miss (tcb_miss_cycles);
//   MPS: the ingress buffer (nic.mps.buffer_bytes).
struct NicBlockParams {
    uint32_t le_connections = 16384;
    uint32_t tcb_cache_entries = 1024;
    uint32_t tcb_miss_cycles = 100;  // core cycles
    uint64_t mps_buffer_bytes = 196608;
};
NicBlockParams nic_blocks_from_config(const config::Config& c);
NicBlockParams default_nic_blocks();
// The registry's defaults (the t5_40g NIC).
NicPipelineConfig default_nic_pipeline();

}  // namespace nicsim::nic
