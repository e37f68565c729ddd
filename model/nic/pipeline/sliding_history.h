// A growing sequence indexed by global position (beat or frame number) that forgets its
// oldest entries once no later computation can read them, so a long run holds only a window.
// Storage moves only when the forgotten prefix outweighs what is kept (and at least a few
// thousand entries), which keeps forgetting amortized O(1) per entry and the peak size at
// about twice the window.
#pragma once

#include <cstdint>
#include <vector>

namespace nicsim::nic {

template <class T>
class SlidingHistory {
public:
    uint64_t begin() const { return keep_from_; }     // oldest entry still readable
    uint64_t end() const { return base_ + v_.size(); }  // one past the newest
    bool empty() const { return begin() == end(); }

    T& operator[](uint64_t i) { return v_[i - base_]; }
    const T& operator[](uint64_t i) const { return v_[i - base_]; }
    const T& back() const { return v_.back(); }

    void push_back(const T& x) { v_.push_back(x); }
    void pop_back() { v_.pop_back(); }
    // Grows to `new_end` entries (global count), new ones set to `fill`.
    void extend_to(uint64_t new_end, const T& fill) {
        if (new_end > end()) v_.resize(new_end - base_, fill);
    }

    // Entries before `i` will not be read again. Never forgets past end().
    void forget_before(uint64_t i) {
        if (i > end()) i = end();
        if (i <= keep_from_) return;
        keep_from_ = i;
        const uint64_t dead = keep_from_ - base_;
        if (dead >= kMinCompact && dead >= v_.size() - dead) {
            v_.erase(v_.begin(), v_.begin() + static_cast<std::ptrdiff_t>(dead));
            base_ = keep_from_;
        }
    }

    // Entries held in memory (the window plus any not-yet-compacted prefix).
    uint64_t held() const { return v_.size(); }

    // Global positions [begin(), end()) as an iterator range over the stored entries.
    typename std::vector<T>::const_iterator begin_it() const { return v_.begin() + static_cast<std::ptrdiff_t>(keep_from_ - base_); }
    typename std::vector<T>::const_iterator end_it() const { return v_.end(); }

private:
    static constexpr uint64_t kMinCompact = 4096;
    std::vector<T> v_;
    uint64_t base_ = 0;       // global position of v_[0]
    uint64_t keep_from_ = 0;  // >= base_
};

}  // namespace nicsim::nic
