// One direction of an Ethernet link: serialization at the line rate with preamble/SFD, FCS,
// minimum-size padding and the inter-frame gap, then propagation delay. Event-driven: one
// scheduled callback per frame, nothing while the link is idle.
//
// transmit() may be called for a frame whose first byte is ready at `ready`; frames queue in
// call order behind the one on the wire. The receiver is called when the frame's first byte
// arrives (so a cut-through receiver can start), with the last-byte time alongside.
#pragma once

#include <functional>

#include "net/eth_frame.h"
#include "timing/busy_intervals.h"
#include "timing/event_queue.h"

namespace nicsim::net {

struct LinkParams {
    double rate_gbps = 40.0;        // MAC data rate
    timing::Ps propagation = 5000;  // 1 m of cable at ~5 ns/m (perf_anchors §2.4, an assumption)
    bool busy_log = false;          // keep every busy period (reports only: it grows with the run)
};

// Picoseconds per byte at a rate (exact for 10/25/40/100 Gb/s).
timing::Ps byte_time_ps(double rate_gbps);

class EthernetLink : public sc_core::sc_module {
public:
    using Receiver = std::function<void(const FrameArrival&)>;
    using DropFilter = std::function<bool(const EthFrame&)>;
    using Tap = std::function<void(timing::Ps first_byte, const EthFrame&)>;

    EthernetLink(sc_core::sc_module_name name, LinkParams params);

    void set_receiver(Receiver r) { receiver_ = std::move(r); }
    // Fault injection: frames for which the filter returns true are serialized, then lost.
    void set_drop_filter(DropFilter f) { drop_ = std::move(f); }
    // Called for every frame put on the wire (e.g. a pcap writer), with the time its first
    // byte leaves the transmitter.
    void add_tap(Tap t) { taps_.push_back(std::move(t)); }

    // Returns the time the frame's first byte leaves (after its preamble).
    timing::Ps transmit(const EthFrame& frame, timing::Ps ready);

    timing::Ps busy_until() const { return free_at_; }
    timing::Ps byte_time() const { return byte_time_; }
    uint64_t frames_sent() const { return sent_; }
    uint64_t frames_dropped() const { return dropped_; }
    uint64_t wire_bytes() const { return wire_bytes_; }  // preamble, FCS, padding and IFG included
    // When the wire was occupied (preamble to the end of the IFG): busy time over any window.
    // Null unless LinkParams::busy_log.
    const timing::BusyIntervals* busy_log() const { return params_.busy_log ? &busy_ : nullptr; }

private:
    LinkParams params_;
    timing::Ps byte_time_;
    timing::EventQueue events_;
    Receiver receiver_;
    DropFilter drop_;
    std::vector<Tap> taps_;
    timing::Ps free_at_ = 0;
    uint64_t sent_ = 0, dropped_ = 0, wire_bytes_ = 0;
    timing::BusyIntervals busy_;
};

}  // namespace nicsim::net
