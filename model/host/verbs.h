// A verbs-style driver, named after libibverbs/librdmacm: alloc_pd, reg_mr, create_cq,
// create_qp, connect/accept, post_send, post_recv, poll_cq, req_notify_cq.
//
// It owns the rings in host memory (formats in ring_format.h), rings the SGE's doorbells through
// the PCIe link, and receives MSI-X. Like libibverbs, calls report failure by return value
// (0 / errno-style codes, or nullptr) and leave a readable reason in last_error(); nothing
// the caller passes can crash it. post_send/post_recv do not block: the CPU time of writing the
// WR (post_cpu_ps per slot) delays the doorbell instead.
//
// Doorbells (perf_anchors.md §1.1, cxgb4 t4_ring_sq_db): a post of exactly one single-slot WR is
// pushed whole through the write-combining window (the SGE skips the fetch); anything else
// writes the KDOORBELL with the producer-index increment and the SGE fetches the WRs by DMA.
// DriverParams::doorbell forces one mode (Push still uses a plain doorbell for multi-slot WRs).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <systemc>

#include "host/host_memory.h"
#include "host/nic_control.h"
#include "host/ring_format.h"
#include "pcie/pcie_link.h"
#include "timing/event_queue.h"

namespace nicsim::host::verbs {

using ring::SgEntry;
using ring::WcOpcode;
using ring::WcStatus;
using ring::WrOpcode;

enum class DoorbellMode { Auto, Plain, Push };

struct DriverParams {
    DoorbellMode doorbell = DoorbellMode::Auto;   // host.doorbell: auto | plain | push
    timing::Ps post_cpu_ps = 30 * timing::kNs;     // host.post_cpu_ps: CPU time to write one WR slot
    timing::Ps irq_latency = 0;                    // host.irq_latency_ps: MSI-X arrival -> handler
    uint64_t bar_base = 0;                         // device BAR2 address as seen on the link
    uint64_t dma_base = 0x10000000;                // host.dma_base: first address handed out
    uint64_t dma_limit = 0x10000000000ull;         // end of the allocatable host range
};

enum SendFlags : uint32_t { IBV_SEND_SIGNALED = 1, IBV_SEND_SOLICITED = 2, IBV_SEND_INLINE = 4, IBV_SEND_FENCE = 8 };

struct SendWr {
    uint64_t wr_id = 0;
    WrOpcode opcode = WrOpcode::Send;
    uint32_t send_flags = IBV_SEND_SIGNALED;
    std::vector<SgEntry> sg_list;
    uint64_t remote_addr = 0;
    uint32_t rkey = 0;
    uint32_t invalidate_rkey = 0;  // Send with Invalidate
    uint8_t raw_opcode = 0xff;     // test hook: if != 0xff, written instead of `opcode`
};

struct RecvWr {
    uint64_t wr_id = 0;
    std::vector<SgEntry> sg_list;
};

struct WorkCompletion {
    uint64_t wr_id = 0;
    WcStatus status = WcStatus::Success;
    WcOpcode opcode = WcOpcode::Send;
    uint32_t byte_len = 0;
    uint32_t qp_num = 0;
    uint8_t wc_flags = 0;
    uint32_t invalidated_rkey = 0;
};

// ibv_get_async_event: an error the adapter detected on a QP's receive side (it sent the
// Terminate). The QP is in the error state from then on.
enum class AsyncEventType { QpAccessErr, QpFatal };
struct AsyncEvent {
    AsyncEventType type = AsyncEventType::QpFatal;
    uint32_t qp_num = 0;
    WcStatus status = WcStatus::FatalErr;  // as the adapter reported it
};

struct Pd {
    uint32_t handle;
};
struct Mr {
    uint32_t lkey, rkey, pdn, access;
    uint64_t addr, length;
};

struct CqAttr {
    uint32_t msix_vector = 0;
    uint8_t holdoff_index = 1;   // 5 us with the T5 default table
    bool interrupts = true;      // false: polling mode
};

struct Cq {
    uint32_t cqn = 0, depth = 0, cidx = 0, unacked = 0;
    uint64_t base = 0;
    uint8_t gen = 1;  // generation expected at cidx
    CqAttr attr;
    std::function<void(Cq*)> on_event;  // completion channel (ibv_get_cq_event)
    uint64_t events = 0;
};

enum class QpState { Init, Rts, Error };
struct QpInitAttr {
    Cq* send_cq = nullptr;
    Cq* recv_cq = nullptr;
    uint32_t sq_slots = 256;       // power of two, 64 B each
    uint32_t rq_slots = 256;
    uint32_t max_inline_data = ring::kMaxInline;
};
struct Qp {
    uint32_t qpn = 0;
    Pd* pd = nullptr;
    QpInitAttr attr;
    uint64_t sq_base = 0, rq_base = 0;
    uint32_t sq_pidx = 0;   // slots, free-running
    uint16_t sq_cidx = 0;   // from send CQEs (mod 2^16)
    uint32_t rq_pidx = 0, rq_cidx = 0;
    QpState state = QpState::Init;
    ConnParams conn;
};

struct DriverStats {
    uint64_t doorbells_plain = 0, doorbells_push = 0, wrs_posted = 0, recvs_posted = 0, cqes_polled = 0;
    uint64_t interrupts = 0;
};

class Device : public sc_core::sc_module {
public:
    Device(sc_core::sc_module_name name, HostMemory& mem, pcie::PcieLink& link, NicControl& nic,
           const DriverParams& p = {});

