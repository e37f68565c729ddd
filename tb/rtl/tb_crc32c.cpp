// Constrained-random regression of rtl/crc32c.v against model/proto (crc32c, mpa_frame_fpdu).
// Phases: {receive check, transmit insert} x {CRC on, off} x {full rate, random idle and
// backpressure}. Receive traffic mixes FPDUs (with and without markers, some with one corrupted
// byte that must be flagged) and packets of any length 1.. that end anywhere in a beat.
#include "tb_common.h"
#include "tb_model.h"

#include "islands/stream_timing.h"
#include "proto/crc32c.h"
#include "proto/mpa_fpdu.h"

using namespace tbrtl;
using namespace nicsim;

namespace {

constexpr unsigned W = TB_WIDTH;
using Top = TB_MODEL;

struct Expected {
    Bytes bytes;
    bool flag;
    uint32_t crc;
};

Failure run_phase(Harness<Top>& h, Rng& rng, const Options& opt, bool insert, bool crc_en, bool full_rate,
                  RunTotals& tot) {
    std::vector<InPacket> in;
    std::vector<Expected> want;
    unsigned n = std::max(1u, opt.packets / 8);
    uint64_t pos = rng.below(128) * 4;
    for (unsigned i = 0; i < n; ++i) {
        bool fpdu = insert || rng.chance(0.7);
        if (fpdu) {
            size_t len = rng.ulpdu_length(opt.max_ulpdu, W);
            proto::MpaFramingOptions fo;
            fo.markers = rng.chance(0.5);
            len = ulpdu_cap(len, fo.markers);
            fo.crc = insert ? crc_en : true;
            Bytes f = proto::mpa_frame_fpdu(rng.bytes(len), fo, pos);
            pos += f.size();
            if (insert) {
                Bytes p = f;
                for (size_t k = p.size() - 4; k < p.size(); ++k) p[k] = uint8_t(rng.below(256));
                uint32_t c = proto::load_le32(f.data() + f.size() - 4);
                in.push_back({p, pos});
                want.push_back({f, true, c});
            } else {
                if (rng.chance(0.3)) f[rng.below(f.size())] ^= uint8_t(rng.range(1, 255));
                uint32_t all = proto::crc32c(f);
                bool good = proto::crc32c(proto::ByteView(f.data(), f.size() - 4)) ==
                            proto::load_le32(f.data() + f.size() - 4);
                if (good != (all == ~proto::kCrc32cResidue))
                    return {true, "golden model: residue and field comparison disagree"};
                in.push_back({f, pos});
                want.push_back({f, !crc_en || good, all});
            }
        } else {
            size_t len = rng.chance(0.9) ? rng.range(1, 4 * W + 7) : rng.range(1, 3000);
            Bytes p = rng.bytes(len);
            uint32_t all = proto::crc32c(p);
            in.push_back({p, pos});
            want.push_back({p, !crc_en || all == ~proto::kCrc32cResidue, all});
        }
    }
    Top& top = h.top();
    top.cfg_insert = insert;
    top.cfg_crc_en = crc_en;
    double p_idle = opt.idle_p(rng, full_rate);
    double p_bp = opt.bp_p(rng, full_rate);
    std::vector<OutPacket> out;
    Failure f;
    PhaseStats st = stream<Top, W>(
        h, rng, in, in.size(), p_idle, p_bp, [](Top&, const InPacket&, bool) {},
        [](Top& t, OutPacket& o) {
            o.flag = t.m_crc_ok;
            o.crc = t.m_crc;
        },
        out, f);
    std::string phase = std::string(insert ? "insert" : "check") + (crc_en ? "/crc-on" : "/crc-off") +
                        (full_rate ? "/full-rate" : "/random-rate");
    if (f.failed) return {true, phase + ": " + f.what};
    if (opt.verbose) print_phase("crc32c", W, phase, p_idle, p_bp, st.cycles, st.in_beats, st.out_beats, st.in_stalls);
    for (size_t i = 0; i < want.size(); ++i) {
        const std::string at = phase + ": packet " + std::to_string(i) + " of " + std::to_string(want.size());
        if (out[i].bytes != want[i].bytes) return {true, at + ": data " + hex_diff(out[i].bytes, want[i].bytes)};
        if (out[i].flag != want[i].flag)
            return {true, at + ": m_crc_ok " + std::to_string(out[i].flag) + ", golden " + std::to_string(want[i].flag)};
        if (out[i].crc != want[i].crc) {
            char b[80];
            std::snprintf(b, sizeof b, ": m_crc %08x, golden %08x", out[i].crc, want[i].crc);
            return {true, at + b};
        }
    }
    if (full_rate) {  // the documented contract: latency 1, one beat per cycle
        std::vector<size_t> lens;
        for (auto& p : in) lens.push_back(p.bytes.size());
        auto eop = islands::crc32c_eop_cycles(lens, W);
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
    for (auto& w : want) tot.flagged += !w.flag;
    return {};
}

}  // namespace

int main(int argc, char** argv) {
    Verilated::commandArgs(argc, argv);
    Options opt = parse_options(argc, argv);
    return run_main<Top>("crc32c", W, opt, [&](Harness<Top>& h, Rng& rng, RunTotals& tot) -> Failure {
        for (bool full : {true, false})
            for (bool insert : {false, true})
                for (bool crc_en : {true, false}) {
                    Failure f = run_phase(h, rng, opt, insert, crc_en, full, tot);
                    if (f.failed) return f;
                }
        return {};
    });
}
