// Constrained-random regression of rtl/mpa_marker_insert.v against model/proto
// (insert_markers, fpduptr_for via mpa_frame_fpdu's framing). FPDUs of every size from the
// 8-byte minimum to 64 KiB follow each other in one stream that starts at a random marker
// phase and sometimes jumps (a retransmission starts elsewhere); phases run at full rate
// (where the documented cycle contract is checked exactly) and with random idle beats and
// backpressure, with markers on and off.
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

Failure run_phase(Harness<Top>& h, Rng& rng, const Options& opt, bool markers, bool full_rate, RunTotals& tot) {
    std::vector<InPacket> in;
    std::vector<Bytes> want;
    unsigned n = std::max(1u, opt.packets / 4);
    uint64_t pos = rng.below(128) * 4;
    for (unsigned i = 0; i < n; ++i) {
        pos = next_stream_offset(rng, pos);
        size_t len = boundary_ulpdu(rng, ulpdu_cap(rng.ulpdu_length(opt.max_ulpdu, W), markers), pos, markers);
        proto::MpaFramingOptions fo;
        fo.markers = false;
        Bytes plain = proto::mpa_frame_fpdu(rng.bytes(len), fo, 0);
        for (size_t k = plain.size() - 4; k < plain.size(); ++k) plain[k] = uint8_t(rng.below(256));
        Bytes out = plain;
        if (markers) {
            out = proto::insert_markers(proto::ByteView(plain.data(), plain.size() - 4), pos);
            out.insert(out.end(), plain.end() - 4, plain.end());
        }
        in.push_back({plain, pos});
        want.push_back(out);
        pos += out.size();
    }
    Top& top = h.top();
    top.cfg_markers = markers;
    double p_idle = opt.idle_p(rng, full_rate);
    double p_bp = opt.bp_p(rng, full_rate);
    std::vector<OutPacket> out;
    Failure f;
    PhaseStats st = stream<Top, W>(
        h, rng, in, in.size(), p_idle, p_bp,
        [](Top& t, const InPacket& p, bool) { t.s_pos = uint32_t(p.pos % 512); }, [](Top&, OutPacket&) {}, out, f);
    std::string phase = std::string(markers ? "markers-on" : "markers-off") + (full_rate ? "/full-rate" : "/random-rate");
    if (f.failed) return {true, phase + ": " + f.what};
    if (opt.verbose) print_phase("mpa_marker_insert", W, phase, p_idle, p_bp, st.cycles, st.in_beats, st.out_beats, st.in_stalls);
    for (size_t i = 0; i < want.size(); ++i)
        if (out[i].bytes != want[i])
            return {true, phase + ": packet " + std::to_string(i) + " at stream offset " + std::to_string(in[i].pos) +
                              ": " + hex_diff(out[i].bytes, want[i])};
    if (full_rate) {  // output one beat per cycle from cycle 1
        std::vector<size_t> lens;
        for (auto& w : want) lens.push_back(w.size());
        auto eop = islands::marker_insert_eop_cycles(lens, W);
        for (size_t i = 0; i < eop.size(); ++i)
            if (out[i].eop_cycle != eop[i])
                return {true, phase + ": packet " + std::to_string(i) + " left in cycle " +
                                  std::to_string(out[i].eop_cycle) + ", documented " + std::to_string(eop[i])};
        if (st.out_bubbles) return {true, phase + ": idle output cycle at full rate"};
    }
    tot.cycles += st.cycles;
    tot.in_beats += st.in_beats;
    tot.out_beats += st.out_beats;
    tot.packets += in.size();
    return {};
}

}  // namespace

int main(int argc, char** argv) {
    Verilated::commandArgs(argc, argv);
    Options opt = parse_options(argc, argv);
    return run_main<Top>("mpa_marker_insert", W, opt, [&](Harness<Top>& h, Rng& rng, RunTotals& tot) -> Failure {
        const bool phases[][2] = {{true, true}, {true, false}, {false, true}, {true, false}};
        for (auto& p : phases) {
            Failure f = run_phase(h, rng, opt, p[0], p[1], tot);
            if (f.failed) return f;
        }
        return {};
    });
}
