// Test top for host + link + SGE: HostMemory <- PcieLink <- Sge, the verbs driver on the host
// side and a LoopbackUlp as the NIC pipeline. A test sets `body` (runs in a thread).
#pragma once

#include <functional>

#include <systemc>

#include "host/host_memory.h"
#include "host/verbs.h"
#include "loopback_ulp.h"
#include "nic/sge/sge.h"
#include "pcie/pcie_link.h"
#include "timing/sim_time.h"

namespace nicsim::testing {

namespace verbs = host::verbs;

struct SgeTop : sc_core::sc_module {
    host::HostMemory mem;
    pcie::PcieLink link;
    nic::sge::Sge sge;
    verbs::Device dev;
    LoopbackUlp ulp;
    std::function<void()> body;

    SgeTop(sc_core::sc_module_name n, const pcie::PcieParams& pp = {}, const nic::sge::SgeParams& sp = {},
           const verbs::DriverParams& dp = {}, const host::HostMemoryParams& mp = {})
        : sc_core::sc_module(n),
          mem("mem", mp),
          link("link", pp),
          sge("sge", sp, pp.msix_base),
          dev("dev", mem, link, sge, dp),
          ulp(sge) {
        link.host_mem.bind(mem.socket);
        link.dev_mmio.bind(sge.mmio);
        sge.dma.socket.bind(link.dev_dma);
        SC_HAS_PROCESS(SgeTop);
        SC_THREAD(run);
    }
    void run() {
        if (body) body();
    }

    // A connected QP with its own CQ (interrupts off unless asked) and a registered buffer.
    struct Conn {
        verbs::Pd* pd;
        verbs::Cq* cq;
        verbs::Qp* qp;
        uint64_t buf;
        verbs::Mr* mr;
    };
    Conn open(uint64_t buf_len = 1 << 20, const verbs::CqAttr& ca = {0, 1, false}, uint32_t sq_slots = 256,
              uint32_t cq_depth = 256) {
        Conn c;
        c.pd = dev.alloc_pd();
        c.cq = dev.create_cq(cq_depth, ca);
        verbs::QpInitAttr qa;
        qa.send_cq = qa.recv_cq = c.cq;
        qa.sq_slots = sq_slots;
        c.qp = dev.create_qp(c.pd, qa);
        c.buf = dev.alloc_dma(buf_len, 4096);
        c.mr = dev.reg_mr(c.pd, c.buf, buf_len, host::kLocalWrite | host::kRemoteWrite | host::kRemoteRead);
        if (dev.connect(c.qp, host::ConnParams{}) != 0) throw std::runtime_error(dev.last_error());
        return c;
    }

    // Polls (in the body thread) every `period` until n completions arrived or `timeout` passed.
    std::vector<verbs::WorkCompletion> poll(verbs::Cq* cq, int n, timing::Ps timeout = 100 * timing::kUs,
                                            timing::Ps period = 10 * timing::kNs) {
        std::vector<verbs::WorkCompletion> out;
        timing::Ps end = timing::now_ps() + timeout;
        while (int(out.size()) < n && timing::now_ps() < end) {
            verbs::WorkCompletion wc[16];
            int got = dev.poll_cq(cq, 16, wc);
            for (int i = 0; i < got; ++i) out.push_back(wc[i]);
            if (int(out.size()) < n) sc_core::wait(timing::to_sc(period));
        }
        return out;
    }
};

}  // namespace nicsim::testing
