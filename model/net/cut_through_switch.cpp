#include "net/cut_through_switch.h"

#include <algorithm>

namespace nicsim::net {

using timing::Ps;

CutThroughSwitch::CutThroughSwitch(sc_core::sc_module_name name, SwitchParams params)
    : sc_module(name), params_(params) {}

size_t CutThroughSwitch::add_port(const proto::MacAddress& mac, LinkParams egress) {
    std::string name = "port" + std::to_string(ports_.size());
    ports_.push_back(std::make_unique<EthernetLink>(name.c_str(), egress));
    buffers_.emplace_back();
    table_[mac.octets] = ports_.size() - 1;
    return ports_.size() - 1;
}

void CutThroughSwitch::receive(const FrameArrival& in) {
    auto eth = proto::decode_ethernet(*in.frame.bytes);
    auto it = eth.status == proto::EthernetDecode::Status::Ok ? table_.find(eth.header.dst.octets) : table_.end();
    if (it == table_.end()) {  // no flooding: the model's topologies are static
        ++unknown_;
        return;
    }
    EthernetLink& out = *ports_[it->second];
    EgressBuffer& buf = buffers_[it->second];
    // Called at the frame's first byte in (EthernetLink delivers then): frames whose last byte
    // has left by now have freed their room.
    const Ps now = timing::now_ps();
    while (!buf.frames.empty() && buf.frames.front().first <= now) {
        buf.bytes -= buf.frames.front().second;
        buf.frames.pop_front();
    }
    const uint32_t size = uint32_t(in.frame.size());
    if (params_.egress_buffer_bytes && buf.bytes + size > params_.egress_buffer_bytes) {
        ++buf.stats.buffer_drops;
        return;
    }
    Ps preamble = proto::kEthernetPreambleSize * out.byte_time();
    // First byte out = first byte in + latency, so transmission (preamble first) starts earlier.
    Ps ready = in.first_byte + params_.latency - std::min(preamble, in.first_byte + params_.latency);
    // A faster egress must not overtake the ingress: its last byte may leave only after the
    // last byte came in.
    Ps data = in.last_byte - in.first_byte;
    Ps egress_data = data / in.byte_time * out.byte_time();
    if (egress_data < data) ready = std::max(ready, in.last_byte - egress_data - preamble + params_.latency);
    ++forwarded_;
    out.transmit(in.frame, ready);
    buf.frames.push_back({out.busy_until(), size});
    buf.bytes += size;
    buf.stats.max_buffered_bytes = std::max(buf.stats.max_buffered_bytes, buf.bytes);
}

}  // namespace nicsim::net
