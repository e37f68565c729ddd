#include "two_host_fixture.h"

namespace nicsim::testing {

sim::OpRecord op_record(sim::OpKind kind, uint32_t size, const sim::QpEnd& a, uint64_t wr_id, bool inl,
                        timing::Ps posted, timing::Ps done) {
    sim::OpRecord r;
    r.kind = kind;
    r.size = size;
    r.initiator = 0;
    r.qpn = a.qp->qpn;
    r.wr_id = wr_id;
    r.inline_data = inl;
    r.posted = posted;
    r.done = done;
    return r;
}

timing::Ps row_span(const sim::OpPath& p, const std::string& stage) {
    for (const auto& r : p.rows)
        if (r.stage == stage) return r.span();
    return 0;
}

}  // namespace nicsim::testing
