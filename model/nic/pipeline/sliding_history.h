// A growing sequence indexed by global position (beat or frame number) that forgets its
// oldest entries once no later computation can read them, so a long run holds only a window.
// A ring buffer: the capacity is the smallest power of two holding the window, entries never
// move while the window fits, and forgetting costs nothing.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace nicsim::nic {

template <class T>
class SlidingHistory {
public:
    uint64_t begin() const { return keep_from_; }  // oldest entry still readable
    uint64_t end() const { return end_; }          // one past the newest
    bool empty() const { return begin() == end(); }

    // i in [begin(), end()).
    T& operator[](uint64_t i) { return buf_[i & mask_]; }
    const T& operator[](uint64_t i) const { return buf_[i & mask_]; }
    const T& back() const { return (*this)[end_ - 1]; }

    void push_back(const T& x) {
        extend_to(end_ + 1);
        (*this)[end_ - 1] = x;
    }
    void pop_back() {
        --end_;
        keep_from_ = std::min(keep_from_, end_);
    }
    // Grows to `new_end` entries (global count); the new ones hold stale values until written.
    void extend_to(uint64_t new_end) {
        if (new_end <= end_) return;
        reserve(new_end - keep_from_);
        end_ = new_end;
    }
    void extend_to(uint64_t new_end, const T& fill) {
        uint64_t old = end_;
        extend_to(new_end);
        for (uint64_t i = old; i < end_; ++i) (*this)[i] = fill;
    }

    // Entries before `i` will not be read again. Never forgets past end().
    void forget_before(uint64_t i) { keep_from_ = std::max(keep_from_, std::min(i, end_)); }

    // First position in [begin(), end()) whose entry is greater than `x` (entries sorted).
    uint64_t upper_bound(const T& x) const {
        uint64_t lo = keep_from_, hi = end_;
        while (lo < hi) {
            uint64_t mid = lo + (hi - lo) / 2;
            if (x < (*this)[mid]) hi = mid;
            else lo = mid + 1;
        }
        return lo;
    }

    uint64_t held() const { return buf_.size(); }  // entries allocated

    // The same indexing through a plain pointer and mask, for hot loops (the compiler can keep
    // them in registers). Valid until the next extend_to/push_back.
    struct View {
        T* data;
        uint64_t mask;
        T& operator[](uint64_t i) const { return data[i & mask]; }
    };
    View view() { return {buf_.data(), mask_}; }

private:
    void reserve(uint64_t n) {
        if (n <= buf_.size()) return;
        uint64_t cap = 16;
        while (cap < n) cap *= 2;
        std::vector<T> nb(cap);
        for (uint64_t i = keep_from_; i < end_; ++i) nb[i & (cap - 1)] = (*this)[i];
        buf_.swap(nb);
        mask_ = cap - 1;
    }

    std::vector<T> buf_;
    uint64_t mask_ = 0;
    uint64_t keep_from_ = 0, end_ = 0;
};

}  // namespace nicsim::nic
