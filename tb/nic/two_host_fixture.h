// Helpers shared by the two-host NIC tests: byte patterns, posting verbs WRs, and OpRecords
// for the per-stage latency breakdown of one message (model/sim/report/critical_path.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/report/critical_path.h"
#include "sim/testbed.h"
#include "sim/workload/op_record.h"

namespace nicsim::testing {

namespace verbs = host::verbs;

inline std::vector<uint8_t> pattern(size_t n, uint32_t seed) {
    std::vector<uint8_t> v(n);
    uint32_t x = seed * 2654435761u + 1;
    for (auto& b : v) {
        x = x * 1103515245u + 12345u;
        b = uint8_t(x >> 16);
    }
    return v;
}

inline verbs::SendWr write_wr(uint64_t id, const sim::QpEnd& src, uint64_t src_off, uint32_t len,
                              const sim::QpEnd& dst, uint64_t dst_off, bool inl = false) {
    verbs::SendWr w;
    w.wr_id = id;
    w.opcode = verbs::WrOpcode::RdmaWrite;
    w.send_flags = verbs::IBV_SEND_SIGNALED | (inl ? uint32_t(verbs::IBV_SEND_INLINE) : 0u);
    w.sg_list = {{src.buf + src_off, len, inl ? 0 : src.mr->lkey}};
    w.remote_addr = dst.buf + dst_off;
    w.rkey = dst.mr->rkey;
    return w;
}

inline verbs::SendWr send_wr(uint64_t id, const sim::QpEnd& src, uint64_t src_off, uint32_t len) {
    verbs::SendWr w;
    w.wr_id = id;
    w.opcode = verbs::WrOpcode::Send;
    w.sg_list = {{src.buf + src_off, len, src.mr->lkey}};
    return w;
}

// One op from host A as the latency budget sees it (sim::critical_path breaks it down).
sim::OpRecord op_record(sim::OpKind kind, uint32_t size, const sim::QpEnd& a, uint64_t wr_id, bool inl,
                        timing::Ps posted, timing::Ps done);

// The span of a path's row by stage name (0 if the path has no such row).
timing::Ps row_span(const sim::OpPath& p, const std::string& stage);

}  // namespace nicsim::testing
