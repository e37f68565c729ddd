#include "tcp_reassembly.h"

#include <algorithm>
#include <iterator>

namespace nicsim::proto {

size_t TcpReassembly::insert(uint64_t offset, ByteView data) {
    const uint64_t end = offset + data.size;
    uint64_t pos = offset;
    size_t added = 0;
    // Skip the part covered by a block that starts before `offset`.
    auto it = blocks_.upper_bound(pos);
    if (it != blocks_.begin()) {
        auto prev = std::prev(it);
        pos = std::max(pos, prev->first + prev->second.size());
    }
    // Fill each gap between existing blocks.
    while (pos < end) {
        auto next = blocks_.lower_bound(pos);
        const uint64_t gap_end = next == blocks_.end() ? end : std::min(end, next->first);
        if (gap_end > pos) {
            ByteView piece = data.sub(size_t(pos - offset), size_t(gap_end - pos));
            blocks_.emplace(pos, piece.to_bytes());
            added += piece.size;
        }
        if (next == blocks_.end()) break;
        pos = std::max(pos, next->first + next->second.size());
    }
    bytes_ += added;
    if (added == 0) return 0;
    // Merge blocks that now touch, in the range the insert affected.
    auto cur = blocks_.lower_bound(offset);  // the block before the new bytes may touch them
    if (cur != blocks_.begin()) --cur;
    while (cur != blocks_.end()) {
        auto nxt = std::next(cur);
        if (nxt == blocks_.end() || nxt->first > end) break;
        if (cur->first + cur->second.size() == nxt->first) {
            cur->second.insert(cur->second.end(), nxt->second.begin(), nxt->second.end());
            blocks_.erase(nxt);
        } else {
            cur = nxt;
        }
    }
    return added;
}

size_t TcpReassembly::pop_in_order(uint64_t next_offset, Bytes& out) {
    discard_before(next_offset);
    auto it = blocks_.begin();
    if (it == blocks_.end() || it->first != next_offset) return 0;
    const size_t n = it->second.size();
    out.insert(out.end(), it->second.begin(), it->second.end());
    bytes_ -= n;
    blocks_.erase(it);
    return n;
}

void TcpReassembly::discard_before(uint64_t offset) {
    while (!blocks_.empty() && blocks_.begin()->first < offset) {
        auto it = blocks_.begin();
        const uint64_t block_end = it->first + it->second.size();
        if (block_end <= offset) {
            bytes_ -= it->second.size();
            blocks_.erase(it);
            continue;
        }
        // Keep the tail beyond `offset`.
        const size_t cut = size_t(offset - it->first);
        Bytes tail(it->second.begin() + cut, it->second.end());
        bytes_ -= cut;
        blocks_.erase(it);
        blocks_.emplace(offset, std::move(tail));
        break;
    }
}

}  // namespace nicsim::proto
