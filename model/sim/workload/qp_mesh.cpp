#include "sim/workload/qp_mesh.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace nicsim::sim {

namespace {
uint32_t pow2_at_least(uint64_t n, uint32_t floor) {
    uint32_t p = floor;
    while (p < n) p <<= 1;
    return p;
}
}  // namespace

std::vector<Flow> connections_along(const std::vector<Flow>& flows, uint32_t qps) {
    std::vector<Flow> c;
    for (const Flow& f : flows) c.insert(c.end(), qps, f);
    return c;
}

std::vector<MeshConnection> connect_mesh(Testbed& sys, const host::ConnParams& cp, const MeshShape& shape,
                                         const std::vector<Flow>& conns) {
    std::vector<MeshConnection> mesh(conns.size());
    // A send WR takes up to 4 slots (inline data); a CQ holds every completion not yet polled.
    const uint32_t sq_slots = pow2_at_least(uint64_t(shape.tx_depth) * host::ring::kMaxSlots, 64);
    const uint32_t rq_slots = pow2_at_least(uint64_t(shape.rx_depth) + 1, 16);
    const uint32_t send_cq_depth = pow2_at_least(uint64_t(shape.tx_depth) * 2, 64);
    const uint32_t recv_cq_depth = pow2_at_least(uint64_t(rq_slots) * 2, 64);
    for (size_t q = 0; q < mesh.size(); ++q) {
        mesh[q].flow = conns[q];
        if (conns[q].from == conns[q].to || std::max(conns[q].from, conns[q].to) >= sys.host_count() ||
            std::min(conns[q].from, conns[q].to) < 0)
            throw std::runtime_error("flow " + flow_name(conns[q]) + " is not between two hosts of the testbed");
        for (int i = 0; i < 2; ++i) {
            verbs::Device& d = sys.host(mesh[q].host(i)).dev;
            MeshEnd& e = mesh[q].end[i];
            e.pd = d.alloc_pd();
            e.send_cq = d.create_cq(send_cq_depth, {0, 1, false});
            e.recv_cq = d.create_cq(recv_cq_depth, {0, 1, false});
            verbs::QpInitAttr qa;
            qa.send_cq = e.send_cq;
            qa.recv_cq = e.recv_cq;
            qa.sq_slots = sq_slots;
            qa.rq_slots = rq_slots;
            e.qp = d.create_qp(e.pd, qa);
            e.buf = d.alloc_dma(2 * shape.region, 4096);
            e.mr = d.reg_mr(e.pd, e.buf, 2 * shape.region,
                            host::kLocalWrite | host::kRemoteWrite | host::kRemoteRead);
            if (!e.pd || !e.send_cq || !e.recv_cq || !e.qp || !e.mr)
                throw std::runtime_error("connecting QP " + std::to_string(q) + " (" + flow_name(conns[q]) +
                                         "): " + d.last_error());
        }
    }
    // Ports of their own, away from Testbed::connect_pair's, and new for every mesh of
    // the run (the workloads of a list each connect theirs; one system per process).
    static uint16_t next_port = 0;
    for (MeshConnection& c : mesh) {
        const uint16_t port_a = uint16_t(20000 + next_port), port_b = uint16_t(4000 + next_port);
        ++next_port;
        HostNode& from = sys.host(c.flow.from);
        HostNode& to = sys.host(c.flow.to);
        const nic::T5NicParams &pf = sys.side(c.flow.from).nic, &pt = sys.side(c.flow.to).nic;
        from.nic.set_flow(c.end[0].qp->qpn, {port_a, {pt.mac, pt.ip, port_b}});
        to.nic.set_flow(c.end[1].qp->qpn, {port_b, {pf.mac, pf.ip, port_a}});
        if (to.dev.accept(c.end[1].qp, cp) != 0) throw std::runtime_error("accept: " + to.dev.last_error());
        if (from.dev.connect(c.end[0].qp, cp) != 0) throw std::runtime_error("connect: " + from.dev.last_error());
    }
    auto ready = [&] {
        for (const MeshConnection& c : mesh) {
            const auto* x = sys.host(c.flow.from).nic.endpoint(c.end[0].qp->qpn);
            const auto* y = sys.host(c.flow.to).nic.endpoint(c.end[1].qp->qpn);
            if (!x || !y || x->state() != proto::EndpointState::Ready || y->state() != proto::EndpointState::Ready)
                return false;
        }
        return true;
    };
    const uint64_t n = std::max<size_t>(mesh.size(), 1);
    if (!sys.wait_until(ready, 100 * timing::kUs * n, 100 * timing::kNs))
        throw std::runtime_error("the QPs did not connect within " + std::to_string(100 * n) + " us");
    return mesh;
}

verbs::SendWr make_wr(OpKind kind, uint64_t wr_id, const MeshEnd& from, const MeshEnd& to, uint64_t region,
                      uint32_t size, uint32_t inline_max) {
    verbs::SendWr wr;
    wr.wr_id = wr_id;
    const bool inl = kind != OpKind::Read && size <= inline_max;
    wr.send_flags = verbs::IBV_SEND_SIGNALED | (inl ? uint32_t(verbs::IBV_SEND_INLINE) : 0u);
    switch (kind) {
        case OpKind::Write:
            wr.opcode = verbs::WrOpcode::RdmaWrite;
            wr.sg_list = {{from.source(region), size, inl ? 0 : from.mr->lkey}};
            wr.remote_addr = to.sink();
            wr.rkey = to.mr->rkey;
            break;
        case OpKind::Read:
            wr.opcode = verbs::WrOpcode::RdmaRead;
            wr.sg_list = {{from.sink(), size, from.mr->lkey}};
            wr.remote_addr = to.source(region);
            wr.rkey = to.mr->rkey;
            break;
        case OpKind::Send:
            wr.opcode = verbs::WrOpcode::Send;
            wr.sg_list = {{from.source(region), size, inl ? 0 : from.mr->lkey}};
            break;
    }
    return wr;
}

void wait_receives_fetched(Testbed& sys, int i, uint64_t fetched_before, uint64_t count, timing::Ps patience) {
    const auto fetched = [&] { return sys.host(i).nic.stats().recv_prefetches - fetched_before >= count; };
    if (!sys.wait_until(fetched, patience, 100 * timing::kNs))
        throw std::runtime_error("the NIC did not fetch the " + std::to_string(count) + " posted receives");
}

std::vector<verbs::WorkCompletion> drain_cq(HostNode& h, verbs::Cq* cq) {
    std::vector<verbs::WorkCompletion> out;
    verbs::WorkCompletion wc[32];
    for (;;) {
        const int n = h.dev.poll_cq(cq, 32, wc);
        for (int k = 0; k < n; ++k) {
            if (wc[k].status != verbs::WcStatus::Success)
                throw std::runtime_error(std::string("work request ") + std::to_string(wc[k].wr_id) + " completed with " +
                                         host::ring::status_name(wc[k].status));
            out.push_back(wc[k]);
        }
        if (n < 32) return out;
    }
}

}  // namespace nicsim::sim
