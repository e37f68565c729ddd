// RDMAP/DDP transmit side: turns RDMAP messages into DDP segments (ULPDUs) no larger than
// MULPDU (RFC 5041 §5.2). Tagged messages advance the TO per segment, untagged ones the MO;
// each untagged queue numbers its messages from MSN 1 (RFC 5041 §5.1). Read Requests and
// Terminates are always a single segment. A zero-length message is one segment with L = 1.
#pragma once

#include <array>
#include <vector>

#include "rdmap.h"

namespace nicsim::proto {

class RdmapSegmenter {
public:
    // Appends the ULPDUs of `m` to `out`. Throws std::invalid_argument if MULPDU cannot hold
    // the headers (a configuration error, not a wire condition).
    void segment(const RdmapMessage& m, size_t mulpdu, std::vector<Bytes>& out);
    std::vector<Bytes> segment(const RdmapMessage& m, size_t mulpdu) {
        std::vector<Bytes> out;
        segment(m, mulpdu, out);
        return out;
    }
    uint32_t next_msn(uint32_t qn) const { return qn < msn_.size() ? msn_[qn] : 0; }

private:
    std::array<uint32_t, 3> msn_{1, 1, 1};
};

// The RFC 6581 RTR messages (zero-length Send / Write / Read Request). The Write uses STag 1
// because Chelsio hardware rejects STag 0 on the wire (protocol.md §5.10).
RdmapMessage make_rtr_message(uint8_t rtr_type);

}  // namespace nicsim::proto
