#include "timing/event_queue.h"

#include <stdexcept>

namespace nicsim::timing {

EventQueue::EventQueue(sc_core::sc_module_name name) : sc_core::sc_module(name) {
    SC_HAS_PROCESS(EventQueue);
    SC_METHOD(fire);
    sensitive << ev_;
    dont_initialize();
}

void EventQueue::schedule(Ps t, Fn fn) {
    Ps now = now_ps();
    if (t < now) throw std::logic_error(std::string(name()) + ": event scheduled in the past");
    heap_.push(Item{t, seq_++, std::move(fn)});
    // sc_event keeps the earliest of several pending notifications, which is what we want.
    if (heap_.top().t == t) ev_.notify(to_sc(t - now));
}

void EventQueue::arm() {
    if (!heap_.empty()) ev_.notify(to_sc(heap_.top().t - now_ps()));
}

void EventQueue::fire() {
    ++wakeups_;
    Ps now = now_ps();
    while (!heap_.empty() && heap_.top().t <= now) {
        // Move out before popping: the callback may schedule more work.
        Fn fn = std::move(const_cast<Item&>(heap_.top()).fn);
        heap_.pop();
        ++run_;
        fn();
    }
    arm();
}

}  // namespace nicsim::timing
