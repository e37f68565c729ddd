// Test top for the PCIe link alone: host memory <- link (root complex) <- DMA initiator, and a
// sink recording MMIO writes that reach the device. A test sets `body`, which runs in a thread.
#pragma once

#include <functional>
#include <utility>
#include <vector>

#include <systemc>
#include <tlm_utils/simple_target_socket.h>

#include "host/host_memory.h"
#include "pcie/dma_initiator.h"
#include "pcie/pcie_link.h"
#include "timing/sim_time.h"

namespace nicsim::testing {

struct MmioSink : sc_core::sc_module {
    tlm_utils::simple_target_socket<MmioSink> socket;
    std::vector<std::pair<timing::Ps, std::vector<uint8_t>>> log;
    explicit MmioSink(sc_core::sc_module_name n) : sc_core::sc_module(n), socket("socket") {
        socket.register_b_transport(this, &MmioSink::b_transport);
    }
    void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time&) {
        log.emplace_back(timing::now_ps(),
                         std::vector<uint8_t>(gp.get_data_ptr(), gp.get_data_ptr() + gp.get_data_length()));
        gp.set_response_status(tlm::TLM_OK_RESPONSE);
    }
};

struct LinkTop : sc_core::sc_module {
    host::HostMemory mem;
    pcie::PcieLink link;
    pcie::DmaInitiator dma;
    MmioSink sink;
    std::function<void()> body;
    sc_core::sc_event progress;  // notified by test callbacks

    LinkTop(sc_core::sc_module_name n, const pcie::PcieParams& p, const host::HostMemoryParams& mp = {})
        : sc_core::sc_module(n), mem("mem", mp), link("link", p), dma("dma"), sink("sink") {
        link.host_mem.bind(mem.socket);
        link.dev_mmio.bind(sink.socket);
        dma.socket.bind(link.dev_dma);
        SC_HAS_PROCESS(LinkTop);
        SC_THREAD(run);
    }
    void run() {
        if (body) body();
    }
    // Wait (in the body thread) until pred() holds; callbacks must notify `progress`.
    template <class P>
    void wait_until(P pred) {
        while (!pred()) sc_core::wait(progress);
    }
};

// Streams `count` DMA transfers of `size` bytes (reads or writes) from t = now, keeping up to
// `window` outstanding like a DMA engine's request queue (the link still applies its own tag
// and credit limits), and returns the time from the first issue to the last completion.
inline timing::Ps stream(LinkTop& top, bool read, uint32_t size, uint32_t count, uint64_t base = 0x100000,
                         uint32_t window = 1024) {
    timing::Ps t0 = timing::now_ps();
    uint32_t issued = 0, done = 0;
    timing::Ps last = t0;
    std::vector<uint8_t> payload(size);
    std::function<void()> issue_more;
    auto on_done = [&] {
        ++done;
        last = timing::now_ps();
        if (done == count) top.progress.notify();
        issue_more();
    };
    issue_more = [&] {
        while (issued < count && issued - done < window) {
            uint64_t addr = base + uint64_t(issued) * size % (1u << 22);  // 4 MiB window
            payload[0] = uint8_t(issued);
            ++issued;
            if (read)
                top.dma.read(addr, size, nullptr, [&](bool, const std::vector<uint8_t>&) { on_done(); });
            else
                top.dma.write(addr, payload, [&](bool) { on_done(); });
        }
    };
    issue_more();
    top.wait_until([&] { return done == count; });
    return last - t0;
}

inline double gbps(uint64_t bytes, timing::Ps t) { return t ? double(bytes) * 8.0 * 1000.0 / double(t) : 0.0; }

}  // namespace nicsim::testing
