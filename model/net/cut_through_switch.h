// An output-queued cut-through Ethernet switch: a frame is forwarded by destination MAC and
// starts leaving the egress port `latency` after its first byte arrived (port-to-port
// latency, first bit in to first bit out), later if the egress port is busy or if a faster
// egress would otherwise run ahead of the bytes still arriving.
//
// Each egress port buffers the frames it holds, from their first byte in to their last byte
// out. With a finite `egress_buffer_bytes`, a frame arriving when it would not fit is dropped
// (tail drop, as in an incast that overruns a shallow-buffered switch); TCP recovers.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <vector>

#include "net/ethernet_link.h"
#include "proto/ethernet.h"

namespace nicsim::net {

struct SwitchParams {
    timing::Ps latency = 230'000;  // Mellanox SwitchX 40GbE, 230 ns (perf_anchors §2.5)
    uint64_t egress_buffer_bytes = 0;  // per egress port; 0: unlimited
};

struct SwitchPortStats {
    uint64_t buffer_drops = 0;      // frames that found the egress buffer full
    uint64_t max_buffered_bytes = 0;  // the most frame bytes the port held at once
};

class CutThroughSwitch : public sc_core::sc_module {
public:
    CutThroughSwitch(sc_core::sc_module_name name, SwitchParams params);

    // Adds a port whose egress link (owned by the switch) leads to `mac`; returns its index.
    size_t add_port(const proto::MacAddress& mac, LinkParams egress);
    EthernetLink& egress(size_t port) { return *ports_[port]; }
    const EthernetLink& egress(size_t port) const { return *ports_[port]; }  // for reports
    size_t port_count() const { return ports_.size(); }

    // Ingress: hand a frame arriving on any port (connect a link's receiver to this).
    void receive(const FrameArrival& in);

    uint64_t frames_forwarded() const { return forwarded_; }
    uint64_t frames_unknown_destination() const { return unknown_; }
    const SwitchPortStats& port_stats(size_t port) const { return buffers_[port].stats; }

private:
    // What one egress port holds: (last byte out, bytes) per frame, in departure order.
    struct EgressBuffer {
        std::deque<std::pair<timing::Ps, uint32_t>> frames;
        uint64_t bytes = 0;
        SwitchPortStats stats;
    };

    SwitchParams params_;
    std::vector<std::unique_ptr<EthernetLink>> ports_;
    std::vector<EgressBuffer> buffers_;
    std::map<std::array<uint8_t, 6>, size_t> table_;
    uint64_t forwarded_ = 0, unknown_ = 0;
};

}  // namespace nicsim::net
