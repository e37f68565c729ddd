// The receiver's out-of-order queue: segments that arrived beyond RCV.NXT wait here, in
// stream-offset order and without overlap, until the hole before them is filled (RFC 9293
// §3.10.7.4 "segment text": data beyond RCV.NXT may be held for later delivery).
//
// Offsets are 64-bit receive-stream offsets (0 = first data byte after the peer's SYN), so
// the queue needs no sequence-wrap arithmetic. The blocks stay visible: the NIC's MPA layer
// can look for markers / FPDU headers in them before they become in-order.
#pragma once

#include <cstdint>
#include <map>

#include "bytes.h"

namespace nicsim::proto {

class TcpReassembly {
public:
    // Adds the bytes at [offset, offset + data.size) that no block holds yet (data already
    // queued wins, as RFC 9293 leaves the choice to the receiver). Returns the bytes added.
    size_t insert(uint64_t offset, ByteView data);

    // If a block starts at or before `next_offset`, appends the bytes from `next_offset` to the
    // end of that block to `out`, drops them (and anything before) and returns their count.
    size_t pop_in_order(uint64_t next_offset, Bytes& out);

    // Drops everything before `offset` (data that became in-order by another path).
    void discard_before(uint64_t offset);

    void clear() { blocks_.clear(); bytes_ = 0; }
    bool empty() const { return blocks_.empty(); }
    size_t buffered_bytes() const { return bytes_; }
    size_t block_count() const { return blocks_.size(); }
    // start offset -> bytes; disjoint and not adjacent (adjacent blocks are merged).
    const std::map<uint64_t, Bytes>& blocks() const { return blocks_; }

private:
    std::map<uint64_t, Bytes> blocks_;
    size_t bytes_ = 0;
};

}  // namespace nicsim::proto
