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
// The registry's defaults (the t5_40g NIC).
NicPipelineConfig default_nic_pipeline();

}  // namespace nicsim::nic
