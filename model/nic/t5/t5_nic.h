// One T5-class iWARP NIC port: the SGE's client, one golden IwarpEndpoint per connected QP,
// a TX timing chain [ULP_TX, TP, MPA_TX, MAC_TX] and an RX chain [MAC_RX, MPS, LE, TP,
// MPA_RX, ULP_RX, TPT] (PipelineChain: the fast engine, or the per-edge reference one when
// NicPipelineConfig::mode says so; both give the same times). Behaviour comes from the endpoint;
// this module adds *when*:
//
//  TX  on_tx_work: the WR is posted to the endpoint (held until the connection is ready), and
//      every TCP segment the endpoint emits becomes an Ethernet frame in one in-order TX queue.
//      A data segment waits until the SGE's PayloadBursts say when its bytes reach ULP_TX;
//      ACKs and control segments go at once. The frame is offered to the TX chain at that
//      time and handed to the EthernetLink when its first beat leaves MAC_TX.
//  RX  a frame arriving from the link is offered to the RX chain at line rate (beat k when its
//      last byte has arrived); when it leaves TPT it is parsed, demultiplexed by TCP ports to
//      its QP's endpoint, and the endpoint's placements become Sge::place DMA writes and its
//      completions CQEs (complete_tx / complete_recv). A Terminate the endpoint sends is also
//      reported to the host as an affiliated asynchronous error (Sge::report_async_error).
//  WRs wait in the NIC (not in the endpoint) until the endpoint would transmit them at once
//      (IwarpEndpoint::transmits_now: connection ready, ORD slot free for a Read).
//  TCP timers run on an EventQueue armed at the endpoint's next_timer(): an idle NIC schedules
//      nothing; at most one wake-up per QP is pending, re-armed when the deadline moved on
//      (a deadline moved earlier leaves the later wake-up as a no-op).
//
// Timing choices: the TX pipeline is one in-order queue, so an ACK waits behind a data segment
// whose payload beats have not arrived; the endpoint runs on a received frame when its last
// beat leaves TPT (placement DMA starts then, not while the frame streams).
//
// Decouplings (documented where they happen):
//  * Payload bytes: the endpoint needs a WR's whole payload when it is posted; the NIC reads it
//    from host memory untimed at that moment (inline data comes in the WR) and gates each
//    segment on the SGE's beats of the same bytes, which it also compares with what it sent
//    (stats().payload_mismatches).
//  * Read Response source data: read untimed, timed by Sge::read_host (NicMemoryAdapter).
//  * Receive WQEs: the NIC snoops RQ doorbells on its BAR and prefetches each new receive WQE
//    by DMA (Sge::fetch_recv), posting it to the endpoint when the fetch completes. A Send that
//    arrives before its WQE's fetch completes is answered like one with no buffer posted.
//  * A segment's payload bytes are located in the message by linear interpolation over the
//    message's stream range (exact for single-segment messages and at message ends; off by at
//    most an FPDU's header bytes, i.e. one beat, inside long messages).
//
// Control path (host::NicControl): the driver talks to the NIC, which forwards queue and MR
// setup to the SGE and keeps the TPT (proto::Tpt) its endpoints check STags against.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <systemc>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "host/nic_control.h"
#include "net/ethernet_link.h"
#include "nic/t5/nic_memory_adapter.h"
#include "nic/t5/nic_pipeline_config.h"
#include "nic/t5/mpa_rtl_check.h"
#include "nic/t5/nic_trace.h"
#include "nic/t5/payload_timeline.h"
#include "nic/t5/tcb_cache.h"
#include "nic/pipeline/pipeline_chain.h"
#include "nic/sge/sge.h"
#include "proto/iwarp_endpoint.h"
#include "proto/packet.h"
#include "timing/event_queue.h"

namespace nicsim::nic {

struct T5NicParams {
    NicPipelineConfig pipeline = default_nic_pipeline();
    NicBlockParams blocks = default_nic_blocks();  // LE capacity, TCB cache, MPS buffer
    proto::TcpConfig tcp;
    proto::MacAddress mac;
    proto::Ipv4Address ip;
    size_t max_ulpdu_rx = 0xFFFF;  // longest FPDU accepted
    uint32_t iss_base = 0x10000;   // initial sequence numbers: iss_base + qpn * 0x01000193
    bool trace = false;            // keep per-frame/placement records (NicTrace)
    uint64_t first_frame_id = 1;   // frame ids count up from here (the testbed keeps them unique per system)
    MpaIslandParams islands;       // MPA_TX / MPA_RX blocks as RTL islands (mpa_rtl_check.h)
};

// Where a QP's connection goes: our TCP port and the peer (set before connect/accept; in a
// real stack rdma_resolve_addr/rdma_connect carry this).
struct QpFlow {
    uint16_t local_port = 0;
    proto::TcpEndpoint remote;
};

struct T5NicStats {
    uint64_t tx_frames = 0, tx_data_frames = 0, rx_frames = 0, rx_bad_frames = 0, rx_no_connection = 0;
    uint64_t payload_mismatches = 0;  // SGE beats differ from the bytes given to the endpoint
    uint64_t burst_mismatches = 0;    // a PayloadBurst the NIC did not expect
    uint64_t recv_prefetches = 0, placements = 0, place_bytes = 0;
    uint64_t timer_wakeups = 0;
    uint64_t le_refused = 0;               // connect/accept refused: the LE was full
    uint64_t tcb_hits = 0, tcb_misses = 0;  // TP's TCB cache, TX and RX frames of known connections
    uint64_t rx_mps_drops = 0;             // arrivals the MPS buffer had no room for (not in rx_frames)
};

class T5Nic : public sc_core::sc_module, public sge::SgeClient, public host::NicControl {
public:
    using HostPeek = std::function<proto::Bytes(uint64_t addr, uint32_t len)>;

