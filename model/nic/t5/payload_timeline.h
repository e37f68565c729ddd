// When each byte of one outgoing message (a Write/Send payload, or a Read Response's source
// data) is available to ULP_TX: the SGE hands payload over as PayloadBursts (beat i of a burst
// at first_beat + i * beat_period), possibly in several bursts as DMA completions land.
// The T5Nic holds a segment back until the beats carrying its bytes are known, and offers it
// to the TX chain no earlier than they arrive.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "nic/sge/sge_client.h"
#include "proto/bytes.h"

namespace nicsim::nic {

class PayloadTimeline {
public:
    PayloadTimeline(uint32_t qpn, uint64_t wr_id, uint32_t length, uint32_t beat_bytes)
        : qpn_(qpn), wr_id_(wr_id), length_(length), beat_bytes_(beat_bytes ? beat_bytes : 1) {}

    // Appends a burst (bursts come in message order). Returns false if it does not continue
    // the message where the previous one stopped (then it is ignored).
    bool add(const sge::PayloadBurst& b);

    uint32_t qpn() const { return qpn_; }
    uint64_t wr_id() const { return wr_id_; }
    uint32_t length() const { return length_; }
    uint32_t covered() const { return covered_; }  // bytes [0, covered) have known beat times
    bool complete() const { return complete_; }
    // Time the beat carrying byte `index` reaches ULP_TX; nullopt while it is not known yet.
    std::optional<timing::Ps> byte_time(uint32_t index) const;
    // Time the message's last beat arrives (complete messages; an empty one: its only burst).
    std::optional<timing::Ps> end_time() const;
    timing::Ps first_time() const { return bursts_.empty() ? 0 : bursts_.front().first_beat; }

private:
    struct Burst {
        uint32_t offset, bytes;
        timing::Ps first_beat, period;
    };
    uint32_t qpn_;
    uint64_t wr_id_;
    uint32_t length_;
    uint32_t beat_bytes_;
    uint32_t covered_ = 0;
    bool complete_ = false;
    std::vector<Burst> bursts_;
};

}  // namespace nicsim::nic
