#include "sim/config/bind/bind_host_pcie.h"

#include <stdexcept>

namespace nicsim::config {

namespace {
timing::Ps ps(const Config& c, const char* key) { return static_cast<timing::Ps>(c.get_ps(key)); }
uint32_t u32(const Config& c, const char* key) { return static_cast<uint32_t>(c.get_int(key)); }
}  // namespace

pcie::PcieParams to_pcie_params(const Config& c) {
    pcie::PcieParams p;
    p.gen = static_cast<int>(c.get_int("pcie.gen"));
    p.lanes = static_cast<int>(c.get_int("pcie.lanes"));
    p.mps = u32(c, "pcie.mps");
    p.mrrs = u32(c, "pcie.mrrs");
    p.rcb = u32(c, "pcie.rcb");
    p.rcb_chunks = c.get_bool("pcie.rcb_chunks");
    p.addr64 = c.get_bool("pcie.addr64");
    p.ecrc = c.get_bool("pcie.ecrc");
    p.max_read_tags = u32(c, "pcie.tags");
    p.rc_posted_hdr_credits = u32(c, "pcie.fc.ph");
    p.rc_posted_data_credits = u32(c, "pcie.fc.pd");
    p.rc_nonposted_hdr_credits = u32(c, "pcie.fc.nph");
    p.fc_update_latency = ps(c, "pcie.fc.update_latency_ps");
    p.link_latency = ps(c, "pcie.link_latency_ps");
    const timing::Ps read = ps(c, "pcie.rc.read_latency_ps");
    if (c.get_string("pcie.rc.read_latency_dist") == "constant") {
        p.rc_read_latency = pcie::LatencyDist::constant(read);
    } else {
        // The measured spread, moved so that its median is the configured latency.
        const auto median = static_cast<int64_t>(pcie::LatencyDist::pciebench_e5_64b(0).median());
        p.rc_read_latency = pcie::LatencyDist::pciebench_e5_64b(static_cast<int64_t>(read) - median);
    }
    p.rc_write_latency = ps(c, "pcie.rc.write_latency_ps");
    p.mmio_latency = ps(c, "pcie.mmio_latency_ps");
    p.msix_base = static_cast<uint64_t>(c.get_int("pcie.msix_base"));
    p.seed = static_cast<uint64_t>(c.get_int("pcie.seed"));
    return p;
}

host::HostMemoryParams to_host_memory_params(const Config& c) {
    host::HostMemoryParams p;
    p.read_latency = ps(c, "host.mem.read_latency_ps");
    p.write_latency = ps(c, "host.mem.write_latency_ps");
    return p;
}

host::verbs::DriverParams to_driver_params(const Config& c) {
    host::verbs::DriverParams p;
    const std::string& db = c.get_string("host.doorbell");
    p.doorbell = db == "plain"  ? host::verbs::DoorbellMode::Plain
                 : db == "push" ? host::verbs::DoorbellMode::Push
                                : host::verbs::DoorbellMode::Auto;
    p.post_cpu_ps = ps(c, "host.post_cpu_ps");
    p.irq_latency = ps(c, "host.irq_latency_ps");
    p.dma_base = static_cast<uint64_t>(c.get_int("host.dma_base"));
    return p;
}

}  // namespace nicsim::config
