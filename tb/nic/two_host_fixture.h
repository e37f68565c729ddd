// Helpers shared by the two-host NIC tests: byte patterns, posting verbs WRs, and the
// per-stage latency breakdown of one message.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/two_host_system.h"

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

// One message's life from post_send at host A to its placement in host B's memory.
struct LatencyBreakdown {
    std::vector<std::pair<std::string, timing::Ps>> rows;  // stage, time spent
    timing::Ps total = 0;                                  // post -> placement visible
    timing::Ps to_cqe = 0;                                 // post -> B polled its CQE (set by the test)
    bool complete = false;
    std::string why;  // what was missing if !complete
    std::string table() const;
};

// Reads the NIC traces of both hosts (T5NicParams::trace must be on) for the first data
// frame A sent after `t_post` and the placement it caused at B.
LatencyBreakdown breakdown(sim::TwoHostSystem& sys, timing::Ps t_post, uint64_t wr_id);

}  // namespace nicsim::testing
