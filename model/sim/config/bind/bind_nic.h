// Config -> the NIC models' parameter structs: the pipeline stages of each direction, the SGE,
// TP's TCP engine and the RTL-island engines.
#pragma once

#include <string>
#include <vector>

#include "islands/stream_engine.h"
#include "nic/pipeline/pipeline_mode.h"
#include "nic/pipeline/stage_config.h"
#include "nic/sge/sge_params.h"
#include "proto/tcp_config.h"
#include "sim/config/config.h"

namespace nicsim::config {

// The names of the pipeline blocks, in the order frames pass them (the SGE, which times its own
// work, is in neither chain). nic/t5/nic_pipeline_config.h reads the same keys the same way.
const std::vector<std::string>& tx_blocks();  // ulp_tx tp mpa_tx mac_tx
const std::vector<std::string>& rx_blocks();  // mac_rx mps le tp mpa_rx ulp_rx tpt

// One block as a timing stage: clock and width of its domain (MAC blocks: nic.mac, others:
// nic.core) and its nic.<block>.* keys. The LE's latency includes the lookup of nic.le.mode.
nic::StageConfig to_stage_config(const Config& c, const std::string& block);
std::vector<nic::StageConfig> tx_stage_configs(const Config& c);
std::vector<nic::StageConfig> rx_stage_configs(const Config& c);
// nic.pipeline.mode: the engine that times both chains (fast, or the per-edge reference).
nic::PipelineMode to_pipeline_mode(const Config& c);

nic::sge::SgeParams to_sge_params(const Config& c);
proto::TcpConfig to_tcp_config(const Config& c);

// The island engine of one MPA block: impl from nic.mpa_tx/mpa_rx.{crc,marker}_impl, beat width
// nic.core.width_bytes, CRC and markers as requested by nic.mpa.*.
islands::EngineConfig to_engine_config(const Config& c, islands::Block block, bool transmit);

}  // namespace nicsim::config
