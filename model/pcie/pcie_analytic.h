// The analytic PCIe bandwidth model of pcie-bench/pcie-model (Neugebauer et al., SIGCOMM'18),
// re-implemented so the simulated link can be checked against it (perf_anchors.md §2.2).
//
//   raw      = GT/s x lanes x encoding (8b/10b Gen1/2, 128b/130b Gen3/4)
//   tlp_bw   = raw x (1 - 8/AckLimit - 8/FcGuide - 4/1538)   ACK + FC-update DLLPs, SKIP sets
//   write    = size / (size + nTLP x MWr overhead) x tlp_bw
//   read     = CplD-direction bound, unless the MRd direction runs out first
//
// The ACK limits and FC-update guidelines are the PCIe Base Spec rev 5.0 tables 3-7..3-9 and
// 2-46..2-48 (as tabulated in pcie-model/model/pcie.py). One refinement over pcie-model: the
// number of completions is counted per read request (ceil(chunk / MPS) for each MRRS chunk), which
// equals pcie-model's ceil(size / MPS) whenever MRRS >= MPS and the buffer is aligned.
#pragma once

#include <cstdint>

#include "pcie/pcie_params.h"

namespace nicsim::pcie::analytic {

double gts_per_lane(int gen);
double encoding(int gen);                    // 0.8 or 128/130
double raw_gbps(int gen, int lanes);         // after line coding
uint32_t ack_limit_bytes(int gen, int lanes, uint32_t mps);
uint32_t fc_update_bytes(int gen, int lanes, uint32_t mps);
constexpr uint32_t kDllpBytes = 8;           // ACK or UpdateFC: 2 B framing + 4 B DLLP + 2 B CRC
constexpr uint32_t kSkipBytes = 4;           // SKIP ordered set ...
constexpr uint32_t kSkipInterval = 1538;     // ... every 1538 bytes
double dllp_overhead_fraction(const PcieParams& p);
double tlp_gbps(const PcieParams& p);        // usable TLP-layer bandwidth, each direction

// Bytes on the link for one TLP (framing 2 + seq/LCRC 6 + header 4 + address DWs [+ ECRC]).
uint32_t mwr_overhead(const PcieParams& p);  // 64-bit: 24
uint32_t mrd_overhead(const PcieParams& p);  // 64-bit: 24
uint32_t cpld_overhead(const PcieParams& p); // 20

// Link occupancy of `bytes` at the TLP-layer rate, rounded up to whole ps (so a simulated
// stream can never beat the analytic bandwidth).
timing::Ps serialize_ps(const PcieParams& p, uint64_t bytes);

uint32_t num_mwr(const PcieParams& p, uint64_t size);
uint32_t num_mrd(const PcieParams& p, uint64_t size);
uint32_t num_cpld(const PcieParams& p, uint64_t size);

// Effective (payload) bandwidth in Gb/s of a continuous stream of `size`-byte DMA transfers.
double write_eff_gbps(const PcieParams& p, uint64_t size);
double read_eff_gbps(const PcieParams& p, uint64_t size);

}  // namespace nicsim::pcie::analytic
