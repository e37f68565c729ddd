// Config -> the PCIe and host models' parameter structs. Each field comes from the dotted key
// named in the struct's own comment (model/pcie/pcie_params.h, model/host/*.h).
#pragma once

#include "host/host_memory.h"
#include "host/verbs.h"
#include "pcie/pcie_params.h"
#include "sim/config/config.h"

namespace nicsim::config {

pcie::PcieParams to_pcie_params(const Config& c);
host::HostMemoryParams to_host_memory_params(const Config& c);
// bar_base and dma_limit have no keys: they keep DriverParams' defaults.
host::verbs::DriverParams to_driver_params(const Config& c);

}  // namespace nicsim::config
