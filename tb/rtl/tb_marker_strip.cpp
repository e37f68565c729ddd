// Constrained-random regression of rtl/mpa_marker_strip.v against model/proto
// (mpa_frame_fpdu with markers, strip_markers, fpduptr_for). A third of the FPDUs carry one
// corrupted byte: in a marker's reserved half (must be flagged), in its FPDUPTR (flagged unless
// only the two ignored LSBs changed) or anywhere else (passes through, not flagged).
#include "tb_common.h"
#include "tb_model.h"

#include "islands/stream_timing.h"
#include "proto/mpa_fpdu.h"
#include "proto/mpa_markers.h"

using namespace tbrtl;
using namespace nicsim;

namespace {

constexpr unsigned W = TB_WIDTH;
using Top = TB_MODEL;

struct Expected {
    Bytes clean;
    bool flag;
};

Failure run_phase(Harness<Top>& h, Rng& rng, const Options& opt, bool markers, bool full_rate, RunTotals& tot) {
    std::vector<InPacket> in;
    std::vector<Expected> want;
    unsigned n = std::max(1u, opt.packets / 4);
    uint64_t pos = rng.below(128) * 4;
    for (unsigned i = 0; i < n; ++i) {
        pos = next_stream_offset(rng, pos);
        size_t len = boundary_ulpdu(rng, ulpdu_cap(rng.ulpdu_length(opt.max_ulpdu, W), markers), pos, markers);
        proto::MpaFramingOptions fo;
        fo.markers = markers;
        Bytes raw = proto::mpa_frame_fpdu(rng.bytes(len), fo, pos);
        if (markers && rng.chance(0.3)) {
            uint64_t first = proto::next_marker_offset(pos);
            switch (rng.below(3)) {
                case 0:  // reserved half of a marker
                    if (first < pos + raw.size()) {
                        uint64_t m = first + 512 * rng.below((pos + raw.size() - first + 511) / 512);
                        if (m < pos + raw.size()) raw[m - pos + rng.below(2)] ^= uint8_t(rng.range(1, 255));
                    }
                    break;
                case 1:  // FPDUPTR of a marker, sometimes only the ignored LSBs
                    if (first < pos + raw.size()) {
                        uint64_t m = first + 512 * rng.below((pos + raw.size() - first + 511) / 512);
                        if (m < pos + raw.size()) raw[m - pos + 2 + rng.below(2)] ^= uint8_t(rng.range(1, 255));
                        if (m < pos + raw.size() && rng.chance(0.3)) raw[m - pos + 3] ^= uint8_t(rng.range(1, 3));
                    }
                    break;
                default:
                    raw[rng.below(raw.size())] ^= uint8_t(rng.range(1, 255));
            }
        }
        Expected e{{}, false};
        if (markers) {
            std::vector<proto::SeenMarker> seen;
            proto::strip_markers(raw, pos, e.clean, seen);
            for (auto& m : seen)
                if (m.reserved != 0 || (m.fpduptr & ~3u) != proto::fpduptr_for(pos, m.stream_offset)) e.flag = true;
        } else {
            e.clean = raw;
        }
        in.push_back({raw, pos});
        want.push_back(e);
        pos += raw.size();
    }
    Top& top = h.top();
    top.cfg_markers = markers;
    double p_idle = opt.idle_p(rng, full_rate);
    double p_bp = opt.bp_p(rng, full_rate);
    std::vector<OutPacket> out;
    Failure f;
    PhaseStats st = stream<Top, W>(
        h, rng, in, in.size(), p_idle, p_bp,
        [](Top& t, const InPacket& p, bool) { t.s_pos = uint32_t(p.pos % 512); },
        [](Top& t, OutPacket& o) { o.flag = t.m_marker_err; }, out, f);
    std::string phase = std::string(markers ? "markers-on" : "markers-off") + (full_rate ? "/full-rate" : "/random-rate");
    if (f.failed) return {true, phase + ": " + f.what};
    if (opt.verbose) print_phase("mpa_marker_strip", W, phase, p_idle, p_bp, st.cycles, st.in_beats, st.out_beats, st.in_stalls);
    for (size_t i = 0; i < want.size(); ++i) {
        std::string at = phase + ": packet " + std::to_string(i) + " at stream offset " + std::to_string(in[i].pos);
        if (out[i].bytes != want[i].clean) return {true, at + ": " + hex_diff(out[i].bytes, want[i].clean)};
        if (out[i].flag != want[i].flag)
            return {true, at + ": m_marker_err " + std::to_string(out[i].flag) + ", golden " + std::to_string(want[i].flag)};
    }
    if (full_rate) {  // input accepted every cycle; exact exit cycles
        std::vector<size_t> lens;
        std::vector<uint64_t> offs;
        for (auto& p : in) {
            lens.push_back(p.bytes.size());
            offs.push_back(p.pos);
        }
        auto eop = islands::marker_strip_eop_cycles(lens, offs, markers, W);
        for (size_t i = 0; i < eop.size(); ++i)
            if (out[i].eop_cycle != eop[i])
                return {true, phase + ": packet " + std::to_string(i) + " left in cycle " +
                                  std::to_string(out[i].eop_cycle) + ", documented " + std::to_string(eop[i])};
        if (st.in_stalls) return {true, phase + ": input stalled at full rate"};
    }
    tot.cycles += st.cycles;
    tot.in_beats += st.in_beats;
    tot.out_beats += st.out_beats;
    tot.packets += in.size();
    for (auto& w : want) tot.flagged += w.flag;
    return {};
}

}  // namespace

int main(int argc, char** argv) {
    Verilated::commandArgs(argc, argv);
    Options opt = parse_options(argc, argv);
    return run_main<Top>("mpa_marker_strip", W, opt, [&](Harness<Top>& h, Rng& rng, RunTotals& tot) -> Failure {
        const bool phases[][2] = {{true, true}, {true, false}, {false, true}, {true, false}};
        for (auto& p : phases) {
            Failure f = run_phase(h, rng, opt, p[0], p[1], tot);
            if (f.failed) return f;
        }
        return {};
    });
}
