#include "islands/stream_island.h"

namespace nicsim::islands {

using sc_core::sc_time;

StreamIsland::StreamIsland(sc_core::sc_module_name name, std::unique_ptr<StreamEngine> engine, sc_time clock_period)
    : sc_core::sc_module(name), engine_(std::move(engine)), period_(clock_period) {
    SC_HAS_PROCESS(StreamIsland);
    SC_THREAD(worker);
}

void StreamIsland::push(EnginePacket p) {
    queue_.push_back(std::move(p));
    arrived_.notify(sc_core::SC_ZERO_TIME);
}

void StreamIsland::worker() {
    for (;;) {
        if (queue_.empty()) wait(arrived_);
        ++wakeups_;
        // Align the burst's cycle 0 to the next clock edge (now, if on an edge).
        const sc_time now = sc_core::sc_time_stamp();
        const double cycles_now = now / period_;
        const sc_time start = period_ * double(uint64_t(cycles_now + 0.999999999));
        if (start > now) wait(start - now);
        Burst b;
        b.start = start;
        b.in.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.end()));
        queue_.clear();
        b.out = engine_->run_burst(b.in);
        for (const EngineResult& r : b.out) {
            const sc_time at = start + period_ * double(r.exit_cycle);
            if (at > sc_core::sc_time_stamp()) wait(at - sc_core::sc_time_stamp());
            if (on_output) on_output(r);
        }
        if (keep_history_) bursts_.push_back(std::move(b));
    }
}

}  // namespace nicsim::islands
