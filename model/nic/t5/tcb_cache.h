// TP's on-chip TCB cache: the connection state blocks (TCBs) TP keeps on chip, least recently
// used evicted first. A frame whose connection's TCB is not here makes TP fetch it from payload
// memory (nic.tp.tcb_miss_cycles); the fetched TCB then replaces the least recently used one.
// One cache serves both directions (TP is one block handling TX and RX for a connection).
#pragma once

#include <cstdint>
#include <list>
#include <unordered_map>

namespace nicsim::nic {

class TcbCache {
public:
    explicit TcbCache(uint32_t entries) : entries_(entries ? entries : 1) {}

    // Touches connection `id`'s TCB; true on a hit. A miss loads it (evicting the least
    // recently used TCB when full).
    bool access(uint32_t id) {
        auto it = where_.find(id);
        if (it != where_.end()) {
            order_.splice(order_.begin(), order_, it->second);
            ++hits_;
            return true;
        }
        ++misses_;
        if (where_.size() >= entries_) {
            where_.erase(order_.back());
            order_.pop_back();
        }
        order_.push_front(id);
        where_[id] = order_.begin();
        return false;
    }
    uint64_t hits() const { return hits_; }
    uint64_t misses() const { return misses_; }
    size_t held() const { return where_.size(); }

private:
    uint32_t entries_;
    std::list<uint32_t> order_;  // most recently used first
    std::unordered_map<uint32_t, std::list<uint32_t>::iterator> where_;
    uint64_t hits_ = 0, misses_ = 0;
};

}  // namespace nicsim::nic
