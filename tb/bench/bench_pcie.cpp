// PCIe/SGE benchmark: simulated DMA bandwidth vs transfer size next to the analytic model,
// the 64 B read latency, the push-vs-plain doorbell saving, and simulator speed (TLM
// transactions per wall second). Not a test: it prints numbers.
//
//   bench_pcie [--bytes N]    N = bytes streamed per (size, direction) point, default 4 MiB
//
// SystemC elaborates once per process, so each configuration runs in a forked child.
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>

#include "link_top.h"
#include "pcie/pcie_analytic.h"
#include "sge_top.h"

using namespace nicsim;
using namespace nicsim::testing;
namespace an = nicsim::pcie::analytic;
using timing::Ps;

namespace {

double cpu_now() { return double(std::clock()) / CLOCKS_PER_SEC; }

double wall_now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

void bandwidth(uint32_t mps, uint64_t bytes) {
    timing::init_time_resolution();
    pcie::PcieParams p;
    p.mps = mps;
    LinkTop top("top", p);
    top.body = [&] {
        std::printf("\n%s\n", p.describe().c_str());
        std::printf("%6s | %10s %10s %7s | %10s %10s %7s\n", "size", "write sim", "model", "ratio", "read sim", "model",
                    "ratio");
        double w0 = wall_now(), c0 = cpu_now();
        uint64_t tx0 = top.link.stats().tlm_transactions();
        for (uint32_t size = 64; size <= 4096; size *= 2) {
            uint32_t count = uint32_t(bytes / size);
            double ws = gbps(uint64_t(size) * count, stream(top, false, size, count));
            double rs = gbps(uint64_t(size) * count, stream(top, true, size, count));
            double wm = an::write_eff_gbps(p, size), rm = an::read_eff_gbps(p, size);
            std::printf("%6u | %10.2f %10.2f %7.4f | %10.2f %10.2f %7.4f\n", size, ws, wm, ws / wm, rs, rm, rs / rm);
        }
        double wall = wall_now() - w0, cpu = cpu_now() - c0;
        uint64_t tx = top.link.stats().tlm_transactions() - tx0;
        std::printf("speed: %llu TLM transactions (DMA requests + host-memory accesses + MMIO) in %.3f s wall = "
                    "%.2f M/s (%.2f M per CPU second); %llu TLPs, %.2f M link events/s; simulated %.1f us\n",
                    (unsigned long long)tx, wall, tx / wall / 1e6, tx / cpu / 1e6,
                    (unsigned long long)(top.link.stats().tlps_up + top.link.stats().tlps_down),
                    top.link.events_run() / wall / 1e6, double(timing::now_ps()) / 1e6);
    };
    sc_core::sc_start();
}

// 64 B reads with few tags: latency-bound, tags x 64 B / round trip.
void tag_limited(uint32_t tags) {
    timing::init_time_resolution();
    pcie::PcieParams p;
    p.max_read_tags = tags;
    LinkTop top("top", p);
    top.body = [&] {
        Ps t = stream(top, true, 64, 65536);
        Ps rtt = an::serialize_ps(p, 24) + p.rc_read_latency.median() + top.mem.params().read_latency +
                 an::serialize_ps(p, 84);
        std::printf("\n64 B reads with %u tags: %.2f Gb/s simulated, latency bound %.2f Gb/s, link model %.2f Gb/s\n",
                    tags, gbps(64ull * 65536, t), tags * 64 * 8 * 1000.0 / double(rtt), an::read_eff_gbps(p, 64));
    };
    sc_core::sc_start();
}

void latency_and_doorbells(uint32_t n_msgs) {
    timing::init_time_resolution();
    SgeTop top("top");
    top.body = [&] {
        const pcie::PcieParams& p = top.link.params();
        auto c = top.open();
        // One 64 B DMA read from the SGE's initiator: round-trip latency.
        Ps t0 = timing::now_ps(), t1 = 0;
        top.sge.dma.read(c.buf, 64, nullptr, [&](bool, const std::vector<uint8_t>&) { t1 = timing::now_ps(); });
        sc_core::wait(sc_core::sc_time(5, sc_core::SC_US));
        Ps expect = an::serialize_ps(p, 24) + p.rc_read_latency.median() + top.mem.params().read_latency +
                    an::serialize_ps(p, 84);
        std::printf("\n64 B DMA read latency: %.3f ns (MRd %.3f + RC %.1f + memory %.1f + CplD %.3f ns = %.3f)\n",
                    (t1 - t0) / 1e3, an::serialize_ps(p, 24) / 1e3, p.rc_read_latency.median() / 1e3,
                    top.mem.params().read_latency / 1e3, an::serialize_ps(p, 84) / 1e3, expect / 1e3);

        // Doorbell to WR-in-SGE latency, plain vs push, one 16 B inline RDMA Write each.
        verbs::SendWr w;
        w.opcode = verbs::WrOpcode::RdmaWrite;
        w.send_flags = verbs::IBV_SEND_SIGNALED | verbs::IBV_SEND_INLINE;
        w.sg_list = {{c.buf, 16, 0}};
        w.remote_addr = c.buf + 8192;
        w.rkey = c.mr->rkey;
        Ps lat[2], cqe[2];
        for (int mode = 0; mode < 2; ++mode) {
            top.dev.set_doorbell_mode(mode == 0 ? verbs::DoorbellMode::Plain : verbs::DoorbellMode::Auto);
            size_t before = top.ulp.works.size();
            Ps t = timing::now_ps();
            top.dev.post_send(c.qp, {w});
            top.poll(c.cq, 1, 100 * timing::kUs, 1000);
            lat[mode] = top.ulp.works[before].ready - t;
            cqe[mode] = timing::now_ps() - t;
            sc_core::wait(sc_core::sc_time(2, sc_core::SC_US));
        }
        std::printf("post_send -> WR in SGE: plain doorbell %.1f ns, WC push %.1f ns, saving %.1f ns\n", lat[0] / 1e3,
                    lat[1] / 1e3, (lat[0] - lat[1]) / 1e3);
        std::printf("post_send -> CQE seen by a 1 ns poller (loopback, 16 B inline write): plain %.1f ns, push %.1f ns\n",
                    cqe[0] / 1e3, cqe[1] / 1e3);

        // Message rate: n_msgs 64 B RDMA Writes (SGE gather, not inline), posted 8 at a time.
        w.send_flags = 0;
        w.sg_list = {{c.buf, 64, c.mr->lkey}};
        uint64_t tx0 = top.link.stats().tlm_transactions();
        double w0 = wall_now();
        Ps s0 = timing::now_ps();
        uint32_t done = 0;
        while (done < n_msgs) {
            std::vector<verbs::SendWr> batch(8, w);
            batch.back().send_flags = verbs::IBV_SEND_SIGNALED;  // one CQE per batch frees 8 WRs of SQ
            while (top.dev.post_send(c.qp, batch) != 0) top.poll(c.cq, 1, 100 * timing::kUs, 100 * timing::kNs);
            done += 8;
        }
        while (top.dev.sq_free(c.qp) < c.qp->attr.sq_slots) top.poll(c.cq, 1, 100 * timing::kUs, 100 * timing::kNs);
        double wall = wall_now() - w0;
        Ps sim = timing::now_ps() - s0;
        uint64_t tx = top.link.stats().tlm_transactions() - tx0;
        std::printf("message rate: %u x 64 B RDMA Write (loopback) in %.2f us simulated = %.2f M msg/s; wall %.3f s, "
                    "%.2f M TLM transactions/s, %.0f msgs/wall-s\n",
                    n_msgs, sim / 1e6, n_msgs / (sim / 1e12) / 1e6, wall, tx / wall / 1e6, n_msgs / wall);
    };
    sc_core::sc_start();
}

template <class F>
void in_child(F f) {
    std::fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        f();
        std::fflush(stdout);
        _exit(0);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) std::fprintf(stderr, "child failed (status %d)\n", st);
}

}  // namespace

int sc_main(int argc, char** argv) {
    uint64_t bytes = 4u << 20;
    for (int i = 1; i + 1 < argc; ++i)
        if (!std::strcmp(argv[i], "--bytes")) bytes = std::strtoull(argv[i + 1], nullptr, 0);
    std::printf("bench_pcie: %llu bytes per point; model = pcie-bench/pcie-model analytic bandwidth (Gb/s)\n",
                (unsigned long long)bytes);
    in_child([&] { bandwidth(256, bytes); });
    in_child([&] { bandwidth(128, bytes); });
    in_child([&] { tag_limited(32); });
    in_child([&] { latency_and_doorbells(20000); });
    return 0;
}