    Pd* alloc_pd();
    Mr* reg_mr(Pd* pd, uint64_t addr, uint64_t length, uint32_t access);
    Cq* create_cq(uint32_t depth, const CqAttr& attr = {});
    Qp* create_qp(Pd* pd, const QpInitAttr& attr);
    int connect(Qp* qp, const ConnParams& p);  // active side (rdma_connect)
    int accept(Qp* qp, const ConnParams& p);   // passive side (rdma_accept)

    int post_send(Qp* qp, const std::vector<SendWr>& wrs, size_t* bad_wr = nullptr);
    int post_recv(Qp* qp, const std::vector<RecvWr>& wrs, size_t* bad_wr = nullptr);
    int poll_cq(Cq* cq, int num_entries, WorkCompletion* wc);
    int req_notify_cq(Cq* cq, bool solicited_only);
    // Affiliated asynchronous events, oldest first; they arrive as error CQEs on the QP's
    // receive CQ, so they are seen once that CQ is polled. False if none is pending.
    bool get_async_event(AsyncEvent& out);

    // Host buffers for applications and rings (bump allocator in the host address space).
    uint64_t alloc_dma(uint64_t len, uint64_t align = 64);
    HostMemory& mem() { return mem_; }
    const std::string& last_error() const { return err_; }
    const DriverStats& stats() const { return stats_; }
    const DriverParams& params() const { return p_; }
    void set_doorbell_mode(DoorbellMode m) { p_.doorbell = m; }
    // Free SQ slots of a QP as the driver sees them.
    uint32_t sq_free(const Qp* qp) const;

private:
    int fail(int code, std::string why);
    void ring_plain(uint64_t reg, uint32_t id, uint16_t inc, uint8_t arm, timing::Ps delay);
    void on_msix(uint32_t vector);

    HostMemory& mem_;
    pcie::PcieLink& link_;
    NicControl& nic_;
    DriverParams p_;
    timing::EventQueue eq_;
    uint64_t next_dma_;
    uint32_t next_pd_ = 1, next_stag_ = 0x100, next_cqn_ = 0, next_qpn_ = 0;
    std::vector<std::unique_ptr<Pd>> pds_;
    std::vector<std::unique_ptr<Mr>> mrs_;
    std::vector<std::unique_ptr<Cq>> cqs_;
    std::vector<std::unique_ptr<Qp>> qps_;
    std::map<uint32_t, Qp*> qp_by_num_;
    std::deque<AsyncEvent> async_events_;
    std::string err_;
    DriverStats stats_;
};

}  // namespace nicsim::host::verbs
