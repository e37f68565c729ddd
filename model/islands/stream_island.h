// A StreamEngine (rtl or model) as an event-driven SystemC module. There is no clock process:
// the module sleeps until push() hands it FPDUs, then, at the next edge of its (virtual) clock,
// runs everything queued as one back-to-back burst through the engine, which for impl rtl
// clocks the Verilated block exactly as many cycles as the data needs, and delivers each
// result through on_output at  burst start + exit_cycle * clock period.
// An idle island costs no process wake-ups at all.
//
// Simplification (documented in docs/rtl.md): packets pushed while a burst is in flight wait
// until that burst's last result is delivered and then form the next burst.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <vector>

#include <systemc>

#include "islands/stream_engine.h"

namespace nicsim::islands {

class StreamIsland : public sc_core::sc_module {
public:
    struct Burst {  // what each burst carried, for tests and statistics
        sc_core::sc_time start;
        std::vector<EnginePacket> in;
        std::vector<EngineResult> out;
    };

    StreamIsland(sc_core::sc_module_name name, std::unique_ptr<StreamEngine> engine, sc_core::sc_time clock_period);

    // Queue one FPDU; callable from any process, or before sc_start().
    void push(EnginePacket p);
    // Called at each result's exit time.
    std::function<void(const EngineResult&)> on_output;

    const StreamEngine& engine() const { return *engine_; }
    const std::vector<Burst>& bursts() const { return bursts_; }
    uint64_t wakeups() const { return wakeups_; }
    void keep_history(bool on) { keep_history_ = on; }

private:
    void worker();

    std::unique_ptr<StreamEngine> engine_;
    sc_core::sc_time period_;
    std::deque<EnginePacket> queue_;
    sc_core::sc_event arrived_;
    std::vector<Burst> bursts_;
    uint64_t wakeups_ = 0;
    bool keep_history_ = true;
};

}  // namespace nicsim::islands
