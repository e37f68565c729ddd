// One end of an iWARP connection as a sans-I/O state machine: TCP (tcp_connection.h), the
// MPA startup with RFC 6581 RTR, FPDU framing and de-framing, DDP/RDMAP segmentation and the
// receive rules, Read Responses and Terminates. No clocks and no memory of its own: the caller
// feeds segments, time and work requests, drains segments and completions, and supplies the
// host memory through EndpointMemory. The timed NIC wraps this and adds *when*.
//
//   initiator: TCP open -> MPA Request -> (Reply) -> RTR -> ready to send
//   responder: listen -> (Request) -> MPA Reply -> (first FPDU, e.g. the RTR) -> ready to send
// Work requests posted earlier wait for "ready to send". A receive-side error sends the RFC
// Terminate and closes; all outstanding work then completes as flushed.
//
// Send-queue rules (verbs): completions are reported in posting order (a Write acknowledged
// behind an unanswered Read waits for it). No more RDMA Reads are on the wire than the ORD
// (RFC 5040 §5.3; negotiated in MPA per RFC 6581, else the configured value): a Read beyond
// it, and every WR posted after it, waits until a Read Response frees a slot. An inbound Read
// Request holds an IRD slot until its Response has been transmitted. A Terminate received
// names the offending message by its copied DDP/RDMAP header: that WR completes with the
// remote error (even if its ACK rode on the Terminate's segment), the others flush; without a
// match the oldest unreported WR takes the error. Posted receives flush too.
//
// Contract (like TcpConnection's): after any input, call poll_segment() until it returns
// false, then poll_completion() until false, then re-read next_timer().
#pragma once

#include <deque>
#include <optional>
#include <string>

#include "mpa_deframer.h"
#include "mpa_fpdu.h"
#include "mpa_negotiation.h"
#include "rdmap_receiver.h"
#include "rdmap_segmenter.h"
#include "tcp_connection.h"

namespace nicsim::proto {

// Host memory as the endpoint sees it (already protection-checked by the TPT).
class EndpointMemory {
public:
    virtual ~EndpointMemory() = default;
    virtual void write_tagged(uint32_t stag, uint64_t to, ByteView data) = 0;
    virtual void write_receive(uint64_t recv_wr_id, uint32_t offset, ByteView data) = 0;
    virtual Bytes read_tagged(uint32_t stag, uint64_t to, uint32_t length) = 0;
};

enum class WorkOpcode : uint8_t { Write, Read, Send, SendInvalidate, SendSolicited, SendSolicitedInvalidate, Recv };
const char* to_string(WorkOpcode op);

struct WorkRequest {
    uint64_t wr_id = 0;
    WorkOpcode opcode = WorkOpcode::Send;
    Bytes payload;                 // Write, Send variants
    uint32_t remote_stag = 0;      // Write: sink; Read: source
    uint64_t remote_to = 0;
    uint32_t local_stag = 0;       // Read: where the response lands
    uint64_t local_to = 0;
    uint32_t read_length = 0;      // Read
    uint32_t invalidate_stag = 0;  // Send with Invalidate variants
};

enum class CompletionStatus : uint8_t { Success, RemoteError, Flushed };

struct WorkCompletion {
    uint64_t wr_id = 0;
    WorkOpcode opcode = WorkOpcode::Send;
    CompletionStatus status = CompletionStatus::Success;
    uint64_t byte_len = 0;
    std::optional<uint32_t> invalidated_stag;  // receive of a Send with Invalidate
    bool solicited = false;
};

enum class EndpointState : uint8_t { Idle, Connecting, MpaExchange, AwaitFirstFpdu, Ready, Terminated, Closed };
const char* to_string(EndpointState s);

struct IwarpEndpointConfig {
    TcpConfig tcp;
    MpaPeerConfig mpa;
    uint32_t pd = 0;
    size_t max_ulpdu_rx = 0xFFFF;  // longest FPDU this receiver accepts
};

class IwarpEndpoint {
public:
    IwarpEndpoint(const IwarpEndpointConfig& cfg, uint16_t local_port, uint16_t remote_port, uint32_t iss, Tpt& tpt,
                  EndpointMemory& memory);

    void connect(uint64_t now);  // the initiator
    void listen();               // the responder
    void close(uint64_t now);

