// Shared machinery of the Verilated block testbenches (tb_<block>.cpp): command line, seeded
// stimulus, a valid/ready stream driver and monitor with random idle and backpressure,
// waveform and coverage output, and the PASS/FAIL report.
//
// Each testbench is compiled once per DATA_BYTES against the plain C++ Verilated model
// (TB_MODEL, from rtl/CMakeLists.txt). A run is a sequence of phases; each phase configures
// the block, streams a list of packets and compares the output with the golden model.
#pragma once

#include <verilated.h>
#include <verilated_fst_c.h>
#if VM_COVERAGE
#include <verilated_cov.h>
#endif

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "islands/vl_ports.h"
#include "proto/bytes.h"
#include "proto/mpa_fpdu.h"

namespace tbrtl {

using nicsim::proto::Bytes;

class Rng;

// ---- command line -----------------------------------------------------------------------
struct Options {
    uint64_t seed = 1;
    unsigned packets = 200;   // per phase
    std::string wave;         // FST path: always trace into it
    std::string fail_wave;    // FST path written on failure (rerun with tracing)
    std::string coverage;     // coverage .dat path (coverage builds only)
    size_t max_ulpdu = 65535;
    double idle = -1, bp = -1;  // >= 0: fixed idle / backpressure probability in random-rate phases
    bool verbose = false;       // print a PHASE line (cycles, beats) per phase
    std::string argv0;

    double idle_p(Rng& rng, bool full_rate) const;
    double bp_p(Rng& rng, bool full_rate) const;
};

inline Options parse_options(int argc, char** argv) {
    Options o;
    o.argv0 = argv[0];
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto val = [&](const char* name) -> std::string {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "%s needs a value\n", name);
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--seed") o.seed = std::stoull(val("--seed"));
        else if (a == "--packets") o.packets = unsigned(std::stoul(val("--packets")));
        else if (a == "--wave") o.wave = val("--wave");
        else if (a == "--fail-wave") o.fail_wave = val("--fail-wave");
        else if (a == "--coverage") o.coverage = val("--coverage");
        else if (a == "--max-ulpdu") o.max_ulpdu = std::stoul(val("--max-ulpdu"));
        else if (a == "--idle") o.idle = std::stod(val("--idle"));
        else if (a == "--bp") o.bp = std::stod(val("--bp"));
        else if (a == "--verbose") o.verbose = true;
        else if (a.rfind("+verilator", 0) == 0) continue;
        else {
            std::fprintf(stderr,
                         "usage: %s [--seed S] [--packets N] [--max-ulpdu B] [--wave f.fst] "
                         "[--fail-wave f.fst] [--coverage f.dat] [--idle P] [--bp P] [--verbose]\n",
                         argv[0]);
            std::exit(2);
        }
    }
    if (o.fail_wave.empty()) o.fail_wave = "tb_fail_seed" + std::to_string(o.seed) + ".fst";
    return o;
}

// ---- random stimulus ----------------------------------------------------------------------
class Rng {
public:
    explicit Rng(uint64_t seed) : g_(seed) {}
    uint64_t below(uint64_t n) { return n ? std::uniform_int_distribution<uint64_t>(0, n - 1)(g_) : 0; }
    uint64_t range(uint64_t lo, uint64_t hi) { return lo + below(hi - lo + 1); }  // inclusive
    bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(g_) < p; }
    Bytes bytes(size_t n) {
        Bytes b(n);
        for (auto& x : b) x = uint8_t(g_());
        return b;
    }
    // ULPDU lengths from 0 to max: mostly small, many near beat and marker boundaries.
    size_t ulpdu_length(size_t max, unsigned data_bytes) {
        size_t n;
        switch (below(6)) {
            case 0: n = below(33); break;
            case 1: n = range(0, 600); break;
            case 2: n = range(1, 8) * data_bytes + range(0, 7) - 4; break;
            case 3: n = range(1, 4) * 512 + range(0, 15) - 8; break;
            case 4: n = range(600, 4096); break;
            default: n = chance(0.3) ? max : range(4096, max); break;
        }
        return std::min(n, max);
    }

private:
    std::mt19937_64 g_;
};

