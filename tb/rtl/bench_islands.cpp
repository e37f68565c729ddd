// Simulation speed of the RTL islands: beats per wall-clock second through each Verilated
// block, (1) standalone through the StreamEngine (one long burst), (2) inside SystemC through a
// StreamIsland, one wake-up per FPDU, and the golden engine for comparison.
//   bench_rtl_islands [--fpdus N] [--max-ulpdu B]
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <systemc>

#include "islands/stream_engine.h"
#include "islands/stream_island.h"
#include "proto/mpa_fpdu.h"

using namespace nicsim;
using namespace nicsim::islands;

namespace {

struct Input {
    std::vector<EnginePacket> pkts;
    uint64_t beats = 0;
};

Input make_input(Block b, unsigned n, size_t max_ulpdu, unsigned w) {
    // crc32c and insert take FPDUs without markers, strip takes them with; the stream offset of
    // each FPDU advances by its length on the wire with markers.
    std::mt19937 g(1);
    Input in;
    uint64_t pos = 0;
    proto::MpaFramingOptions o;
    o.markers = b == Block::MarkerStrip;
    for (unsigned i = 0; i < n; ++i) {
        proto::Bytes u(g() % (max_ulpdu + 1));
        for (auto& x : u) x = uint8_t(g());
        proto::Bytes f = proto::mpa_frame_fpdu(u, o, pos);
        in.beats += (f.size() + w - 1) / w;
        uint64_t here = pos;
        pos += proto::mpa_fpdu_wire_length(u.size(), true, pos);
        in.pkts.push_back({std::move(f), here});
    }
    return in;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

EngineConfig cfg_for(Block b, Impl impl, unsigned w) {
    EngineConfig c;
    c.block = b;
    c.impl = impl;
    c.data_bytes = w;
    c.transmit = true;
    return c;
}

}  // namespace

int sc_main(int argc, char** argv) {
    unsigned n = 2000;
    size_t max_ulpdu = 4000;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--fpdus")) n = unsigned(std::stoul(argv[i + 1]));
        if (!std::strcmp(argv[i], "--max-ulpdu")) max_ulpdu = std::stoul(argv[i + 1]);
    }
    const unsigned w = rtl_data_bytes_built();
    const Block blocks[] = {Block::Crc32c, Block::MarkerInsert, Block::MarkerStrip};
    std::printf("DATA_BYTES=%u, %u FPDUs of 0..%zu byte ULPDUs per block\n", w, n, max_ulpdu);
    std::printf("%-18s %-26s %12s %10s %14s\n", "block", "mode", "beats", "wall_s", "beats/s");

    Input inputs[3];
    for (int k = 0; k < 3; ++k) {
        inputs[k] = make_input(blocks[k], n, max_ulpdu, w);
        for (Impl impl : {Impl::Rtl, Impl::Model}) {
            auto e = make_engine(cfg_for(blocks[k], impl, w));
            auto t0 = std::chrono::steady_clock::now();
            auto out = e->run_burst(inputs[k].pkts);
            double s = seconds_since(t0);
            std::printf("%-18s %-26s %12llu %10.3f %14.0f\n", block_name(blocks[k]),
                        impl == Impl::Rtl ? "rtl standalone" : "model (golden) standalone",
                        (unsigned long long)inputs[k].beats, s, double(inputs[k].beats) / s);
        }
    }

    // Inside SystemC: one island per block, FPDUs pushed one at a time (one burst each).
    const sc_core::sc_time period(4, sc_core::SC_NS);
    std::vector<std::unique_ptr<StreamIsland>> isl;
    for (int k = 0; k < 3; ++k) {
        isl.emplace_back(new StreamIsland(block_name(blocks[k]), make_engine(cfg_for(blocks[k], Impl::Rtl, w)), period));
        isl.back()->keep_history(false);
    }
    struct Feeder : sc_core::sc_module {
        std::vector<std::unique_ptr<StreamIsland>>* isl;
        Input* in;
        sc_core::sc_event done[3];
        double wall[3] = {0, 0, 0};
        SC_HAS_PROCESS(Feeder);
        explicit Feeder(sc_core::sc_module_name nm) : sc_core::sc_module(nm) { SC_THREAD(run); }
        void run() {
            for (int k = 0; k < 3; ++k) {
                auto t0 = std::chrono::steady_clock::now();
                StreamIsland& s = *(*isl)[k];
                s.on_output = [this, k](const EngineResult&) { done[k].notify(sc_core::SC_ZERO_TIME); };
                for (auto& p : in[k].pkts) {
                    s.push(p);
                    wait(done[k]);
                }
                wall[k] = seconds_since(t0);
            }
        }
    } feeder("feeder");
    feeder.isl = &isl;
    feeder.in = inputs;
    auto t0 = std::chrono::steady_clock::now();
    sc_core::sc_start();
    double s = seconds_since(t0);
    for (int k = 0; k < 3; ++k)
        std::printf("%-18s %-26s %12llu %10.3f %14.0f\n", block_name(blocks[k]), "rtl in SystemC, 1 burst/FPDU",
                    (unsigned long long)inputs[k].beats, feeder.wall[k], double(inputs[k].beats) / feeder.wall[k]);
    uint64_t beats = inputs[0].beats + inputs[1].beats + inputs[2].beats;
    std::printf("%-18s %-26s %12llu %10.3f %14.0f\n", "all three", "rtl in SystemC, 1 burst/FPDU",
                (unsigned long long)beats, s, double(beats) / s);
    std::printf("simulated time %s, island wake-ups %llu\n", sc_core::sc_time_stamp().to_string().c_str(),
                (unsigned long long)(isl[0]->wakeups() + isl[1]->wakeups() + isl[2]->wakeups()));
    return 0;
}
