// The system under test: N hosts (2..kMaxHosts), each with host memory, a PCIe link, the verbs
// driver, an SGE and a T5-class NIC, joined by 40GbE. Two hosts may be back to back (one
// EthernetLink per direction); any number may hang off the cut-through switch (one port each).
// A pcap tap per NIC port records both directions of that port.
//
//   host a: HostMemory <- PcieLink <- Sge <- T5Nic ==40GbE==> T5Nic -> Sge -> PcieLink -> HostMemory :host b
//                                              \== switch ==> host c, d, ...
//
// Hosts are named a, b, c, ... (index 0, 1, 2, ...); host i has MAC 02:00:00:00:00:(0a+i) and
// IP 10.0.0.(1+i).
//
// A test or scenario sets `body` (an SC_THREAD: it may wait) and calls sc_start().
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <systemc>

#include "host/host_memory.h"
#include "host/verbs.h"
#include "net/cut_through_switch.h"
#include "net/ethernet_link.h"
#include "net/pcap_tap.h"
#include "nic/sge/sge.h"
#include "nic/t5/t5_nic.h"
#include "pcie/pcie_link.h"
#include "sim/config/config.h"

namespace nicsim::sim {

namespace verbs = host::verbs;

struct HostSideParams {
    pcie::PcieParams pcie;
    host::HostMemoryParams mem;
    nic::sge::SgeParams sge;
    verbs::DriverParams driver;
    nic::T5NicParams nic;
};

constexpr int kMaxHosts = 16;

// "a", "b", ... for host index 0, 1, ...
std::string host_name(int index);

struct TestbedParams {
    std::vector<HostSideParams> hosts;  // 2 back to back; 2..kMaxHosts through the switch
    net::LinkParams link;
    bool use_switch = false;
    net::SwitchParams sw;
    std::vector<std::string> pcaps;  // one file per host's NIC port (same index); empty: no capture

    // `n` hosts with registry defaults, each with its MAC and IP. The constructor of Testbed
    // throws std::invalid_argument for n outside 2..kMaxHosts, or n > 2 without the switch.
    explicit TestbedParams(int n = 2);
    // Every host from one resolved configuration: nic.* (pipeline stages, SGE, TCP), net.*,
    // pcie.* and host.* keys.
    static TestbedParams from_config(const config::Config& c, int n = 2);
};

// One host with its NIC.
struct HostNode : sc_core::sc_module {
    host::HostMemory mem;
    pcie::PcieLink pcie;
    nic::sge::Sge sge;
    nic::T5Nic nic;
    verbs::Device dev;
    HostNode(sc_core::sc_module_name name, const HostSideParams& p);
};

// A connected QP at one host: its PD, CQ (polling), QP and one registered buffer.
struct QpEnd {
    verbs::Pd* pd = nullptr;
    verbs::Cq* cq = nullptr;
    verbs::Qp* qp = nullptr;
    uint64_t buf = 0;
    verbs::Mr* mr = nullptr;
};

class Testbed : public sc_core::sc_module {
public:
    Testbed(sc_core::sc_module_name name, const TestbedParams& p = TestbedParams());

    int host_count() const { return int(hosts_.size()); }
    HostNode& host(int i) { return *hosts_.at(size_t(i)); }
    const HostNode& host(int i) const { return *hosts_.at(size_t(i)); }
    HostNode& a() { return host(0); }
    HostNode& b() { return host(1); }
    const TestbedParams& params() const { return p_; }
    const HostSideParams& side(int i) const { return p_.hosts.at(size_t(i)); }
    net::EthernetLink& link_from(int i) { return *tx_.at(size_t(i)); }  // the link host i transmits on
    void close_pcaps();
    // FST waveforms of every NIC's RTL islands (sim.waves = fst): DIR/a.mpa_tx.crc32c.fst, ...
    // Call before sc_start(); false when no island is rtl (nothing to trace).
    bool open_island_waves(const std::string& dir);

    // --- read-only access for the reports written after the run (stats, Perfetto trace) ---
    const net::EthernetLink& link_from(int i) const { return *tx_.at(size_t(i)); }
    const net::EthernetLink& link_to(int i) const { return *rx_.at(size_t(i)); }  // the link host i receives from
    const net::CutThroughSwitch* network_switch() const { return sw_.get(); }  // null: back to back

    std::function<void()> body;  // runs in an SC_THREAD

    // --- helpers for the body thread (they wait) ---
    // Creates a QP with a buffer of buf_len at hosts `from` and `to`, `to` accepts and `from`
    // connects, then waits until both endpoints are ready to send. Throws std::runtime_error.
    std::pair<QpEnd, QpEnd> connect_pair(const host::ConnParams& cp = {}, uint64_t buf_len = 1 << 20,
                                         timing::Ps timeout = 100 * timing::kUs, int from = 0, int to = 1);
    // Polls `cq` at host i every `period` until n completions arrived or `timeout` passed.
    std::vector<verbs::WorkCompletion> poll(int i, verbs::Cq* cq, int n, timing::Ps timeout = 1000 * timing::kUs,
                                            timing::Ps period = 10 * timing::kNs);
    // Waits until pred() holds, checking every `period`; false on timeout.
    bool wait_until(const std::function<bool()>& pred, timing::Ps timeout, timing::Ps period = 10 * timing::kNs);

private:
    void run();

    TestbedParams p_;
    std::vector<std::unique_ptr<HostNode>> hosts_;
    std::vector<std::unique_ptr<net::EthernetLink>> tx_;  // owned: each host's TX link
    std::vector<net::EthernetLink*> rx_;                  // the peer's TX link or the switch egress port
    std::unique_ptr<net::CutThroughSwitch> sw_;
    std::vector<std::unique_ptr<net::PcapTap>> taps_;
    uint16_t next_port_ = 0;
};

}  // namespace nicsim::sim
