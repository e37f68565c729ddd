// The SGE: the NIC's DMA and queue engine (Chelsio's block name).
//
// Host side (through the PCIe link): decodes doorbells written to its BAR (KDOORBELL with a
// producer-index increment, or a write-combined push of a whole 64 B WR), fetches WRs by DMA
// (up to fetch_max_slots per read), gathers payload by DMA (in dma_chunk requests, up to gather_window bytes in
// flight per QP; the link splits them at MRRS and pipelines them within its tag limit), places data by DMA write
// (split at MPS), writes CQEs and raises MSI-X subject to the CQ's arm state and holdoff timer.
// Pipeline side: see sge_client.h. Everything is event-driven; an idle SGE schedules nothing.
//
// Bad input never crashes: a doorbell for an unknown queue or one that overflows its ring is
// logged in errors() and dropped (the ring's QP goes to error); a WR with an invalid opcode,
// a malformed layout, or an SGE outside its memory region completes with an error CQE and moves
// the QP to the error state, after which WRs complete with WR_FLUSH_ERR (verbs semantics).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <systemc>
#include <tlm_utils/simple_target_socket.h>

#include "host/nic_control.h"
#include "host/ring_format.h"
#include "nic/sge/sge_client.h"
#include "nic/sge/sge_params.h"
#include "pcie/dma_initiator.h"
#include "timing/clock_domain.h"
#include "timing/event_queue.h"

namespace nicsim::nic::sge {

struct SgeStats {
    uint64_t doorbells = 0, pushes = 0, push_fallbacks = 0, wr_fetches = 0, wrs = 0, error_wrs = 0;
    uint64_t gather_bytes = 0, place_bytes = 0, cqes = 0, interrupts = 0, bad_doorbells = 0;
};

class Sge : public sc_core::sc_module, public host::NicControl {
public:
    tlm_utils::simple_target_socket<Sge> mmio;  // BAR2: doorbells and the WC push window
    pcie::DmaInitiator dma;                     // bind dma.socket to the link's dev_dma

    Sge(sc_core::sc_module_name name, const SgeParams& p = {}, uint64_t msix_base = 0xFEE00000ull);

    void set_client(SgeClient* c) { client_ = c; }
    const SgeParams& params() const { return p_; }
    const timing::ClockDomain& clock() const { return clk_; }

    // --- NicControl (driver control path, untimed) ---
    void create_cq(const host::CqConfig& c) override;
    void create_qp(const host::QpConfig& c) override;
    void write_mr(const host::MrConfig& m) override;
    void connect(uint32_t qpn, const host::ConnParams& p, bool active) override;
    uint8_t max_ird_ord() const override { return p_.max_ird_ord; }

    // --- Pipeline -> SGE ---
    // Retire a send WR: writes its CQE if it was signaled or failed. `cqe_written` (optional,
    // for traces) is called when the CQE is in host memory; never if no CQE is written.
    void complete_tx(const TxWork& w, host::ring::WcStatus status, std::function<void()> cqe_written = nullptr);
    // Fetch the next receive WR of `qpn` by DMA; cb(false, {}) at once if none is posted.
    void fetch_recv(uint32_t qpn, std::function<void(bool ok, const host::ring::RecvWqe&)> cb);
    // DMA-write data into host memory (split at MPS by the link); done() when the RC has it.
    void place(uint64_t addr, std::vector<uint8_t> data, std::function<void()> done = nullptr);
    // Write a receive completion (`cqe_written` as for complete_tx).
    void complete_recv(uint32_t qpn, const host::ring::RecvWqe& r, uint32_t byte_len, host::ring::WcStatus status,
                       uint8_t wc_flags = 0, uint32_t inv_rkey = 0, std::function<void()> cqe_written = nullptr);
    // An affiliated asynchronous error of `qpn` (the receive side sent a Terminate): an error
    // CQE flagged ring::kCqeAsyncError on its receive CQ; the QP is in error from now on.
    void report_async_error(uint32_t qpn, host::ring::WcStatus status);
    // Gather host memory as payload beats (e.g. an RDMA Read response); bursts carry wr_id = tag.
    void read_host(uint32_t qpn, uint64_t tag, uint64_t addr, uint32_t len);
    // Memory-region lookup for the pipeline's protection checks (nullptr if unknown).
    const host::MrConfig* mr(uint32_t stag) const;
    bool qp_in_error(uint32_t qpn) const;

