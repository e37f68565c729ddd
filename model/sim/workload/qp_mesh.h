// The connections a workload runs over: QPs along its flows (flows.h), each from an initiator
// host to a target host, each end with its own send and receive CQ (polled, no interrupts) and
// one registered buffer laid out as [0, region) = where the peer's data lands,
// [region, 2 region) = what this end sends.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/testbed.h"
#include "sim/workload/flows.h"
#include "sim/workload/op_record.h"

namespace nicsim::sim {


struct MeshEnd {
    verbs::Pd* pd = nullptr;
    verbs::Cq* send_cq = nullptr;
    verbs::Cq* recv_cq = nullptr;
    verbs::Qp* qp = nullptr;
    verbs::Mr* mr = nullptr;
    uint64_t buf = 0;
    uint64_t sink() const { return buf; }            // the peer writes/sends here; reads come here
    uint64_t source(uint64_t region) const { return buf + region; }  // sent, written or read from here
};

struct MeshConnection {
    Flow flow;       // end[0] is at host flow.from (the initiator), end[1] at flow.to
    MeshEnd end[2];
    int host(int side) const { return side == 0 ? flow.from : flow.to; }
};

// One entry per connection: `qps` connections along each flow, flow by flow.
std::vector<Flow> connections_along(const std::vector<Flow>& flows, uint32_t qps);

struct MeshShape {
    uint64_t region = 1 << 20;  // bytes per buffer half (>= the largest message)
    uint32_t tx_depth = 1;      // outstanding send WRs per QP (sizes the SQ and CQs)
    uint32_t rx_depth = 0;      // receives kept posted per QP (sizes the RQ)
};

// Creates one connection per entry of `conns` (the target accepts, the initiator connects, all
// at once) and waits until every endpoint is ready. Runs in the system's body thread (it
// waits). Throws std::runtime_error.
std::vector<MeshConnection> connect_mesh(Testbed& sys, const host::ConnParams& cp, const MeshShape& shape,
                                         const std::vector<Flow>& conns);

// The work request for one operation from `from` to its peer `to` (a Read fetches the peer's
// source half into our sink half). Up to `inline_max` bytes go inline (never a Read).
verbs::SendWr make_wr(OpKind kind, uint64_t wr_id, const MeshEnd& from, const MeshEnd& to, uint64_t region,
                      uint32_t size, uint32_t inline_max);

// Waits (like perftest's out-of-band sync before the first iteration) until host i's NIC has
// fetched `count` more receive WQEs than `fetched_before` (its recv_prefetches counter): an
// iWARP Send that finds no receive tears the connection down. Throws after `patience`.
void wait_receives_fetched(Testbed& sys, int i, uint64_t fetched_before, uint64_t count, timing::Ps patience);

// Polls one CQ without waiting; throws std::runtime_error on an unsuccessful completion.
std::vector<verbs::WorkCompletion> drain_cq(HostNode& h, verbs::Cq* cq);

}  // namespace nicsim::sim