// With markers a marker may sit at most 0xFFFC bytes after its FPDU's header (FPDUPTR is 16
// bits; model/proto throws beyond), so marked ULPDUs stop short of 64 KiB.
constexpr size_t kMaxMarkedUlpdu = 64 * 1024 - 1100;
inline size_t ulpdu_cap(size_t len, bool markers) { return markers ? std::min(len, kMaxMarkedUlpdu) : len; }

// Stream offset of the next FPDU: usually right after the previous one; sometimes (a
// retransmission, a new stream) a jump, biased to the marker phases that matter: an FPDU that
// starts on a marker (leading marker), one word after it, one word before it.
inline uint64_t next_stream_offset(Rng& rng, uint64_t pos) {
    if (!rng.chance(0.25)) return pos;
    uint64_t base = rng.below(1u << 12) * 512;
    switch (rng.below(4)) {
        case 0: return base;
        case 1: return base + 4;
        case 2: return base + 508;
        default: return base + 4 * rng.below(128);
    }
}

// Sometimes stretch a ULPDU length so the FPDU ends exactly on a marker position, or one word
// past it (so a marker sits right before the CRC, or exactly at the FPDU boundary).
inline size_t boundary_ulpdu(Rng& rng, size_t len, uint64_t pos, bool markers) {
    if (!markers || !rng.chance(0.2)) return len;
    uint64_t want = rng.below(3);  // end at marker + 0, + 4 or + 8
    for (size_t l = len; l < len + 520 && l <= kMaxMarkedUlpdu; ++l)
        if ((pos + nicsim::proto::mpa_fpdu_wire_length(l, true, pos)) % 512 == 4 * want) return l;
    return len;
}

// Random-rate phases draw an idle and a backpressure probability from 0.1..0.5 (so a seed
// decides them), unless --idle / --bp fix them; full-rate phases use 0.
inline double Options::idle_p(Rng& rng, bool full_rate) const {
    double p = full_rate ? 0 : 0.1 * double(rng.range(1, 5));
    return full_rate || idle < 0 ? p : idle;
}
inline double Options::bp_p(Rng& rng, bool full_rate) const {
    double p = full_rate ? 0 : 0.1 * double(rng.range(1, 5));
    return full_rate || bp < 0 ? p : bp;
}

inline void print_phase(const char* block, unsigned w, const std::string& phase, double p_idle, double p_bp,
                        uint64_t cycles, uint64_t in_beats, uint64_t out_beats, uint64_t in_stalls) {
    std::printf("PHASE block=%s data_bytes=%u phase=%s p_idle=%.2f p_bp=%.2f cycles=%llu in_beats=%llu "
                "out_beats=%llu in_stalls=%llu in_per_cycle=%.4f out_per_cycle=%.4f\n",
                block, w, phase.c_str(), p_idle, p_bp, (unsigned long long)cycles, (unsigned long long)in_beats,
                (unsigned long long)out_beats, (unsigned long long)in_stalls,
                cycles ? double(in_beats) / double(cycles) : 0.0, cycles ? double(out_beats) / double(cycles) : 0.0);
}

// ---- wide port access: model/islands/vl_ports.h ------------------------------------------
using nicsim::islands::vl::get_bytes;
using nicsim::islands::vl::keep_count;
using nicsim::islands::vl::put_bytes;
using nicsim::islands::vl::put_keep;

// ---- the packets of one phase and what came out -------------------------------------------
struct InPacket {
    Bytes bytes;
    uint64_t pos = 0;  // stream offset (s_pos gets it mod 512)
};
struct OutPacket {
    Bytes bytes;
    bool flag = false;
    uint32_t crc = 0;
    uint64_t eop_cycle = 0;  // cycle (from the phase's first cycle) its last beat left
};

struct PhaseStats {
    uint64_t cycles = 0, in_beats = 0, out_beats = 0;
    uint64_t in_stalls = 0;    // cycles with a beat presented and s_ready low
    uint64_t out_bubbles = 0;  // cycles between the first and last output beat with no beat out
};

struct Failure {
    bool failed = false;
    std::string what;
};

