// The functions that declare the model's parameters, one per area; default_registry() calls
// them in this order, which is also the order of `nicsim params` and docs/parameters.md.
#pragma once

#include "sim/config/param_registry.h"

namespace nicsim::config {

void declare_nic_params(ParamRegistry& r);        // nic.*   (params_nic.cpp)
void declare_pcie_host_params(ParamRegistry& r);  // pcie.*, host.* (params_host_pcie.cpp)
void declare_net_sim_params(ParamRegistry& r);    // net.*, sim.* (params_net_sim.cpp)

}  // namespace nicsim::config
