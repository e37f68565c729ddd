// A PCIe link with its root complex, between a device (the NIC) and host memory.
//
// Timing model (see docs/host_pcie.md):
//  * Each direction is one serializer with a busy-until time; a TLP occupies it for
//    (overhead + payload) bytes at the TLP-layer rate, i.e. the raw rate minus the ACK/FC
//    DLLP and SKIP overhead of the analytic model (pcie_analytic.h). No per-symbol events.
//  * Device -> host: MWr (posted) and MRd (non-posted) TLPs. Writes split at MPS, reads at
//    MRRS, neither crosses a 4 KiB boundary. A posted TLP needs RC posted header + data
//    credits, an MRd needs a non-posted header credit and a free read tag. Posted TLPs may pass
//    a blocked MRd; an MRd never passes an earlier posted TLP (PCIe ordering rules).
//  * Root complex: a posted write reaches host memory rc_write_latency after arrival; an MRd
//    reads memory on arrival, or once every earlier posted write is in memory, and its completions are ready rc_read_latency + memory latency
//    later, split at RCB boundaries into CplDs of at most MPS (or RCB if rcb_chunks).
//  * Host -> device: CplDs and MMIO writes (doorbells, write-combined WR pushes) share the
//    downstream serializer in order, so a completion never passes an earlier MMIO write.
//  * MSI-X: a device write into [msix_base, msix_base + 1 MiB) is delivered to the interrupt
//    handler instead of memory; the 4-byte data is the vector number.
//
// Sockets: dev_dma (TLM-2.0 AT target: BEGIN_REQ -> TLM_ACCEPTED, later BEGIN_RESP on the
// backward path when the last byte arrived, the initiator answers TLM_COMPLETED; malformed
// requests return TLM_COMPLETED at once with an error response), dev_mmio (LT initiator into the
// device's BAR; called from a method process, the target must not wait), host_mem (LT
// initiator into host memory, whose annotated delay is honoured).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <random>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "pcie/pcie_params.h"
#include "timing/busy_intervals.h"
#include "timing/event_queue.h"

namespace nicsim::pcie {

struct LinkStats {
    uint64_t dma_requests = 0, dma_rejected = 0, mmio_writes = 0, msix = 0, mem_transactions = 0;
    uint64_t tlps_up = 0, tlps_down = 0, bytes_up = 0, bytes_down = 0;  // link bytes incl. overhead
    uint64_t payload_up = 0, payload_down = 0;
    timing::Ps busy_up = 0, busy_down = 0;
    uint32_t max_tags_in_use = 0;
    uint64_t tag_stalls = 0, credit_stalls = 0;
    uint64_t tlm_transactions() const { return dma_requests + mmio_writes + mem_transactions; }
};

class PcieLink : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<PcieLink> dev_dma;
    tlm_utils::simple_initiator_socket<PcieLink> dev_mmio;
    tlm_utils::simple_initiator_socket<PcieLink> host_mem;

    PcieLink(sc_core::sc_module_name name, const PcieParams& params);
    ~PcieLink() override;

    const PcieParams& params() const { return p_; }

    // Host CPU store to the device BAR at `addr` (posted). `len` bytes travel as one MWr TLP
    // after the CPU/RC issue latency (mmio_latency); at arrival the device's dev_mmio target
    // sees a write. Returns the time the TLP will arrive at the device.
    // `cpu_delay` is CPU time spent before the store (e.g. writing the WR into the ring).
    timing::Ps mmio_write(uint64_t addr, const uint8_t* data, uint32_t len, timing::Ps cpu_delay = 0);

    // Called (in a method process) when an MSI-X message arrives at the root complex.
    void set_msix_handler(std::function<void(uint32_t vector)> fn) { msix_handler_ = std::move(fn); }

    const LinkStats& stats() const { return stats_; }
    // When each direction was serializing TLPs (busy_up / busy_down over any window).
    // Null unless PcieParams::busy_log.
    const timing::BusyIntervals* busy_up_log() const { return p_.busy_log ? &up_log_ : nullptr; }
    const timing::BusyIntervals* busy_down_log() const { return p_.busy_log ? &down_log_ : nullptr; }
    uint32_t tags_in_use() const { return tags_in_use_; }
    uint64_t events_run() const { return eq_.callbacks_run(); }  // link callbacks so far

private:
    struct Request;
    struct Tlp {
        Request* req;
        uint32_t offset, len;
        uint64_t seq;
    };

    tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& ph, sc_core::sc_time& d);
    void pump_up();
    void send_up(const Tlp& t, bool posted);
    void rc_receive_write(Tlp t);
    void rc_receive_read(Tlp t);
    void rc_read_ready(Tlp t);
    timing::Ps send_down(uint32_t bytes);
    void finish(Request* r);

    PcieParams p_;
    timing::EventQueue eq_;
    std::mt19937_64 rng_;
    std::deque<Tlp> posted_q_, nonposted_q_;
    std::vector<std::unique_ptr<Request>> all_reqs_;  // owns every request record
    std::vector<Request*> free_reqs_;
    uint64_t seq_ = 0;
    timing::Ps up_busy_ = 0, down_busy_ = 0;
    timing::BusyIntervals up_log_, down_log_;
    timing::Ps writes_visible_at_ = 0;  // when the last posted write so far reaches memory
    uint32_t tags_in_use_ = 0;
    uint32_t ph_ = 0, pd_ = 0, nph_ = 0;  // credits available
    std::function<void(uint32_t)> msix_handler_;
    LinkStats stats_;
};

}  // namespace nicsim::pcie
