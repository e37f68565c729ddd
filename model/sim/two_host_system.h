// Two hosts, each with host memory, a PCIe link, the verbs driver, an SGE and a T5-class NIC,
// joined by 40GbE: back to back (one EthernetLink per direction) or through the cut-through
// switch. A pcap tap per NIC port records both directions of that port.
//
//   host A: HostMemory <- PcieLink <- Sge <- T5Nic ==40GbE==> T5Nic -> Sge -> PcieLink -> HostMemory :host B
//
// A test or scenario sets `body` (an SC_THREAD: it may wait) and calls sc_start().
#pragma once

#include <functional>
#include <memory>
#include <string>

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

struct TwoHostParams {
    HostSideParams a, b;
    net::LinkParams link;
    bool use_switch = false;
    net::SwitchParams sw;
    std::string pcap_a, pcap_b;  // one file per NIC port; empty: no capture

    TwoHostParams();  // MACs 02:00:00:00:00:0a/0b, IPs 10.0.0.1/10.0.0.2, registry defaults
    // Both hosts from one resolved configuration: nic.* (pipeline stages, SGE, TCP), net.*,
    // pcie.* and host.* keys.
    static TwoHostParams from_config(const config::Config& c);
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

class TwoHostSystem : public sc_core::sc_module {
public:
    TwoHostSystem(sc_core::sc_module_name name, const TwoHostParams& p = TwoHostParams());

    HostNode& a() { return *a_; }
    HostNode& b() { return *b_; }
    HostNode& host(int i) { return i == 0 ? *a_ : *b_; }
    const HostNode& host(int i) const { return i == 0 ? *a_ : *b_; }
    const TwoHostParams& params() const { return p_; }
    net::EthernetLink& link_from(int i) { return i == 0 ? *a_tx_ : *b_tx_; }
    void close_pcaps();
    // FST waveforms of both NICs' RTL islands (sim.waves = fst): DIR/a.mpa_tx.crc32c.fst, ...
    // Call before sc_start(); false when no island is rtl (nothing to trace).
    bool open_island_waves(const std::string& dir);

    // --- read-only access for the reports written after the run (stats, Perfetto trace) ---
    const net::EthernetLink& link_from(int i) const { return i == 0 ? *a_tx_ : *b_tx_; }
    const net::CutThroughSwitch* network_switch() const { return sw_.get(); }  // null: back to back

    std::function<void()> body;  // runs in an SC_THREAD

    // --- helpers for the body thread (they wait) ---
    // Creates a QP with a buffer of buf_len at each host, B accepts and A connects, then waits
    // until both endpoints are ready to send. Throws std::runtime_error on failure.
    std::pair<QpEnd, QpEnd> connect_pair(const host::ConnParams& cp = {}, uint64_t buf_len = 1 << 20,
                                         timing::Ps timeout = 100 * timing::kUs);
    // Polls `cq` at host i every `period` until n completions arrived or `timeout` passed.
    std::vector<verbs::WorkCompletion> poll(int i, verbs::Cq* cq, int n, timing::Ps timeout = 1000 * timing::kUs,
                                            timing::Ps period = 10 * timing::kNs);
    // Waits until pred() holds, checking every `period`; false on timeout.
    bool wait_until(const std::function<bool()>& pred, timing::Ps timeout, timing::Ps period = 10 * timing::kNs);

private:
    void run();

    TwoHostParams p_;
    std::unique_ptr<HostNode> a_, b_;
    std::unique_ptr<net::EthernetLink> a_tx_, b_tx_;
    std::unique_ptr<net::CutThroughSwitch> sw_;
    std::unique_ptr<net::PcapTap> tap_a_, tap_b_;
    uint16_t next_port_ = 0;
};

}  // namespace nicsim::sim
