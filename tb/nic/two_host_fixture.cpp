#include "two_host_fixture.h"

#include <cstdio>

namespace nicsim::testing {

using timing::Ps;

std::string LatencyBreakdown::table() const {
    std::string out;
    char line[160];
    for (const auto& [name, t] : rows) {
        std::snprintf(line, sizeof line, "  %-44s %9.1f ns\n", name.c_str(), double(t) / 1000.0);
        out += line;
    }
    std::snprintf(line, sizeof line, "  %-44s %9.1f ns\n", "TOTAL post -> data in B's memory", double(total) / 1000.0);
    out += line;
    if (to_cqe) {
        std::snprintf(line, sizeof line, "  %-44s %9.1f ns\n", "post -> B polls the receive CQE", double(to_cqe) / 1000.0);
        out += line;
    }
    return out;
}

LatencyBreakdown breakdown(sim::TwoHostSystem& sys, Ps t_post, uint64_t wr_id) {
    LatencyBreakdown r;
    const nic::NicTrace& ta = sys.a().nic.trace();
    const nic::NicTrace& tb = sys.b().nic.trace();
    const nic::WorkRecord* work = nullptr;
    for (const auto& w : ta.works)
        if (w.wr_id == wr_id && w.ready >= t_post) {
            work = &w;
            break;
        }
    Ps doorbell = 0;
    for (Ps t : ta.sq_doorbells)
        if (t >= t_post) {
            doorbell = t;
            break;
        }
    const nic::TxFrameRecord* tx = nullptr;
    for (const auto& f : ta.tx)
        if (f.payload > 0 && f.emitted >= t_post) {
            tx = &f;
            break;
        }
    if (!work || !doorbell || !tx) {
        r.why = "no work/doorbell/tx record";
        return r;
    }
    const nic::RxFrameRecord* rx = nullptr;
    for (const auto& f : tb.rx)
        if (f.frame_id == tx->frame_id) rx = &f;
    if (!rx) {
        r.why = "frame not received";
        return r;
    }
    const nic::PlacementRecord* pl = nullptr;
    for (const auto& p : tb.placements)
        if (p.issued >= rx->delivered) {
            pl = &p;
            break;
        }
    if (!pl || !pl->done) {
        r.why = "no placement";
        return r;
    }
    const auto& tx_stages = sys.a().nic.params().pipeline.tx;
    const auto& rx_stages = sys.b().nic.params().pipeline.rx;
    Ps at = t_post;
    auto row = [&](const std::string& name, Ps until) {
        r.rows.push_back({name, until - at});
        at = until;
    };
    row("host: write WR + doorbell MMIO to the NIC", doorbell);
    row(work->pushed ? "SGE: decode pushed WR, parse" : "SGE: decode doorbell, fetch WR (DMA), parse", work->ready);
    if (work->payload_last) row("SGE: payload beats (gather/inline)", std::max(work->payload_last, at));
    row("NIC: segment ready -> offered to ULP_TX", std::max(tx->offered, at));
    for (size_t s = 0; s < tx_stages.size(); ++s)
        row("TX " + tx_stages[s].name + " (first beat out)", tx->chain.stages[s].first_out);
    row("MAC -> first byte on the wire (preamble)", tx->wire_first_byte);
    row("wire: propagation", rx->first_byte);
    for (size_t s = 0; s < rx_stages.size(); ++s)
        row("RX " + rx_stages[s].name + (s == 0 ? " (whole frame in, last beat out)" : " (last beat out)"),
            rx->chain.stages[s].last_out);
    row("TPT -> endpoint -> placement DMA issued", pl->issued);
    row("placement DMA write (PCIe MWr) visible", pl->done);
    r.total = pl->done - t_post;
    r.complete = true;
    return r;
}

}  // namespace nicsim::testing
