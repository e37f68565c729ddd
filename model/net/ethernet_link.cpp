#include "net/ethernet_link.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "proto/ethernet.h"

namespace nicsim::net {

using timing::Ps;

Ps byte_time_ps(double rate_gbps) {
    if (!(rate_gbps > 0)) throw std::invalid_argument("link rate must be positive");
    return Ps(std::llround(8000.0 / rate_gbps));
}

EthernetLink::EthernetLink(sc_core::sc_module_name name, LinkParams params)
    : sc_module(name), params_(params), byte_time_(byte_time_ps(params.rate_gbps)), events_("events") {}

Ps EthernetLink::transmit(const EthFrame& frame, Ps ready) {
    Ps start = std::max({ready, free_at_, timing::now_ps()});
    size_t on_wire = proto::ethernet_wire_bytes(frame.size());  // preamble + frame + FCS + IFG
    size_t data = on_wire - proto::kEthernetPreambleSize - proto::kEthernetMinIfgSize;  // padded frame + FCS
    Ps first = start + proto::kEthernetPreambleSize * byte_time_;
    Ps last = first + data * byte_time_;
    free_at_ = start + on_wire * byte_time_;
    if (params_.busy_log) busy_.add(start, free_at_);
    ++sent_;
    wire_bytes_ += on_wire;
    for (const Tap& t : taps_) t(first, frame);
    if (drop_ && drop_(frame)) {
        ++dropped_;
        return first;
    }
    FrameArrival a{frame, first + params_.propagation, last + params_.propagation, byte_time_};
    events_.schedule(a.first_byte, [this, a]() {
        if (receiver_) receiver_(a);
    });
    return first;
}

}  // namespace nicsim::net
