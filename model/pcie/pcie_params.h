// Every PCIe figure the link and root complex use, with its default and unit.
//
// Dotted names (for the later YAML wiring) are given in the comments; docs/host_pcie.md lists
// them with their sources. validate() rejects out-of-range values with a clear message.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pcie/latency_dist.h"
#include "timing/sim_time.h"

namespace nicsim::pcie {

struct PcieParams {
    int gen = 3;                    // pcie.gen: 1..4 (2.5, 5, 8, 16 GT/s per lane)
    int lanes = 8;                  // pcie.lanes: 1, 2, 4, 8, 16
    bool busy_log = false;          // keep every busy period of both directions (reports only)
    uint32_t mps = 256;             // pcie.mps: Max Payload Size, bytes, 128..4096 (power of 2)
    uint32_t mrrs = 512;            // pcie.mrrs: Max Read Request Size, bytes, 128..4096
    uint32_t rcb = 64;              // pcie.rcb: Read Completion Boundary, bytes, 64..512
    bool rcb_chunks = false;        // pcie.rcb_chunks: completer returns RCB-sized CplDs
    bool addr64 = true;             // pcie.addr64: 64-bit addressing (4 DW headers)
    bool ecrc = false;              // pcie.ecrc: 4 B TLP digest on every TLP
    uint32_t max_read_tags = 256;   // pcie.tags: outstanding MRd tags of the device (extended tags)
    // Root-complex receive credits for device->host TLPs (PCIe units: 1 header, 16 B of data).
    uint32_t rc_posted_hdr_credits = 64;     // pcie.fc.ph
    uint32_t rc_posted_data_credits = 1024;  // pcie.fc.pd (16 B units -> 16 KiB)
    uint32_t rc_nonposted_hdr_credits = 64;  // pcie.fc.nph
    timing::Ps fc_update_latency = 20 * timing::kNs;  // pcie.fc.update_latency_ps: credit return delay
    timing::Ps link_latency = 0;            // pcie.link_latency_ps: PHY+flight, each direction
    // Root complex turnaround for an MRd: from its last byte at the RC to its first CplD ready,
    // excluding the host memory access (HostMemory adds its own latency). Default 450 ns so that
    // with 80 ns memory and the TLP serialization a 64 B read takes ~545 ns (pcie-bench: 546 ns
    // median on a Xeon E5-2620 v3).
    LatencyDist rc_read_latency = LatencyDist::constant(450 * timing::kNs);  // pcie.rc.read_latency
    // Root complex: MWr arrival -> data in host memory. Default 230 ns: pcie-bench measures a
    // 64 B posted write followed by a read at ~230 ns more than the read alone (773 - 546 ns).
    timing::Ps rc_write_latency = 230 * timing::kNs;  // pcie.rc.write_latency_ps
    timing::Ps mmio_latency = 140 * timing::kNs;  // pcie.mmio_latency_ps: CPU store -> RC egress
    uint64_t msix_base = 0xFEE00000ull;      // pcie.msix_base: device writes here raise MSI-X
    uint64_t seed = 1;                       // pcie.seed: RNG seed of latency distributions

    // Throws std::invalid_argument naming the parameter and its allowed range.
    void validate() const;
    std::string describe() const;
};

}  // namespace nicsim::pcie
