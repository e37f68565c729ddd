// Helpers for the RDMA-semantics tests through the timed two-host system: connections with
// different MPA/IRD/ORD parameters at each end and separate send/receive CQs, verbs WR
// builders, and tshark rows with every occurrence of a field (several FPDUs per frame).
#pragma once

#include <cstdint>
#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

#include "tshark_oracle.h"
#include "two_host_fixture.h"

namespace nicsim::testing {

// One end of a connection: its QP with separate send and receive CQs and one buffer.
struct SemEnd {
    verbs::Pd* pd = nullptr;
    verbs::Cq* scq = nullptr;
    verbs::Cq* rcq = nullptr;
    verbs::Qp* qp = nullptr;
    uint64_t buf = 0;
    verbs::Mr* mr = nullptr;
    uint32_t qpn() const { return qp->qpn; }
};

struct SemConn {
    SemEnd e[2];  // [0] at host A (initiator), [1] at host B (responder)
};

// Connects a fresh QP pair: B accepts with `responder`, A connects with `initiator`; waits
// until both endpoints are ready. `index` picks distinct TCP ports per connection.
inline SemConn connect_sem(sim::Testbed& sys, const host::ConnParams& initiator,
                           const host::ConnParams& responder, uint16_t index, uint64_t buf_len = 1 << 20,
                           const verbs::CqAttr& rcq_attr = {0, 0, false}) {
    SemConn c;
    for (int i = 0; i < 2; ++i) {
        verbs::Device& d = sys.host(i).dev;
        SemEnd& e = c.e[i];
        e.pd = d.alloc_pd();
        e.scq = d.create_cq(1024, {0, 0, false});
        e.rcq = d.create_cq(1024, rcq_attr);
        verbs::QpInitAttr qa;
        qa.send_cq = e.scq;
        qa.recv_cq = e.rcq;
        e.qp = d.create_qp(e.pd, qa);
        e.buf = d.alloc_dma(buf_len, 4096);
        e.mr = d.reg_mr(e.pd, e.buf, buf_len, host::kLocalWrite | host::kRemoteWrite | host::kRemoteRead);
        if (!e.scq || !e.rcq || !e.qp || !e.mr) throw std::runtime_error("connect_sem: " + d.last_error());
    }
    const auto& pa = sys.params().hosts[0].nic;
    const auto& pb = sys.params().hosts[1].nic;
    const uint16_t port_a = uint16_t(40000 + index), port_b = uint16_t(9000 + index);
    sys.a().nic.set_flow(c.e[0].qpn(), {port_a, {pb.mac, pb.ip, port_b}});
    sys.b().nic.set_flow(c.e[1].qpn(), {port_b, {pa.mac, pa.ip, port_a}});
    if (sys.b().dev.accept(c.e[1].qp, responder) != 0) throw std::runtime_error("accept: " + sys.b().dev.last_error());
    if (sys.a().dev.connect(c.e[0].qp, initiator) != 0) throw std::runtime_error("connect: " + sys.a().dev.last_error());
    auto ready = [&] {
        const auto* x = sys.a().nic.endpoint(c.e[0].qpn());
        const auto* y = sys.b().nic.endpoint(c.e[1].qpn());
        // Without an RTR (MPA rev 1) the responder waits for the initiator's first FPDU.
        return x && y && x->state() == proto::EndpointState::Ready &&
               (y->state() == proto::EndpointState::Ready || y->state() == proto::EndpointState::AwaitFirstFpdu);
    };
    if (!sys.wait_until(ready, 200 * timing::kUs, 100 * timing::kNs))
        throw std::runtime_error("connect_sem: not ready in time");
    return c;
}

inline verbs::SendWr read_wr(uint64_t id, uint64_t sink, uint32_t len, uint32_t lkey, uint64_t remote, uint32_t rkey) {
    verbs::SendWr w;
    w.wr_id = id;
    w.opcode = verbs::WrOpcode::RdmaRead;
    if (len) w.sg_list = {{sink, len, lkey}};
    w.remote_addr = remote;
    w.rkey = rkey;
    return w;
}

inline verbs::SendWr rdma_write_wr(uint64_t id, uint64_t src, uint32_t len, uint32_t lkey, uint64_t remote,
                                   uint32_t rkey) {
    verbs::SendWr w;
    w.wr_id = id;
    w.opcode = verbs::WrOpcode::RdmaWrite;
    if (len) w.sg_list = {{src, len, lkey}};
    w.remote_addr = remote;
    w.rkey = rkey;
    return w;
}

inline verbs::SendWr any_send_wr(uint64_t id, verbs::WrOpcode op, uint64_t src, uint32_t len, uint32_t lkey,
                                 uint32_t invalidate = 0) {
    verbs::SendWr w;
    w.wr_id = id;
    w.opcode = op;
    if (len) w.sg_list = {{src, len, lkey}};
    w.invalidate_rkey = invalidate;
    return w;
}

// Polls `cq` at host i until n completions arrived (or the timeout passed).
inline std::vector<verbs::WorkCompletion> poll_n(sim::Testbed& sys, int i, verbs::Cq* cq, size_t n,
                                                 timing::Ps timeout = 200'000 * timing::kUs) {
    return sys.poll(i, cq, int(n), timeout, 1 * timing::kUs);
}

// A scratch directory for captures, removed by the caller.
inline std::string sem_temp_dir(const std::string& tag) {
    auto dir = std::filesystem::temp_directory_path() /
               ("nicsim-sem-" + tag + "-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    return dir.string();
}

// The start of a tshark-checked test: tshark must be there, a scratch folder, and testbed
// parameters that capture host `host`'s port into it (cap.pcap).
struct SemCapture {
    std::string dir, pcap;
    sim::TestbedParams params;
};
inline SemCapture sem_capture(const std::string& tag, int host) {
    if (!test::tshark_available()) FAIL("tshark not found on PATH: run scripts/setup");
    timing::init_time_resolution();
    SemCapture c;
    c.dir = sem_temp_dir(tag);
    c.pcap = c.dir + "/port_" + sim::host_name(host) + ".pcap";
    c.params.pcaps[size_t(host)] = c.pcap;
    return c;
}

// tshark -T fields rows, each field split into its occurrences (one per FPDU in the frame).
inline std::vector<std::vector<std::vector<std::string>>> tshark_occurrences(const std::string& pcap,
                                                                            const std::string& filter,
                                                                            const std::vector<std::string>& fields) {
    std::string args = "-Y '" + filter + "' -T fields -E separator='|' -E occurrence=a -E aggregator=','";
    for (const std::string& f : fields) args += " -e " + f;
    std::istringstream in(test::tshark(pcap, args));
    std::vector<std::vector<std::vector<std::string>>> rows;
    std::string line;
    while (std::getline(in, line)) {
        std::vector<std::vector<std::string>> row;
        std::istringstream cells(line);
        std::string cell;
        while (std::getline(cells, cell, '|')) {
            std::vector<std::string> occ;
            std::istringstream parts(cell);
            std::string v;
            while (std::getline(parts, v, ',')) occ.push_back(v);
            row.push_back(occ);
        }
        while (row.size() < fields.size()) row.emplace_back();
        rows.push_back(row);
    }
    return rows;
}

}  // namespace nicsim::testing
