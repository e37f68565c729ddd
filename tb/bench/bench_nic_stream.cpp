// Simulation speed of the two-host T5 model: host A streams RDMA Writes (64 KiB by default)
// to host B at line rate (1500 MTU, markers off, model CRC) for a fixed simulated time, with
// a window of outstanding WRs, optionally next to many idle connections. Prints simulated
// Gb/s, the slowdown (wall time / simulated time; also CPU time / simulated time, which a
// machine shared with other jobs disturbs less), SystemC delta cycles per Ethernet frame (each
// delta runs at least one process; the kernel has no public per-process counter), and peak
// memory (flat in --sim-us: the pipeline engines keep a sliding window of beats, and a NIC
// keeps one pending TCP timer wake-up per QP).
//   bench_nic_stream [--sim-us N] [--size B] [--depth D] [--idle-connections N] [--rtl 0|1] [--markers 0|1]
// --rtl 1: the MPA CRC/marker blocks of both NICs are the Verilated RTL islands
// (nic.mpa_tx/mpa_rx.*_impl = rtl, docs/rtl.md); --markers 1 negotiates MPA markers.
// Measured on the 2-core development machine (load average about 3 from other jobs), three
// runs each: --sim-us 2000: slowdown 46-60x wall, 46-48x CPU, 24.4 delta cycles per frame,
// 14 MiB (before the engine window and shortcuts: 112-148x, 86 MiB); --sim-us 8000: 43-52x,
// 14 MiB (before: 117-133x, 283 MiB); --sim-us 2000 --idle-connections 10000: 54-81x, 249 MiB
// (before: 142-203x, 368 MiB).
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "sim/testbed.h"
#include "timing/sim_time.h"

using namespace nicsim;
using timing::Ps;

namespace {

struct Options {
    uint64_t sim_us = 2000;
    uint32_t size = 65536;
    uint32_t depth = 16;
    uint32_t idle = 0;
    bool rtl = false;
    bool markers = false;
};

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string k = argv[i];
        uint64_t v = std::strtoull(argv[i + 1], nullptr, 10);
        if (k == "--sim-us") o.sim_us = v;
        else if (k == "--size") o.size = uint32_t(v);
        else if (k == "--depth") o.depth = uint32_t(v);
        else if (k == "--idle-connections") o.idle = uint32_t(v);
        else if (k == "--rtl") o.rtl = v != 0;
        else if (k == "--markers") o.markers = v != 0;
        else {
            std::fprintf(stderr, "unknown option %s\n", k.c_str());
            std::exit(2);
        }
    }
    return o;
}

double cpu_seconds() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return double(t.tv_sec) + double(t.tv_nsec) * 1e-9;
}

long peak_rss_mib() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss / 1024;
}

}  // namespace

