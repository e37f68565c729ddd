// Host DRAM as a sparse byte store behind a TLM-2.0 target.
//
// Pages are allocated on first write; unwritten bytes read as zero. b_transport annotates the
// configured access latency (read and write separately) and never calls wait(), so it can be
// called from method processes (the root complex does). The driver (host CPU) uses read()/
// write() directly: CPU-side costs are modelled by the driver, not here.
#pragma once

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "timing/sim_time.h"

namespace nicsim::host {

struct HostMemoryParams {
    timing::Ps read_latency = 80 * timing::kNs;  // host.mem.read_latency_ps (LLC/DRAM mix; see docs)
    timing::Ps write_latency = 0;                // host.mem.write_latency_ps (posted into the LLC)
};

class HostMemory : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<HostMemory> socket;

    HostMemory(sc_core::sc_module_name name, const HostMemoryParams& p = {});

    void read(uint64_t addr, uint8_t* dst, size_t len) const;
    void write(uint64_t addr, const uint8_t* src, size_t len);
    std::vector<uint8_t> read(uint64_t addr, size_t len) const;
    void write(uint64_t addr, const std::vector<uint8_t>& v) { write(addr, v.data(), v.size()); }
    uint64_t read_u64(uint64_t addr) const;
    void write_u64(uint64_t addr, uint64_t v);

    const HostMemoryParams& params() const { return p_; }
    size_t pages() const { return pages_.size(); }
    uint64_t transactions() const { return transactions_; }

private:
    static constexpr uint64_t kPage = 4096;
    void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& d);

    HostMemoryParams p_;
    mutable std::unordered_map<uint64_t, std::unique_ptr<uint8_t[]>> pages_;
    uint64_t transactions_ = 0;
};

}  // namespace nicsim::host
