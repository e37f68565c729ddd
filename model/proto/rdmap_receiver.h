// RDMAP/DDP receive side for one stream: validates each incoming DDP segment against the
// rules of RFC 5040 and RFC 5041 and says where its payload goes. Placement may be applied
// as segments arrive; messages are delivered (completed) in order per queue, on the segment
// carrying L = 1. Any violation yields the Terminate message to send (RFC 5040 §4.8), with
// the offending DDP (and Read Request) header copied, after which the stream is dead.
//
// The receiver does not own memory: it reports Placement records (STag/TO or receive buffer
// plus offset) that the caller applies, which keeps it usable by both the timed NIC and tests.
#pragma once

#include <array>
#include <deque>
#include <optional>
#include <vector>

#include "rdmap.h"
#include "tpt.h"

namespace nicsim::proto {

struct PostedReceive {
    uint64_t wr_id = 0;
    uint32_t length = 0;
};

struct Placement {
    bool tagged = false;
    uint32_t stag = 0;     // tagged
    uint64_t to = 0;       // tagged
    uint64_t wr_id = 0;    // untagged: the receive buffer
    uint32_t offset = 0;   // untagged: offset within it
    ByteView data;         // points into the ULPDU given to on_ulpdu()
};

struct DeliveredMessage {
    RdmapOpcode opcode = RdmapOpcode::Send;
    uint32_t msn = 0;                 // untagged
    uint64_t length = 0;              // payload bytes of the whole message
    uint64_t wr_id = 0;               // Send: the receive it consumed
    std::optional<uint32_t> invalidated_stag;
    bool solicited = false;
    ReadRequestHeader read;           // Read Request: what the peer asks us to send
    TerminateMessage terminate;       // Terminate received
};

struct ReceiveOutcome {
    std::vector<Placement> placements;
    std::optional<DeliveredMessage> delivered;
    std::optional<TerminateMessage> terminate;  // set on error: send it, then close
};

struct RdmapReceiverConfig {
    uint32_t pd = 0;    // protection domain of this stream's QP
    uint16_t ird = 16;  // inbound Read Requests we serve at once
};

class RdmapReceiver {
public:
    RdmapReceiver(Tpt& tpt, RdmapReceiverConfig cfg) : tpt_(tpt), cfg_(cfg) {}

    void post_receive(const PostedReceive& r) { receives_.push_back(r); }
    // We sent a Read Request: its Read Response becomes legal (answered in order).
    void expect_read_response(const ReadRequestHeader& h) { outstanding_reads_.push_back({h, 0}); }
    // We finished answering an inbound Read Request: frees one IRD slot.
    void read_response_sent() {
        if (inbound_reads_) --inbound_reads_;
    }

    // The IRD negotiated in MPA replaces the configured one.
    void set_ird(uint16_t ird) { cfg_.ird = ird; }
    // Removes and returns every posted receive (a dead stream flushes them).
    std::deque<PostedReceive> take_receives() {
        std::deque<PostedReceive> r;
        r.swap(receives_);
        return r;
    }

    ReceiveOutcome on_ulpdu(ByteView ulpdu);
    bool failed() const { return failed_; }
    size_t posted_receives() const { return receives_.size(); }

private:
    struct UntaggedProgress {
        bool active = false;
        uint64_t received = 0;
        PostedReceive buffer;
    };
    struct OutstandingRead {
        ReadRequestHeader req;
        uint64_t received = 0;
    };

    ReceiveOutcome fail(ReceiveOutcome& out, TermCause cause, ByteView ulpdu, const DdpHeader* h);
    ReceiveOutcome on_tagged(ReceiveOutcome& out, const DdpSegmentView& s, RdmapOpcode op, ByteView ulpdu);
    ReceiveOutcome on_untagged(ReceiveOutcome& out, const DdpSegmentView& s, RdmapOpcode op, ByteView ulpdu);

    Tpt& tpt_;
    RdmapReceiverConfig cfg_;
    std::deque<PostedReceive> receives_;
    std::deque<OutstandingRead> outstanding_reads_;
    std::array<uint32_t, 3> expected_msn_{1, 1, 1};
    std::array<UntaggedProgress, 3> progress_{};
    uint64_t write_received_ = 0;  // bytes of the tagged Write in progress
    uint32_t inbound_reads_ = 0;
    bool failed_ = false;
};

// The Terminate that reports `cause` for the segment `ulpdu` (whose decoded header is `h`,
// or null when the ULPDU was too short to decode): copies the DDP header and, for a Read
// Request, the RDMAP header, as RFC 5040 §4.8 allows.
TerminateMessage make_terminate(TermCause cause, ByteView ulpdu, const DdpHeader* h);

}  // namespace nicsim::proto
