#include "sim/testbed.h"

#include <algorithm>
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

std::string host_name(int index) {
    if (index >= 0 && index < 26) return std::string(1, char('a' + index));
    return "h" + std::to_string(index);
}

TestbedParams::TestbedParams(int n) : hosts(size_t(std::max(n, 0))), pcaps(size_t(std::max(n, 0))) {
    for (size_t i = 0; i < hosts.size(); ++i) {
        hosts[i].nic.mac = mac(uint8_t(0x0a + i));
        hosts[i].nic.ip = proto::Ipv4Address{uint32_t(0x0A000001 + i)};
        // Frame ids unique across the system: a receiver's trace is keyed by them.
        hosts[i].nic.first_frame_id = (uint64_t(i) << 48) + 1;
    }
}

TestbedParams TestbedParams::from_config(const config::Config& c, int n) {
    TestbedParams p(n);
    for (HostSideParams& s : p.hosts) {
        HostSideParams x = side_from(c);
        x.nic.mac = s.nic.mac;
        x.nic.ip = s.nic.ip;
        x.nic.first_frame_id = s.nic.first_frame_id;
        s = x;
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

namespace {
const TestbedParams& checked(const TestbedParams& p) {
    const int n = int(p.hosts.size());
    if (n < 2 || n > kMaxHosts)
        throw std::invalid_argument("the testbed needs 2 to " + std::to_string(kMaxHosts) + " hosts, got " +
                                    std::to_string(n));
    if (n > 2 && !p.use_switch)
        throw std::invalid_argument(std::to_string(n) + " hosts need the switch (net.switch.enabled: true); only two can be back to back");
    return p;
}
}  // namespace

Testbed::Testbed(sc_core::sc_module_name name, const TestbedParams& p) : sc_core::sc_module(name), p_(checked(p)) {
    const size_t n = p_.hosts.size();
    p_.pcaps.resize(n);
    for (size_t i = 0; i < n; ++i) {
        hosts_.push_back(std::make_unique<HostNode>(host_name(int(i)).c_str(), p_.hosts[i]));
        tx_.push_back(std::make_unique<net::EthernetLink>((host_name(int(i)) + "_tx").c_str(), p_.link));
        hosts_[i]->nic.attach_tx(*tx_[i]);
    }
    // The link each port receives from: the peer's TX link, or the switch port facing it.
    rx_.resize(n);
    if (p_.use_switch) {
        sw_ = std::make_unique<net::CutThroughSwitch>("sw", p_.sw);
        for (size_t i = 0; i < n; ++i) {
            rx_[i] = &sw_->egress(sw_->add_port(p_.hosts[i].nic.mac, p_.link));
            tx_[i]->set_receiver([this](const net::FrameArrival& f) { sw_->receive(f); });
        }
    } else {
        rx_[0] = tx_[1].get();
        rx_[1] = tx_[0].get();
    }
    for (size_t i = 0; i < n; ++i) {
        HostNode* h = hosts_[i].get();
        rx_[i]->set_receiver([h](const net::FrameArrival& f) { h->nic.receive(f); });
        if (p_.pcaps[i].empty()) continue;
        taps_.push_back(std::make_unique<net::PcapTap>(p_.pcaps[i]));
        taps_.back()->attach(*tx_[i]);
        taps_.back()->attach(*rx_[i]);
    }
    SC_HAS_PROCESS(Testbed);
    SC_THREAD(run);
}

bool Testbed::open_island_waves(const std::string& dir) {
    bool any = false;
    for (int i = 0; i < host_count(); ++i) any |= host(i).nic.mpa_check().open_waves(dir + "/" + host_name(i));
    return any;
}

void Testbed::close_pcaps() {
    for (auto& t : taps_) t->close();
}

void Testbed::run() {
    if (body) body();
}

bool Testbed::wait_until(const std::function<bool()>& pred, Ps timeout, Ps period) {
    const Ps end = timing::now_ps() + timeout;
    while (!pred()) {
        if (timing::now_ps() >= end) return false;
        sc_core::wait(timing::to_sc(period));
    }
    return true;
}

std::vector<verbs::WorkCompletion> Testbed::poll(int i, verbs::Cq* cq, int n, Ps timeout, Ps period) {
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

std::pair<QpEnd, QpEnd> Testbed::connect_pair(const host::ConnParams& cp, uint64_t buf_len, Ps timeout, int from,
                                               int to) {
    if (from == to || from < 0 || to < 0 || from >= host_count() || to >= host_count())
        throw std::invalid_argument("connect_pair: no such pair of hosts");
    HostNode* ends[2] = {&host(from), &host(to)};
    QpEnd e[2];
    for (int i = 0; i < 2; ++i) {
        verbs::Device& d = ends[i]->dev;
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
    const nic::T5NicParams &pa = side(from).nic, &pb = side(to).nic;
    ends[0]->nic.set_flow(e[0].qp->qpn, {port_a, {pb.mac, pb.ip, port_b}});
    ends[1]->nic.set_flow(e[1].qp->qpn, {port_b, {pa.mac, pa.ip, port_a}});
    if (ends[1]->dev.accept(e[1].qp, cp) != 0) throw std::runtime_error("accept: " + ends[1]->dev.last_error());
    if (ends[0]->dev.connect(e[0].qp, cp) != 0) throw std::runtime_error("connect: " + ends[0]->dev.last_error());
    auto ready = [&] {
        const auto* x = ends[0]->nic.endpoint(e[0].qp->qpn);
        const auto* y = ends[1]->nic.endpoint(e[1].qp->qpn);
        return x && y && x->state() == proto::EndpointState::Ready && y->state() == proto::EndpointState::Ready;
    };
    if (!wait_until(ready, timeout, 100 * timing::kNs)) throw std::runtime_error("connect_pair: not ready in time");
    return {e[0], e[1]};
}

}  // namespace nicsim::sim
