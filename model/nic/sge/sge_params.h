// SGE parameters. T5's core clock and internal latencies are unpublished: the defaults are
// stated assumptions (docs/host_pcie.md), to be calibrated against end-to-end figures.
#pragma once

#include <array>
#include <cstdint>

#include "timing/sim_time.h"

namespace nicsim::nic::sge {

struct SgeParams {
    double clock_mhz = 500.0;          // nic.sge.clock_mhz: SGE/core clock (assumption)
    uint32_t beat_bytes = 32;          // nic.sge.beat_bytes: datapath width toward ULP_TX (256 bit)
    uint32_t doorbell_cycles = 4;      // nic.sge.doorbell_cycles: doorbell decode -> fetch issue
    uint32_t wr_parse_cycles = 2;      // nic.sge.wr_parse_cycles: WR in SGE -> handed to ULP_TX
    uint32_t cqe_cycles = 2;           // nic.sge.cqe_cycles: CQE request -> CQE DMA issue
    uint32_t fetch_max_slots = 8;      // nic.sge.fetch_max_slots: 64 B slots per descriptor fetch
    uint32_t dma_chunk = 4096;         // nic.sge.dma_chunk: bytes per payload DMA read request
    uint32_t gather_window = 32768;    // nic.sge.gather_window: payload bytes in flight per QP
    // nic.sge.holdoff_us: interrupt holdoff timers (T5 firmware defaults, t5fw_cfg.txt)
    std::array<timing::Ps, 6> holdoff = {1 * timing::kUs, 5 * timing::kUs, 10 * timing::kUs,
                                         50 * timing::kUs, 100 * timing::kUs, 200 * timing::kUs};
    uint32_t max_qps = 1024;           // nic.sge.max_qps (push window covers 1024 QPs)
    uint32_t max_cqs = 1024;           // nic.sge.max_cqs
    uint8_t max_ird_ord = 64;          // nic.max_ird_ord
};

}  // namespace nicsim::nic::sge
