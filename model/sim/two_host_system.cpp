#include "sim/two_host_system.h"

#include <stdexcept>

#include "sim/config/bind/bind_host_pcie.h"
#include "sim/config/bind/bind_net.h"
#include "sim/config/bind/bind_nic.h"

namespace nicsim::sim {

using timing::Ps;

namespace {

proto::MacAddress mac(uint8_t last) {
    proto::MacAddress m;
    m.octets = {0x02, 0x00, 0x00, 0x00, 0x00, last};
    return m;
}

HostSideParams side_from(const config::Config& c) {
    HostSideParams s;
    s.pcie = config::to_pcie_params(c);
    s.mem = config::to_host_memory_params(c);
    s.driver = config::to_driver_params(c);
    s.sge = config::to_sge_params(c);
    s.nic.pipeline = {config::tx_stage_configs(c), config::rx_stage_configs(c), config::to_pipeline_mode(c)};
    s.nic.tcp = config::to_tcp_config(c);
    s.nic.blocks = nic::nic_blocks_from_config(c);
    s.nic.islands.tx_crc = config::to_engine_config(c, islands::Block::Crc32c, true).impl;
    s.nic.islands.tx_marker = config::to_engine_config(c, islands::Block::MarkerInsert, true).impl;
    s.nic.islands.rx_crc = config::to_engine_config(c, islands::Block::Crc32c, false).impl;
    s.nic.islands.rx_marker = config::to_engine_config(c, islands::Block::MarkerStrip, false).impl;
    return s;
}

}  // namespace

TwoHostParams::TwoHostParams() {
    a.nic.mac = mac(0x0a);
    a.nic.ip = proto::Ipv4Address{0x0A000001};
    b.nic.mac = mac(0x0b);
    b.nic.ip = proto::Ipv4Address{0x0A000002};
}

TwoHostParams TwoHostParams::from_config(const config::Config& c) {
    TwoHostParams p;
    for (HostSideParams* s : {&p.a, &p.b}) {
        HostSideParams n = side_from(c);
        n.nic.mac = s->nic.mac;
        n.nic.ip = s->nic.ip;
        *s = n;
    }
    p.link = config::to_link_params(c);
    p.use_switch = c.get_bool("net.switch.enabled");
    p.sw = config::to_switch_params(c);
    return p;
}

HostNode::HostNode(sc_core::sc_module_name name, const HostSideParams& p)
    : sc_core::sc_module(name),
      mem("mem", p.mem),
      pcie("pcie", p.pcie),
      sge("sge", p.sge, p.pcie.msix_base),
      nic("nic", sge, p.nic, [this](uint64_t addr, uint32_t len) { return mem.read(addr, len); }),
      dev("dev", mem, pcie, nic, p.driver) {
    pcie.host_mem.bind(mem.socket);
    pcie.dev_mmio.bind(nic.bar);  // the NIC sees BAR2 writes, then hands them to the SGE
    nic.sge_bar.bind(sge.mmio);
    sge.dma.socket.bind(pcie.dev_dma);
}

TwoHostSystem::TwoHostSystem(sc_core::sc_module_name name, const TwoHostParams& p) : sc_core::sc_module(name), p_(p) {
    a_ = std::make_unique<HostNode>("a", p_.a);
    b_ = std::make_unique<HostNode>("b", p_.b);
    a_tx_ = std::make_unique<net::EthernetLink>("a_tx", p_.link);
    b_tx_ = std::make_unique<net::EthernetLink>("b_tx", p_.link);
    a_->nic.attach_tx(*a_tx_);
    b_->nic.attach_tx(*b_tx_);
    // The links each port receives from: the peer's TX link, or the switch port facing it.
    net::EthernetLink* to_a = b_tx_.get();
    net::EthernetLink* to_b = a_tx_.get();
    if (p_.use_switch) {
        sw_ = std::make_unique<net::CutThroughSwitch>("sw", p_.sw);
        size_t pa = sw_->add_port(p_.a.nic.mac, p_.link);
        size_t pb = sw_->add_port(p_.b.nic.mac, p_.link);
        a_tx_->set_receiver([this](const net::FrameArrival& f) { sw_->receive(f); });
        b_tx_->set_receiver([this](const net::FrameArrival& f) { sw_->receive(f); });
        to_a = &sw_->egress(pa);
        to_b = &sw_->egress(pb);
    }
    to_a->set_receiver([this](const net::FrameArrival& f) { a_->nic.receive(f); });
    to_b->set_receiver([this](const net::FrameArrival& f) { b_->nic.receive(f); });
    if (!p_.pcap_a.empty()) {
        tap_a_ = std::make_unique<net::PcapTap>(p_.pcap_a);
        tap_a_->attach(*a_tx_);
        tap_a_->attach(*to_a);
    }
    if (!p_.pcap_b.empty()) {
        tap_b_ = std::make_unique<net::PcapTap>(p_.pcap_b);
        tap_b_->attach(*b_tx_);
        tap_b_->attach(*to_b);
    }
    SC_HAS_PROCESS(TwoHostSystem);
    SC_THREAD(run);
}

bool TwoHostSystem::open_island_waves(const std::string& dir) {
    bool a = a_->nic.mpa_check().open_waves(dir + "/a");
    bool b = b_->nic.mpa_check().open_waves(dir + "/b");
    return a || b;
}

void TwoHostSystem::close_pcaps() {
    if (tap_a_) tap_a_->close();
    if (tap_b_) tap_b_->close();
}

void TwoHostSystem::run() {
    if (body) body();
}

bool TwoHostSystem::wait_until(const std::function<bool()>& pred, Ps timeout, Ps period) {
    const Ps end = timing::now_ps() + timeout;
    while (!pred()) {
        if (timing::now_ps() >= end) return false;
        sc_core::wait(timing::to_sc(period));
    }
    return true;
}

std::vector<verbs::WorkCompletion> TwoHostSystem::poll(int i, verbs::Cq* cq, int n, Ps timeout, Ps period) {
    std::vector<verbs::WorkCompletion> out;
    wait_until(
        [&] {
            verbs::WorkCompletion wc[16];
            int got = host(i).dev.poll_cq(cq, 16, wc);
            for (int k = 0; k < got; ++k) out.push_back(wc[k]);
            return int(out.size()) >= n;
        },
        timeout, period);
    return out;
}

std::pair<QpEnd, QpEnd> TwoHostSystem::connect_pair(const host::ConnParams& cp, uint64_t buf_len, Ps timeout) {
    QpEnd e[2];
    for (int i = 0; i < 2; ++i) {
        verbs::Device& d = host(i).dev;
        e[i].pd = d.alloc_pd();
        e[i].cq = d.create_cq(1024, {0, 1, false});
        verbs::QpInitAttr qa;
        qa.send_cq = qa.recv_cq = e[i].cq;
        e[i].qp = d.create_qp(e[i].pd, qa);
        e[i].buf = d.alloc_dma(buf_len, 4096);
        e[i].mr = d.reg_mr(e[i].pd, e[i].buf, buf_len, host::kLocalWrite | host::kRemoteWrite | host::kRemoteRead);
        if (!e[i].cq || !e[i].qp || !e[i].mr) throw std::runtime_error("connect_pair: " + d.last_error());
    }
    const uint16_t port_a = uint16_t(49152 + next_port_), port_b = uint16_t(7174 + next_port_);
    ++next_port_;
    a_->nic.set_flow(e[0].qp->qpn, {port_a, {p_.b.nic.mac, p_.b.nic.ip, port_b}});
    b_->nic.set_flow(e[1].qp->qpn, {port_b, {p_.a.nic.mac, p_.a.nic.ip, port_a}});
    if (b_->dev.accept(e[1].qp, cp) != 0) throw std::runtime_error("accept: " + b_->dev.last_error());
    if (a_->dev.connect(e[0].qp, cp) != 0) throw std::runtime_error("connect: " + a_->dev.last_error());
    auto ready = [&] {
        const auto* x = a_->nic.endpoint(e[0].qp->qpn);
        const auto* y = b_->nic.endpoint(e[1].qp->qpn);
        return x && y && x->state() == proto::EndpointState::Ready && y->state() == proto::EndpointState::Ready;
    };
    if (!wait_until(ready, timeout, 100 * timing::kNs)) throw std::runtime_error("connect_pair: not ready in time");
    return {e[0], e[1]};
}

}  // namespace nicsim::sim