// ---- the clocked harness ------------------------------------------------------------------
template <class V>
class Harness {
public:
    Harness(const Options& opt, bool trace, const std::string& wave)
        : ctx_(new VerilatedContext) {
        ctx_->traceEverOn(trace);
        top_.reset(new V(ctx_.get(), "top"));
        if (trace) {
            fst_.reset(new VerilatedFstC);
            top_->trace(fst_.get(), 99);
            fst_->open(wave.c_str());
        }
        (void)opt;
        top_->clk = 0;
        top_->rst = 1;
        top_->s_valid = 0;
        top_->m_ready = 1;
        for (int i = 0; i < 3; ++i) tick();
        top_->rst = 0;
        tick();
    }
    ~Harness() {
        if (fst_) fst_->close();
        top_->final();
    }
    V& top() { return *top_; }
    uint64_t time() const { return t_; }

    // Evaluate combinational outputs for the inputs just set (clock low).
    void settle() {
        top_->clk = 0;
        top_->eval();
        if (fst_) fst_->dump(t_);
        ++t_;
    }
    void rise() {
        top_->clk = 1;
        top_->eval();
        if (fst_) fst_->dump(t_);
        ++t_;
    }
    void tick() {
        settle();
        rise();
    }
    void write_coverage(const std::string& path) {
#if VM_COVERAGE
        if (!path.empty()) ctx_->coveragep()->write(path.c_str());
#else
        (void)path;
#endif
    }

private:
    std::unique_ptr<VerilatedContext> ctx_;
    std::unique_ptr<V> top_;
    std::unique_ptr<VerilatedFstC> fst_;
    uint64_t t_ = 0;
};

// Streams `in` through the block: random idle beats on the input (probability p_idle per
// beat) and random backpressure on the output (m_ready low with probability p_bp).
// set_side(top, packet, first_beat) drives the block's per-packet sideband inputs;
// get_side(top, out) reads its last-beat outputs.
template <class V, unsigned W, class SetSide, class GetSide>
PhaseStats stream(Harness<V>& h, Rng& rng, const std::vector<InPacket>& in, size_t expect_out,
                  double p_idle, double p_bp, SetSide set_side, GetSide get_side,
                  std::vector<OutPacket>& out, Failure& fail) {
    V& top = h.top();
    PhaseStats st;
    size_t pk = 0, off = 0;  // next input beat
    bool presenting = false;
    Bytes cur;
    bool open = false;
    uint64_t idle_run = 0, first_out = UINT64_MAX, last_out = 0;
    uint64_t t = 0;
    while (out.size() < expect_out) {
        if (!presenting && pk < in.size() && !(p_idle > 0 && rng.chance(p_idle))) presenting = true;
        top.s_valid = presenting;
        if (presenting) {
            const Bytes& b = in[pk].bytes;
            size_t n = std::min<size_t>(W, b.size() - off);
            put_bytes(top.s_data, b.data() + off, n);
            put_keep(top.s_keep, n);
            top.s_sop = off == 0;
            top.s_eop = off + n == b.size();
            set_side(top, in[pk], off == 0);
        }
        top.m_ready = !(p_bp > 0 && rng.chance(p_bp));
        h.settle();
        bool in_fire = presenting && top.s_ready;
        if (presenting && !top.s_ready) ++st.in_stalls;
        bool out_fire = top.m_valid && top.m_ready;
        if (out_fire) {
            ++st.out_beats;
            first_out = std::min(first_out, t);
            last_out = t;
            bool contiguous;
            size_t n = keep_count(top.m_keep, contiguous);
            if (!contiguous || n == 0 || n > W || (!top.m_eop && n != W)) {
                fail = {true, "bad m_keep at cycle " + std::to_string(t)};
                return st;
            }
            if (bool(top.m_sop) == open) {
                fail = {true, std::string(open ? "m_sop inside a packet" : "beat without m_sop") +
                                  " at cycle " + std::to_string(t)};
                return st;
            }
            open = true;
            size_t at = cur.size();
            cur.resize(at + n);
            get_bytes(top.m_data, cur.data() + at, n);
            if (top.m_eop) {
                OutPacket o;
                o.bytes.swap(cur);
                o.eop_cycle = t;
                get_side(top, o);
                out.push_back(std::move(o));
                open = false;
            }
        } else if (first_out != UINT64_MAX && out.size() < expect_out) {
            ++st.out_bubbles;
        }
        h.rise();
        if (in_fire) {
            ++st.in_beats;
            off += W;
            if (off >= in[pk].bytes.size()) {
                ++pk;
                off = 0;
            }
            presenting = false;
        }
        idle_run = (in_fire || out_fire) ? 0 : idle_run + 1;
        if (idle_run > 10000) {
            fail = {true, "no progress for 10000 cycles at cycle " + std::to_string(t) + " (" +
                              std::to_string(out.size()) + "/" + std::to_string(expect_out) +
                              " packets out)"};
            return st;
        }
        ++t;
    }
    st.cycles = t;
    // Let the block go idle: nothing more may come out.
    top.s_valid = 0;
    top.m_ready = 1;
    for (int i = 0; i < 4; ++i) {
        h.settle();
        if (top.m_valid) {
            fail = {true, "extra output beat after the last expected packet"};
            return st;
        }
        h.rise();
    }
    (void)last_out;
    return st;
}

