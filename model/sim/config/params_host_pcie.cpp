// The PCIe link / root complex (pcie.*) and host (host.*) parameters. Names, defaults and
// ranges follow pcie::PcieParams (model/pcie/pcie_params.h), host::HostMemoryParams
// (model/host/host_memory.h) and host::verbs::DriverParams (model/host/verbs.h); if those
// structs change, change this file with them.
#include "sim/config/config.h"
#include "sim/config/param_declarations.h"

namespace nicsim::config {

namespace {
constexpr int64_t kNs = 1000;
constexpr int64_t kUs = 1000 * kNs;
constexpr int64_t kMs = 1000 * kUs;
}  // namespace

void declare_pcie_host_params(ParamRegistry& r) {
    r.add_int("pcie.gen", 3, 1, 4, "", "PCIe generation (2.5, 5, 8, 16 GT/s per lane)");
    r.add_int_choice("pcie.lanes", 8, {1, 2, 4, 8, 16}, "lanes", "Link width");
    r.add_int_pow2("pcie.mps", 256, 128, 4096, "B", "Max Payload Size of a TLP");
    r.add_int_pow2("pcie.mrrs", 512, 128, 4096, "B", "Max Read Request Size");
    r.add_int_pow2("pcie.rcb", 64, 64, 512, "B", "Read Completion Boundary");
    r.add_bool("pcie.rcb_chunks", false, "The completer returns RCB-sized CplDs instead of MPS-sized ones");
    r.add_bool("pcie.addr64", true, "64-bit addressing (4 DW TLP headers)");
    r.add_bool("pcie.ecrc", false, "4 B TLP digest (ECRC) on every TLP");
    r.add_int("pcie.tags", 256, 1, 1024, "tags", "Outstanding read-request tags of the device (extended tags)");
    r.add_int("pcie.fc.ph", 64, 1, 255, "credits", "Root-complex posted header credits");
    r.add_int("pcie.fc.pd", 1024, 1, 4095, "16 B credits", "Root-complex posted data credits");
    r.add_int("pcie.fc.nph", 64, 1, 255, "credits", "Root-complex non-posted header credits");
    r.add_duration("pcie.fc.update_latency_ps", 20 * kNs, 0, kMs, "Delay before a consumed credit returns");
    r.add_duration("pcie.link_latency_ps", 0, 0, kMs, "PHY and flight latency, each direction");
    r.add_duration("pcie.rc.read_latency_ps", 450 * kNs, 0, kMs,
                   "Root-complex MRd turnaround, last request byte to first CplD ready, excluding host memory");
    r.add_enum("pcie.rc.read_latency_dist", "constant", {"constant", "pciebench_e5_64b"},
               "constant, or the pcie-bench Xeon E5-2620 v3 64 B read spread shifted to the median read_latency_ps");
    r.add_duration("pcie.rc.write_latency_ps", 230 * kNs, 0, kMs,
                   "Root complex: MWr arrival to the data being in host memory (visible to the CPU and to later reads)");
    r.add_duration("pcie.mmio_latency_ps", 140 * kNs, 0, kMs, "CPU store (doorbell) to root-complex egress");
    r.add_int("pcie.msix_base", 0xFEE00000LL, 0, 1LL << 52, "address", "Device writes to [base, base + 1 MiB) raise MSI-X");
    r.add_int("pcie.seed", 1, 0, INT64_MAX, "", "Seed of the link's latency distributions");

    r.add_constraint({{"pcie.mps", "pcie.rcb"}, [](const Config& c) {
                          if (c.get_int("pcie.rcb") <= c.get_int("pcie.mps")) return std::string();
                          return std::string("pcie.rcb must not exceed pcie.mps");
                      }});
    r.add_constraint({{"pcie.mps", "pcie.fc.pd"}, [](const Config& c) {
                          if (c.get_int("pcie.fc.pd") >= c.get_int("pcie.mps") / 16) return std::string();
                          return "pcie.fc.pd must cover one MPS TLP (at least pcie.mps / 16 = " +
                                 std::to_string(c.get_int("pcie.mps") / 16) + " credits)";
                      }});

    r.add_duration("host.mem.read_latency_ps", 80 * kNs, 0, kMs, "Host memory read latency (LLC/DRAM mix)");
    r.add_duration("host.mem.write_latency_ps", 0, 0, kMs, "Host memory write latency (posted into the LLC): delays the end of a DMA write as the device sees it");
    r.add_enum("host.doorbell", "auto", {"auto", "plain", "push"},
               "auto: WC push for a single one-slot WR, else KDOORBELL; plain or push force one mode");
    r.add_duration("host.post_cpu_ps", 30 * kNs, 0, kMs, "CPU time to write one 64 B WR slot");
    r.add_duration("host.irq_latency_ps", 0, 0, kMs, "MSI-X arrival to the completion handler");
    r.add_int("host.dma_base", 0x10000000LL, 0, 1LL << 52, "address", "First host address the driver hands out");
}

}  // namespace nicsim::config
