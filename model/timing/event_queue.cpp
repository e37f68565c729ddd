#include "timing/event_queue.h"

#include <algorithm>
#include <stdexcept>

namespace nicsim::timing {

EventQueue::EventQueue(sc_core::sc_module_name name) : sc_core::sc_module(name) {
    SC_HAS_PROCESS(EventQueue);
    SC_METHOD(fire);
    sensitive << ev_;
    dont_initialize();
}

void EventQueue::push(Ps t, Callback fn) {
    Ps now = now_ps();
    if (t < now) throw std::logic_error(std::string(name()) + ": event scheduled in the past");
    uint32_t slot;
    if (free_.empty()) {
        slot = uint32_t(slots_.size());
        slots_.push_back(std::move(fn));
    } else {
        slot = free_.back();
        free_.pop_back();
        slots_[slot] = std::move(fn);
    }
    heap_.push_back(Key{t, seq_++, slot});
    std::push_heap(heap_.begin(), heap_.end(), Later{});
    // sc_event keeps the earliest of several pending notifications, which is what we want.
    if (heap_.front().t == t) notify_at(t, now);
}

// An earlier notification cancels a pending later one, but SystemC keeps the cancelled entry in
// its timed queue until that time comes. A block with a far deadline pending (a TCP timer) and
// frequent near work would fill the kernel's queue with them, and every timed notification in
// the simulation would pay for its size. So the queue never looks further ahead than kHorizon:
// a later item is reached by empty wake-ups, one per horizon.
void EventQueue::notify_at(Ps t, Ps now) { ev_.notify(to_sc(std::min(t, now + kHorizon) - now)); }

void EventQueue::arm() {
    if (!heap_.empty()) notify_at(heap_.front().t, now_ps());
}

void EventQueue::fire() {
    Ps now = now_ps();
    if (!heap_.empty() && heap_.front().t <= now) ++wakeups_;
    while (!heap_.empty() && heap_.front().t <= now) {
        const uint32_t slot = heap_.front().slot;
        std::pop_heap(heap_.begin(), heap_.end(), Later{});
        heap_.pop_back();
        // Move out before running: the callback may schedule more work (and grow slots_).
        Callback fn = std::move(slots_[slot]);
        free_.push_back(slot);
        ++run_;
        fn();
    }
    arm();
}

}  // namespace nicsim::timing