inline std::string hex_diff(const Bytes& got, const Bytes& want) {
    size_t i = 0;
    while (i < got.size() && i < want.size() && got[i] == want[i]) ++i;
    std::ostringstream s;
    s << "length " << got.size() << " (want " << want.size() << "), first difference at byte " << i;
    if (i < got.size() && i < want.size()) {
        char buf[64];
        std::snprintf(buf, sizeof buf, ": got %02x want %02x", got[i], want[i]);
        s << buf;
    }
    return s.str();
}

// ---- the run: PASS/FAIL line, reproduction command, waveform on failure ------------------
struct RunTotals {
    uint64_t cycles = 0, in_beats = 0, out_beats = 0, packets = 0;
    uint64_t flagged = 0;  // packets whose golden flag is set (bad CRC / bad marker)
};

// `body(harness, rng, totals)` runs every phase and returns the first failure.
template <class V, class Body>
int run_main(const char* block, unsigned width, const Options& opt, Body body) {
    auto t0 = std::chrono::steady_clock::now();
    RunTotals tot;
    Failure f;
    {
        Harness<V> h(opt, !opt.wave.empty(), opt.wave);
        Rng rng(opt.seed);
        f = body(h, rng, tot);
        h.write_coverage(opt.coverage);
    }
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!f.failed) {
        std::printf("PASS block=%s data_bytes=%u seed=%llu packets=%llu flagged=%llu cycles=%llu in_beats=%llu "
                    "out_beats=%llu time=%.3f beats_per_s=%.0f\n",
                    block, width, (unsigned long long)opt.seed, (unsigned long long)tot.packets,
                    (unsigned long long)tot.flagged,
                    (unsigned long long)tot.cycles, (unsigned long long)tot.in_beats,
                    (unsigned long long)tot.out_beats, secs, secs > 0 ? double(tot.in_beats) / secs : 0.0);
        return 0;
    }
    std::printf("FAIL block=%s data_bytes=%u seed=%llu: %s\n", block, width,
                (unsigned long long)opt.seed, f.what.c_str());
    std::string rates;
    if (opt.idle >= 0) rates += " --idle " + std::to_string(opt.idle);
    if (opt.bp >= 0) rates += " --bp " + std::to_string(opt.bp);
    std::printf("reproduce: %s --seed %llu --packets %u --max-ulpdu %zu%s --wave %s\n", opt.argv0.c_str(),
                (unsigned long long)opt.seed, opt.packets, opt.max_ulpdu, rates.c_str(), opt.fail_wave.c_str());
    if (opt.wave.empty()) {  // same seed, same stimulus: rerun with the waveform on
        Harness<V> h(opt, true, opt.fail_wave);
        Rng rng(opt.seed);
        RunTotals again;
        body(h, rng, again);
        std::printf("waveform: %s\n", opt.fail_wave.c_str());
    }
    std::fflush(stdout);
    return 1;
}

}  // namespace tbrtl
