// One operation a workload performed, as the host saw it: the link between the workload runner
// (which knows when the application posted and when it saw the result) and the reports that
// break the operation down stage by stage (latency budget, Perfetto trace).
#pragma once

#include <cstdint>
#include <string>

#include "timing/sim_time.h"

namespace nicsim::sim {

enum class OpKind { Write, Read, Send };

inline const char* op_kind_name(OpKind k) {
    return k == OpKind::Write ? "write" : k == OpKind::Read ? "read" : "send";
}

struct OpRecord {
    OpKind kind = OpKind::Write;
    uint32_t size = 0;          // message bytes
    int initiator = 0;          // host index (0 = a, 1 = b, ...) that posted the work request
    int target = 1;             // the host at the other end of the QP
    uint32_t qpn = 0;           // the initiator's QP number
    uint64_t wr_id = 0;         // the work request's wr_id as posted
    bool inline_data = false;   // posted with IBV_SEND_INLINE
    timing::Ps posted = 0;      // the application called post_send
    // The application saw the result: for a Write, the peer's CPU saw the last byte in its
    // buffer; for a Send, the peer polled the receive CQE; for a Read, the initiator saw the
    // last byte of the response data (or polled the CQE when the workload polls completions).
    timing::Ps done = 0;
};

}  // namespace nicsim::sim