    void post_send(uint64_t now, const WorkRequest& wr);
    void post_recv(const PostedReceive& r);
    // True when post_send(wr) now would put it on the wire at once (ready, nothing queued
    // ahead of it, and an ORD slot free for a Read): the timed NIC holds WRs until then.
    bool transmits_now(const WorkRequest& wr) const;

    void on_segment(uint64_t now, const TcpHeader& h, ByteView payload);
    void on_timer(uint64_t now);
    uint64_t next_timer() const { return tcp_.next_timer(); }
    bool poll_segment(uint64_t now, TcpSegment& out);
    bool poll_completion(WorkCompletion& out);

    EndpointState state() const { return state_; }
    const std::optional<MpaSession>& session() const { return session_; }
    const std::optional<TermCause>& terminate_sent() const { return term_sent_; }
    const std::optional<TermCause>& terminate_received() const { return term_received_; }
    const TcpConnection& tcp() const { return tcp_; }
    uint64_t fpdus_sent() const { return fpdus_sent_; }
    // Read limits in force once MPA is done (0 before): ORD = our Reads on the wire at most,
    // IRD = the peer's Read Requests we serve at once.
    uint16_t ord() const { return ord_; }
    uint16_t ird() const { return ird_; }
    size_t reads_outstanding() const { return reads_.size(); }  // incl. an RTR Read
    size_t max_reads_outstanding() const { return max_reads_outstanding_; }

private:
    // A posted send-queue WR until its completion is reported, in posting order.
    struct SqEntry {
        uint64_t seq = 0;
        WorkRequest wr;
        bool transmitted = false;
        bool done = false;           // its completion can be reported (in order)
        CompletionStatus status = CompletionStatus::Success;
        uint64_t byte_len = 0;
        uint64_t acked_at = 0;       // Write/Send: send-stream offset whose ACK completes it
        uint32_t msn = 0;            // Send: QN 0 MSN; Read: QN 1 MSN
    };
    static constexpr uint64_t kRtrRead = ~0ull;  // reads_ entry of the RFC 6581 RTR Read
    SqEntry* entry(uint64_t seq);
    // ORD 0 (a peer that serves no Reads) does not stop Reads here: the peer's IRD check
    // answers them with its Terminate.
    bool read_blocked() const { return ord_ && reads_.size() >= ord_; }
    void transmit_pending(uint64_t now);
    void report();
    void blame(const TerminateMessage& t);
    void release_ird();
    void drain_tcp(uint64_t now);
    void complete_acked();
    void on_readable(uint64_t now);
    void start_fpdus(uint64_t now);
    void become_ready(uint64_t now);
    void transmit(uint64_t now, SqEntry& e);
    uint64_t send_message(const RdmapMessage& m);
    void handle(uint64_t now, const ReceiveOutcome& o);
    void terminate(uint64_t now, const TerminateMessage& t);
    void flush_all();

    IwarpEndpointConfig cfg_;
    bool initiator_ = false;
    Tpt& tpt_;
    EndpointMemory& mem_;
    TcpConnection tcp_;
    EndpointState state_ = EndpointState::Idle;

    MpaStartupFrame request_;
    std::optional<MpaSession> session_;
    MpaFramingOptions tx_framing_;
    uint64_t tx_stream_offset_ = 0;  // bytes framed since our first FPDU (marker position)
    std::optional<MpaDeframer> deframer_;
    RdmapSegmenter segmenter_;
    RdmapReceiver receiver_;

    std::deque<SqEntry> sq_;              // posted WRs whose completion is not reported yet
    uint64_t next_seq_ = 0;
    size_t untransmitted_ = 0;            // trailing sq_ entries not on the wire yet
    std::deque<uint64_t> reads_;          // seq of our Reads awaiting their Response, wire order
    std::deque<uint64_t> responses_;      // send-stream end of each Read Response we queued
    uint16_t ord_ = 0, ird_ = 0;
    size_t max_reads_outstanding_ = 0;
    uint64_t acked_ = 0;                  // send-stream bytes acknowledged so far
    std::deque<WorkCompletion> completions_;
    std::optional<TermCause> term_sent_, term_received_;
    uint64_t fpdus_sent_ = 0;
    bool events_seen_ = false;  // drain_tcp handled at least one event
};

}  // namespace nicsim::proto