    // BAR2 as the host sees it: every write is forwarded to the SGE (bind sge_bar to
    // Sge::mmio); RQ doorbells are also seen by the NIC (receive WQE prefetch).
    tlm_utils::simple_target_socket<T5Nic> bar;
    tlm_utils::simple_initiator_socket<T5Nic> sge_bar;

    // `peek` reads host memory without timing (see the decouplings above).
    T5Nic(sc_core::sc_module_name name, sge::Sge& sge, const T5NicParams& p, HostPeek peek);

    void attach_tx(net::EthernetLink& link) { tx_link_ = &link; }
    // The receiving end of this port's ingress link (EthernetLink::set_receiver).
    void receive(const net::FrameArrival& a);
    void set_flow(uint32_t qpn, const QpFlow& f) { flows_[qpn] = f; }

    // --- host::NicControl ---
    void create_cq(const host::CqConfig& c) override { sge_.create_cq(c); }
    void create_qp(const host::QpConfig& c) override;
    void write_mr(const host::MrConfig& m) override;
    void connect(uint32_t qpn, const host::ConnParams& p, bool active) override { sge_.connect(qpn, p, active); }
    uint8_t max_ird_ord() const override { return sge_.max_ird_ord(); }

    // --- sge::SgeClient ---
    void on_tx_work(const sge::TxWork& w) override;
    void on_tx_payload(const sge::PayloadBurst& b) override;
    void on_connect(uint32_t qpn, const host::ConnParams& p, bool active) override;

    const proto::IwarpEndpoint* endpoint(uint32_t qpn) const;
    const proto::Tpt& tpt() const { return tpt_; }
    const T5NicParams& params() const { return p_; }
    const T5NicStats& stats() const { return stats_; }
    const NicTrace& trace() const { return trace_; }
    const std::vector<std::string>& errors() const { return errors_; }
    const PipelineChain& tx_chain() const { return *tx_chain_; }
    const PipelineChain& rx_chain() const { return *rx_chain_; }
    size_t pending_events() const { return eq_.pending(); }  // 0 once the NIC is idle
    // The RTL islands of MPA_TX / MPA_RX (inactive unless some impl is rtl); open_waves() on it
    // writes their FST waveforms.
    MpaRtlCheck& mpa_check() { return *mpa_check_; }
    const MpaRtlCheck& mpa_check() const { return *mpa_check_; }

private:
    // One outgoing message whose bytes occupy [s0, s1) of the QP's TCP send stream.
    struct StreamMsg {
        uint64_t s0 = 0, s1 = 0;
        bool open = false;  // a Read Response being queued: s1 not known yet
        std::shared_ptr<PayloadTimeline> timeline;
    };
    // A WR posted by the host, waiting for the connection to be ready.
    struct HeldWork {
        sge::TxWork w;
        proto::WorkRequest wr;
        std::shared_ptr<PayloadTimeline> timeline;  // Write/Send payload, else null
    };
    struct Qp {
        uint32_t qpn = 0, pdn = 0, send_cqn = 0, recv_cqn = 0;
        QpFlow flow;
        std::unique_ptr<NicMemoryAdapter> mem;
        std::unique_ptr<proto::IwarpEndpoint> ep;
        std::deque<HeldWork> held;                                     // until the endpoint is ready
        std::map<uint64_t, sge::TxWork> works;                         // endpoint wr_id -> WR
        uint64_t next_work_id = 1;
        // Payload timelines in the order the SGE will deliver their bursts (WR payloads and
        // read_host data share the QP's gather queue).
        std::deque<std::shared_ptr<PayloadTimeline>> expect;
        std::map<PayloadTimeline*, proto::Bytes> sent_bytes;  // to compare with the beats
        std::deque<StreamMsg> msgs;
        size_t open_reads = 0;               // trailing msgs with open == true
        uint64_t stream_hint = 0;            // highest unwrapped send-stream offset seen
        uint64_t released_upto = 0;          // send-stream bytes handed to the TX chain
        uint64_t next_read_tag = 1ull << 62;
        // Receive WQE prefetch.
        uint32_t rq_pending = 0;
        bool rq_fetching = false;
        std::deque<proto::PostedReceive> recv_unposted;  // fetched before the endpoint existed
        uint64_t next_recv_tag = 1;
        // TCP timer.
        uint64_t timer_at = proto::kTcpNoTimer;     // the endpoint's deadline
        timing::Ps timer_wake = ~timing::Ps(0);     // the pending wake-up (kNoWake: none)
        bool async_error_reported = false;          // our Terminate, told to the host once
    };
    // A frame waiting for its turn in the TX chain.
    struct TxEntry {
        uint32_t qpn = 0;
        std::shared_ptr<const proto::Bytes> frame;
        uint32_t seq = 0, payload = 0;
        bool data = false;
        uint64_t x0 = 0, x1 = 0;  // send-stream range of the payload
        timing::Ps emitted = 0;
    };

