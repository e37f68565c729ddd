#include "sim/two_host_system.h"

#include <stdexcept>

namespace nicsim::sim {

using timing::Ps;

namespace {

proto::MacAddress mac(uint8_t last) {
    proto::MacAddress m;
    m.octets = {0x02, 0x00, 0x00, 0x00, 0x00, last};
    return m;
}

Ps ps(const config::Config& c, const std::string& key) { return static_cast<Ps>(c.get_ps(key)); }
uint32_t u32(const config::Config& c, const std::string& key) { return static_cast<uint32_t>(c.get_int(key)); }

proto::TcpConfig tcp_from(const config::Config& c) {
    proto::TcpConfig t;
    t.mss = static_cast<uint16_t>(c.get_int("nic.tcp.mss"));
    t.window_scaling = c.get_bool("nic.tcp.window_scaling");
    t.window_scale_shift = static_cast<uint8_t>(c.get_int("nic.tcp.window_scale_shift"));
    t.timestamps = c.get_bool("nic.tcp.timestamps");
    t.timestamp_tick_ps = ps(c, "nic.tcp.timestamp_tick_ps");
    t.receive_buffer = u32(c, "nic.tcp.receive_buffer_bytes");
    t.delayed_ack_segments = u32(c, "nic.tcp.delayed_ack_segments");
    t.delayed_ack_timeout_ps = ps(c, "nic.tcp.delayed_ack_timeout_ps");
    t.initial_rto_ps = ps(c, "nic.tcp.initial_rto_ps");
    t.min_rto_ps = ps(c, "nic.tcp.min_rto_ps");
    t.max_rto_ps = ps(c, "nic.tcp.max_rto_ps");
    t.clock_granularity_ps = ps(c, "nic.tcp.clock_granularity_ps");
    t.rto_after_syn_loss_ps = ps(c, "nic.tcp.rto_after_syn_loss_ps");
    t.max_retransmissions = u32(c, "nic.tcp.max_retransmissions");
    t.max_syn_retries = u32(c, "nic.tcp.max_syn_retries");
    t.initial_cwnd_segments = u32(c, "nic.tcp.initial_cwnd_segments");
    t.initial_ssthresh = u32(c, "nic.tcp.initial_ssthresh_bytes");
    t.dupack_threshold = u32(c, "nic.tcp.dupack_threshold");
    t.record_packing = c.get_string("nic.tcp.record_packing") == "pack_to_emss" ? proto::TcpRecordPacking::PackToEmss
                                                                              : proto::TcpRecordPacking::OnePerSegment;
    t.time_wait_ps = ps(c, "nic.tcp.time_wait_ps");
    return t;
}

HostSideParams side_from(const config::Config& c) {
    HostSideParams s;
    s.pcie.gen = int(c.get_int("pcie.gen"));
    s.pcie.lanes = int(c.get_int("pcie.lanes"));
    s.pcie.mps = u32(c, "pcie.mps");
    s.pcie.mrrs = u32(c, "pcie.mrrs");
    s.pcie.rcb = u32(c, "pcie.rcb");
    s.pcie.rcb_chunks = c.get_bool("pcie.rcb_chunks");
    s.pcie.addr64 = c.get_bool("pcie.addr64");
    s.pcie.ecrc = c.get_bool("pcie.ecrc");
    s.pcie.max_read_tags = u32(c, "pcie.tags");
    s.pcie.rc_posted_hdr_credits = u32(c, "pcie.fc.ph");
    s.pcie.rc_posted_data_credits = u32(c, "pcie.fc.pd");
    s.pcie.rc_nonposted_hdr_credits = u32(c, "pcie.fc.nph");
    s.pcie.fc_update_latency = ps(c, "pcie.fc.update_latency_ps");
    s.pcie.link_latency = ps(c, "pcie.link_latency_ps");
    const Ps rd = ps(c, "pcie.rc.read_latency_ps");
    s.pcie.rc_read_latency = c.get_string("pcie.rc.read_latency_dist") == "pciebench_e5_64b"
                                 ? pcie::LatencyDist::pciebench_e5_64b(int64_t(rd) - int64_t(450 * timing::kNs))
                                 : pcie::LatencyDist::constant(rd);
    s.pcie.rc_write_latency = ps(c, "pcie.rc.write_latency_ps");
    s.pcie.mmio_latency = ps(c, "pcie.mmio_latency_ps");
    s.pcie.msix_base = static_cast<uint64_t>(c.get_int("pcie.msix_base"));
    s.pcie.seed = static_cast<uint64_t>(c.get_int("pcie.seed"));
    s.mem.read_latency = ps(c, "host.mem.read_latency_ps");
    s.mem.write_latency = ps(c, "host.mem.write_latency_ps");
    const std::string& db = c.get_string("host.doorbell");
    s.driver.doorbell = db == "plain" ? verbs::DoorbellMode::Plain
                        : db == "push" ? verbs::DoorbellMode::Push
                                       : verbs::DoorbellMode::Auto;
    s.driver.post_cpu_ps = ps(c, "host.post_cpu_ps");
    s.driver.irq_latency = ps(c, "host.irq_latency_ps");
    s.driver.dma_base = static_cast<uint64_t>(c.get_int("host.dma_base"));
    s.sge.clock_mhz = c.get_double("nic.core.clock_mhz");
    s.sge.beat_bytes = u32(c, "nic.core.width_bytes");
    s.sge.doorbell_cycles = u32(c, "nic.sge.doorbell_cycles");
    s.sge.wr_parse_cycles = u32(c, "nic.sge.wr_parse_cycles");
    s.sge.cqe_cycles = u32(c, "nic.sge.cqe_cycles");
    s.sge.fetch_max_slots = u32(c, "nic.sge.fetch_max_slots");
    for (size_t i = 0; i < s.sge.holdoff.size(); ++i)
        s.sge.holdoff[i] = ps(c, "nic.sge.holdoff_timer" + std::to_string(i) + "_ps");
    s.sge.max_qps = u32(c, "nic.sge.max_qps");
    s.sge.max_cqs = u32(c, "nic.sge.max_cqs");
    s.sge.max_ird_ord = static_cast<uint8_t>(c.get_int("nic.max_ird_ord"));
    s.nic.pipeline = nic::nic_pipeline_from_config(c);
    s.nic.tcp = tcp_from(c);
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
    p.link.rate_gbps = c.get_double("nic.mac.rate_gbps");
    p.link.propagation = ps(c, "net.link.propagation_ps");
    p.use_switch = c.get_bool("net.switch.enabled");
    p.sw.latency = ps(c, "net.switch.latency_ps");
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