    const SgeStats& stats() const { return stats_; }
    const std::vector<std::string>& errors() const { return errors_; }

private:
    // One message's payload on its way from host memory to the pipeline. Reads are issued in
    // dma_chunk pieces while the QP has fewer than gather_window bytes in flight, so a huge SGE
    // never needs a huge buffer; arrived pieces wait (possibly out of order) until they extend
    // the contiguous prefix, which then leaves as beats.
    struct Gather {
        uint32_t qpn = 0;
        uint64_t wr_id = 0;
        uint32_t total = 0;
        std::vector<std::pair<uint64_t, uint32_t>> segs;  // host (addr, len), message order
        size_t seg = 0;              // issue cursor: segment index ...
        uint32_t seg_off = 0;        // ... and offset inside it
        uint32_t issued = 0;         // message bytes requested so far
        std::map<uint32_t, std::vector<uint8_t>> arrived;  // out-of-order pieces by offset
        std::vector<uint8_t> staged; // contiguous bytes [emitted, contiguous) not yet sent
        uint32_t contiguous = 0;     // bytes [0, contiguous) have arrived
        uint32_t emitted = 0;        // bytes handed out as beats
        bool sent_any = false;       // an empty message still sends one (empty, last) burst
    };
    struct Qp {
        host::QpConfig cfg;
        bool connected = false, error = false;
        uint32_t sq_pidx = 0;        // slots announced by doorbells (free-running)
        uint32_t sq_fetch = 0;       // slots fetched or being fetched
        bool fetching = false;
        std::vector<uint8_t> desc;   // fetched slots not yet parsed
        uint32_t desc_slot = 0;      // ring position (free-running) of desc[0]
        uint32_t rq_pidx = 0, rq_cidx = 0;
        std::deque<std::shared_ptr<Gather>> gathers;  // in WR order
        uint32_t in_flight = 0;      // gather bytes requested but not yet emitted
    };
    struct Cq {
        host::CqConfig cfg;
        uint32_t pidx = 0, cidx = 0;
        uint8_t armed = 0;           // 0 no, 1 next completion, 2 solicited only
        timing::Ps armed_at = 0;
        bool overflow = false;
    };

    void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& d);
    void bad(std::string msg);
    Qp* qp(uint32_t qpn);
    void sq_doorbell(uint32_t qpn, uint32_t inc);
    void rq_doorbell(uint32_t qpn, uint32_t inc);
    void cq_doorbell(uint32_t cqn, uint32_t inc, uint8_t arm);
    void push(uint32_t qpn, const uint8_t* slot);
    void start_fetch(uint32_t qpn, timing::Ps at);
    void parse(uint32_t qpn, timing::Ps arrival, bool pushed);
    void process_wr(uint32_t qpn, host::ring::SendWqe w, uint16_t cidx_after, timing::Ps ready, bool pushed,
                    std::string decode_error);
    host::ring::WcStatus check_wr(const Qp& q, const host::ring::SendWqe& w, std::string& why) const;
    void fail_wr(uint32_t qpn, const host::ring::SendWqe& w, uint16_t cidx_after, host::ring::WcStatus st,
                 const std::string& why);
    void start_gather(uint32_t qpn, uint64_t wr_id, std::vector<std::pair<uint64_t, uint32_t>> segs, uint32_t total,
                      const std::vector<uint8_t>* inline_data);
    void gather_issue(uint32_t qpn);
    void gather_arrive(uint32_t qpn, const std::shared_ptr<Gather>& g, uint32_t off, const uint8_t* data, uint32_t n);
    void gather_progress(uint32_t qpn);
    void write_cqe(uint32_t cqn, host::ring::Cqe c, bool solicited, std::function<void()> written = nullptr);

    SgeParams p_;
    timing::ClockDomain clk_;
    timing::EventQueue eq_;
    uint64_t msix_base_;
    SgeClient* client_ = nullptr;
    std::map<uint32_t, Qp> qps_;
    std::map<uint32_t, Cq> cqs_;
    std::map<uint32_t, host::MrConfig> mrs_;
    timing::Ps parse_busy_ = 0, beat_busy_ = 0, cqe_busy_ = 0;
    SgeStats stats_;
    std::vector<std::string> errors_;
};

}  // namespace nicsim::nic::sge