    void bar_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& d);
    Qp* qp(uint32_t qpn);
    uint64_t stream_end(Qp& q);
    uint64_t unwrap(Qp& q, uint32_t seq_offset);
    void post(Qp& q, HeldWork h, timing::Ps now);
    bool ready_to_post(const Qp& q) const;
    void pump(Qp& q, timing::Ps now);
    void finish_open_reads(Qp& q);
    void complete(Qp& q, const proto::WorkCompletion& wc);
    void arm_timer(Qp& q);
    void schedule_timer_wake(Qp& q, timing::Ps at);
    static constexpr timing::Ps kNoWake = ~timing::Ps(0);
    void enqueue_segment(Qp& q, const proto::TcpSegment& seg, timing::Ps now);
    std::optional<timing::Ps> data_ready(const TxEntry& e, uint64_t frame_beats);
    void release_tx();
    void deliver(const std::shared_ptr<const proto::Bytes>& frame, size_t rx_index, MpaRtlCheck::StageWindow mpa_rx);
    void prefetch_recv(uint32_t qpn);
    void place(uint64_t addr, proto::Bytes data);
    void source_read(Qp& q, uint64_t addr, uint32_t len);
    void error(std::string msg);
    // --- tracing only (T5NicParams::trace) ---
    void trace_stream_range(Qp& q, uint64_t host_wr_id, uint64_t s0, uint64_t s1);
    std::function<void()> trace_cqe_written();  // for the completion record just pushed

    sge::Sge& sge_;
    T5NicParams p_;
    HostPeek peek_;
    timing::EventQueue eq_;
    std::unique_ptr<PipelineChain> tx_chain_, rx_chain_;
    // TP's TCB cache: each frame of a known connection touches it when offered to its chain
    // (so TX and RX frames touch it in the order they are offered, not the order they reach
    // TP); a miss stalls the frame at TP.
    TcbCache tcb_cache_;
    size_t tx_tp_ = SIZE_MAX, rx_tp_ = SIZE_MAX;  // TP's stage index in each chain
    std::vector<uint32_t> tcb_stalls(const PipelineChain& chain, size_t tp, uint32_t qpn);
    // MPS ingress buffer: the RX frames that have arrived and that MPS has not yet wholly
    // passed on (last beat popped at `mps_done`), oldest first.
    struct MpsHeld {
        timing::Ps mps_done = 0;
        uint64_t bytes = 0;
    };
    std::deque<MpsHeld> mps_held_;
    uint64_t mps_held_bytes_ = 0;
    size_t rx_mps_ = SIZE_MAX;
    std::optional<uint32_t> rx_qpn(const proto::Bytes& frame) const;  // by TCP ports, untimed peek
    std::unique_ptr<MpaRtlCheck> mpa_check_;
    net::EthernetLink* tx_link_ = nullptr;
    proto::Tpt tpt_;
    // Hashed: every frame looks its QP up, and a NIC may hold many idle connections.
    // (unordered_map keeps references to its elements valid across rehashing.)
    std::unordered_map<uint32_t, QpFlow> flows_;
    std::unordered_map<uint32_t, Qp> qps_;
    std::unordered_map<uint32_t, uint32_t> by_ports_;  // ports_key(local, remote) -> qpn
    static uint32_t ports_key(uint16_t local, uint16_t remote) { return uint32_t(local) << 16 | remote; }
    std::deque<TxEntry> txq_;
    uint64_t next_frame_id_ = 1;  // from T5NicParams::first_frame_id
    uint16_t ip_id_ = 0;
    T5NicStats stats_;
    NicTrace trace_;
    uint64_t delivering_frame_ = 0;  // trace: the received frame being delivered (0: none)
    std::vector<std::string> errors_;
};

}  // namespace nicsim::nic
