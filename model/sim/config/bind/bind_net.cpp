#include "sim/config/bind/bind_net.h"

namespace nicsim::config {

net::LinkParams to_link_params(const Config& c) {
    net::LinkParams p;
    p.rate_gbps = c.get_double("nic.mac.rate_gbps");
    p.propagation = static_cast<timing::Ps>(c.get_ps("net.link.propagation_ps"));
    return p;
}

net::SwitchParams to_switch_params(const Config& c) {
    net::SwitchParams p;
    p.latency = static_cast<timing::Ps>(c.get_ps("net.switch.latency_ps"));
    p.egress_buffer_bytes = static_cast<uint64_t>(c.get_int("net.switch.egress_buffer_bytes"));
    return p;
}

}  // namespace nicsim::config
