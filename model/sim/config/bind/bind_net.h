// Config -> the network models' parameter structs (model/net/).
#pragma once

#include "net/cut_through_switch.h"
#include "net/ethernet_link.h"
#include "sim/config/config.h"

namespace nicsim::config {

// A NIC port's link: the port's rate (nic.mac.rate_gbps) and the cable (net.link.*).
net::LinkParams to_link_params(const Config& c);
net::SwitchParams to_switch_params(const Config& c);

}  // namespace nicsim::config