int sc_main(int argc, char** argv) {
    Options o = parse(argc, argv);
    timing::init_time_resolution();
    sim::TestbedParams p;
    p.hosts[0].sge.max_qps = p.hosts[1].sge.max_qps = std::max<uint32_t>(p.hosts[0].sge.max_qps, o.idle + 1);
    p.hosts[0].sge.max_cqs = p.hosts[1].sge.max_cqs = std::max<uint32_t>(p.hosts[0].sge.max_cqs, o.idle + 1);
    if (o.rtl)
        for (nic::MpaIslandParams* i : {&p.hosts[0].nic.islands, &p.hosts[1].nic.islands})
            i->tx_crc = i->tx_marker = i->rx_crc = i->rx_marker = islands::Impl::Rtl;
    host::ConnParams cp;
    cp.mpa.markers = o.markers;
    sim::Testbed sys("sys", p);

    uint64_t bytes_done = 0, frames_at_start = 0, deltas_at_start = 0;
    Ps t_start = 0, t_end = 0;
    double wall_s = 0, cpu_s = 0;
    sys.body = [&]() {
        for (uint32_t i = 0; i < o.idle; ++i) {  // idle: set up, never used
            try {
                sys.connect_pair({}, 4096);
            } catch (const std::exception& e) {
                std::fprintf(stderr, "idle connection %u: %s (A: %s, B: %s)\n", i, e.what(),
                             sys.a().dev.last_error().c_str(), sys.b().dev.last_error().c_str());
                std::exit(1);
            }
        }
        auto [a, b] = sys.connect_pair(cp, uint64_t(o.size) * o.depth);
        frames_at_start = sys.link_from(0).frames_sent() + sys.link_from(1).frames_sent();
        deltas_at_start = sc_core::sc_delta_count();
        t_start = timing::now_ps();
        t_end = t_start + o.sim_us * timing::kUs;
        auto wall0 = std::chrono::steady_clock::now();
        const double cpu0 = cpu_seconds();
        uint64_t next_id = 0;
        uint32_t outstanding = 0;
        auto post = [&]() {
            host::verbs::SendWr w;
            w.wr_id = next_id;
            w.opcode = host::verbs::WrOpcode::RdmaWrite;
            uint64_t off = (next_id % o.depth) * o.size;
            w.sg_list = {{a.buf + off, o.size, a.mr->lkey}};
            w.remote_addr = b.buf + off;
            w.rkey = b.mr->rkey;
            if (sys.a().dev.post_send(a.qp, {w}) != 0) {
                std::fprintf(stderr, "post_send failed: %s\n", sys.a().dev.last_error().c_str());
                std::exit(1);
            }
            ++next_id;
            ++outstanding;
        };
        while (outstanding < o.depth) post();
        host::verbs::WorkCompletion wc[16];
        while (timing::now_ps() < t_end) {
            // Coarse polling: the window keeps the link busy, so a 1 us poll costs no bandwidth.
            sc_core::wait(timing::to_sc(timing::kUs));
            int n = sys.a().dev.poll_cq(a.cq, 16, wc);
            for (int i = 0; i < n; ++i) {
                if (wc[i].status != host::ring::WcStatus::Success) {
                    std::fprintf(stderr, "completion error %d\n", int(wc[i].status));
                    std::exit(1);
                }
                bytes_done += o.size;
                --outstanding;
            }
            while (outstanding < o.depth && timing::now_ps() < t_end) post();
        }
        wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
        cpu_s = cpu_seconds() - cpu0;
        sc_core::sc_stop();
    };
    sc_core::sc_start();

    double sim_s = double(t_end - t_start) * 1e-12;
    uint64_t frames = sys.link_from(0).frames_sent() + sys.link_from(1).frames_sent() - frames_at_start;
    uint64_t deltas = sc_core::sc_delta_count() - deltas_at_start;
    std::printf("bench_nic_stream: %u B RDMA Writes, window %u, %llu idle connections, %.0f us simulated\n", o.size,
                o.depth, static_cast<unsigned long long>(o.idle), sim_s * 1e6);
    std::printf("  completed          %llu writes, %.2f Gb/s goodput (40GbE ceiling 37.14 Gb/s with TCP timestamps)\n",
                static_cast<unsigned long long>(bytes_done / o.size), double(bytes_done) * 8 / sim_s / 1e9);
    std::printf("  frames on the wire %llu (both directions)\n", static_cast<unsigned long long>(frames));
    std::printf("  wall time          %.3f s, slowdown %.1fx (wall / simulated)\n", wall_s, wall_s / sim_s);
    std::printf("  cpu time           %.3f s, slowdown %.1fx (cpu / simulated)\n", cpu_s, cpu_s / sim_s);
    std::printf("  delta cycles       %.2f per frame\n", frames ? double(deltas) / double(frames) : 0.0);
    std::printf("  wall per frame     %.2f us\n", frames ? wall_s * 1e6 / double(frames) : 0.0);
    std::printf("  peak memory        %ld MiB\n", peak_rss_mib());
    for (int i = 0; i < 2; ++i) {
        const nic::T5NicStats& ns = sys.host(i).nic.stats();
        std::printf("  nic %c blocks       %llu MPS drops, %llu TCB misses / %llu hits, %llu LE refusals\n", "ab"[i],
                    static_cast<unsigned long long>(ns.rx_mps_drops), static_cast<unsigned long long>(ns.tcb_misses),
                    static_cast<unsigned long long>(ns.tcb_hits), static_cast<unsigned long long>(ns.le_refused));
    }
    if (o.rtl) {
        uint64_t fpdus = 0, bad = 0;
        for (int i = 0; i < 2; ++i) {
            nic::MpaCheckStats st = sys.host(i).nic.mpa_check().stats();
            fpdus += st.tx_fpdus + st.rx_fpdus;
            bad += st.mismatches();
        }
        std::printf("  rtl islands        %llu FPDUs through them, %llu mismatches\n",
                    static_cast<unsigned long long>(fpdus), static_cast<unsigned long long>(bad));
        if (bad) return 1;
    }
    return 0;
}
