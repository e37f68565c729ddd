#include "pcie/pcie_analytic.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace nicsim::pcie::analytic {

namespace {

int lane_index(int lanes) {
    switch (lanes) {
    case 1: return 0;
    case 2: return 1;
    case 4: return 2;
    case 8: return 3;
    case 16: return 4;
    default: throw std::invalid_argument("pcie: lanes must be 1, 2, 4, 8 or 16");
    }
}

int mps_index(uint32_t mps) {
    for (int i = 0; i < 6; ++i)
        if (mps == (128u << i)) return i;
    throw std::invalid_argument("pcie: MPS must be 128, 256, 512, 1024, 2048 or 4096");
}

// [gen-1][lanes][mps] in bytes. Gen3 and Gen4 share the table (as in pcie-model).
constexpr uint32_t kAck[3][5][6] = {
    {{237, 416, 559, 1071, 2095, 4143}, {128, 217, 289, 545, 1057, 2081}, {73, 118, 154, 282, 538, 1050},
     {67, 107, 86, 150, 278, 534}, {48, 72, 86, 150, 278, 534}},
    {{288, 467, 610, 1122, 2146, 4194}, {179, 268, 340, 596, 1108, 2132}, {124, 169, 205, 333, 589, 1101},
     {118, 158, 137, 201, 329, 585}, {99, 123, 137, 201, 329, 585}},
    {{333, 512, 655, 1167, 2191, 4239}, {224, 313, 385, 641, 1153, 2177}, {169, 214, 250, 378, 634, 1146},
     {163, 203, 182, 246, 374, 630}, {144, 168, 182, 246, 374, 630}},
};

int gen_row(int gen) {
    if (gen < 1 || gen > 4) throw std::invalid_argument("pcie: generation must be 1..4");
    return std::min(gen, 3) - 1;
}

}  // namespace

double gts_per_lane(int gen) {
    switch (gen) {
    case 1: return 2.5;
    case 2: return 5.0;
    case 3: return 8.0;
    case 4: return 16.0;
    default: throw std::invalid_argument("pcie: generation must be 1..4");
    }
}

double encoding(int gen) { return gen <= 2 ? 8.0 / 10.0 : 128.0 / 130.0; }

double raw_gbps(int gen, int lanes) { return gts_per_lane(gen) * encoding(gen) * lanes; }

uint32_t ack_limit_bytes(int gen, int lanes, uint32_t mps) {
    return kAck[gen_row(gen)][lane_index(lanes)][mps_index(mps)];
}

// The spec's FC-update guideline table equals the ACK-limit table for x1..x16.
uint32_t fc_update_bytes(int gen, int lanes, uint32_t mps) { return ack_limit_bytes(gen, lanes, mps); }

double dllp_overhead_fraction(const PcieParams& p) {
    return double(kDllpBytes) / ack_limit_bytes(p.gen, p.lanes, p.mps) +
           double(kDllpBytes) / fc_update_bytes(p.gen, p.lanes, p.mps) + double(kSkipBytes) / kSkipInterval;
}

double tlp_gbps(const PcieParams& p) {
    double raw = raw_gbps(p.gen, p.lanes);
    return raw - raw * dllp_overhead_fraction(p);
}

uint32_t mwr_overhead(const PcieParams& p) { return 8 + 4 + (p.addr64 ? 12 : 8) + (p.ecrc ? 4 : 0); }
uint32_t mrd_overhead(const PcieParams& p) { return 8 + 4 + (p.addr64 ? 12 : 8) + (p.ecrc ? 4 : 0); }
uint32_t cpld_overhead(const PcieParams& p) { return 8 + 4 + 8 + (p.ecrc ? 4 : 0); }

timing::Ps serialize_ps(const PcieParams& p, uint64_t bytes) {
    return timing::Ps(std::ceil(double(bytes) * 8000.0 / tlp_gbps(p) - 1e-9));
}

uint32_t num_mwr(const PcieParams& p, uint64_t size) { return uint32_t((size + p.mps - 1) / p.mps); }
uint32_t num_mrd(const PcieParams& p, uint64_t size) { return uint32_t((size + p.mrrs - 1) / p.mrrs); }

uint32_t num_cpld(const PcieParams& p, uint64_t size) {
    uint32_t unit = p.rcb_chunks ? p.rcb : p.mps;
    uint32_t n = 0;
    for (uint64_t left = size; left > 0;) {
        uint64_t chunk = std::min<uint64_t>(left, p.mrrs);
        n += uint32_t((chunk + unit - 1) / unit);
        left -= chunk;
    }
    return n;
}

double write_eff_gbps(const PcieParams& p, uint64_t size) {
    if (size == 0) return 0.0;
    double raw_bytes = double(num_mwr(p, size)) * mwr_overhead(p) + double(size);
    return tlp_gbps(p) * double(size) / raw_bytes;
}

double read_eff_gbps(const PcieParams& p, uint64_t size) {
    if (size == 0) return 0.0;
    double bw = tlp_gbps(p);
    double rx_bytes = double(num_cpld(p, size)) * cpld_overhead(p) + double(size);  // toward device
    double tx_bytes = double(num_mrd(p, size)) * mrd_overhead(p);                   // toward host
    double trans = bw / rx_bytes;         // transfers per unit time the completion side allows
    if (trans * tx_bytes > bw) trans = bw / tx_bytes;  // request side runs out first
    return trans * double(size);
}

}  // namespace nicsim::pcie::analytic
