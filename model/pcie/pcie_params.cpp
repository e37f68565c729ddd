#include "pcie/pcie_params.h"

#include <sstream>
#include <stdexcept>

#include "pcie/pcie_analytic.h"

namespace nicsim::pcie {

namespace {
bool pow2_in(uint32_t v, uint32_t lo, uint32_t hi) { return v >= lo && v <= hi && (v & (v - 1)) == 0; }
void bad(const std::string& what) { throw std::invalid_argument("pcie parameter " + what); }
}  // namespace

void PcieParams::validate() const {
    if (gen < 1 || gen > 4) bad("pcie.gen=" + std::to_string(gen) + " out of range 1..4");
    if (!(lanes == 1 || lanes == 2 || lanes == 4 || lanes == 8 || lanes == 16))
        bad("pcie.lanes=" + std::to_string(lanes) + " must be 1, 2, 4, 8 or 16");
    if (!pow2_in(mps, 128, 4096)) bad("pcie.mps=" + std::to_string(mps) + " must be a power of 2 in 128..4096");
    if (!pow2_in(mrrs, 128, 4096)) bad("pcie.mrrs=" + std::to_string(mrrs) + " must be a power of 2 in 128..4096");
    if (!pow2_in(rcb, 64, 512)) bad("pcie.rcb=" + std::to_string(rcb) + " must be 64, 128, 256 or 512");
    if (rcb > mps) bad("pcie.rcb=" + std::to_string(rcb) + " must not exceed pcie.mps");
    if (max_read_tags < 1 || max_read_tags > 1024)
        bad("pcie.tags=" + std::to_string(max_read_tags) + " out of range 1..1024");
    if (rc_posted_hdr_credits < 1) bad("pcie.fc.ph must be >= 1");
    if (rc_posted_data_credits < mps / 16) bad("pcie.fc.pd must cover at least one MPS TLP (mps/16 credits)");
    if (rc_nonposted_hdr_credits < 1) bad("pcie.fc.nph must be >= 1");
}

std::string PcieParams::describe() const {
    std::ostringstream os;
    os << "PCIe Gen" << gen << " x" << lanes << " MPS " << mps << " MRRS " << mrrs << " RCB " << rcb
       << (rcb_chunks ? " (RCB completions)" : "") << ", raw " << analytic::raw_gbps(gen, lanes)
       << " Gb/s, TLP " << analytic::tlp_gbps(*this) << " Gb/s, tags " << max_read_tags
       << ", RC read latency " << rc_read_latency.describe();
    return os.str();
}

}  // namespace nicsim::pcie
