// One stage of the NIC pipeline as the timing engines see it (docs/pipeline_timing.md).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "timing/clock_domain.h"

namespace nicsim::nic {

struct StageConfig {
    std::string name;
    timing::ClockDomain clock{timing::Ps(2000)};
    uint32_t width_bytes = 32;      // datapath width: bytes per beat
    uint32_t latency_cycles = 1;    // pop to output, in this stage's cycles (>= 1)
    uint32_t fifo_depth_beats = 8;  // input FIFO depth, in this stage's beats (>= 1)
    bool cut_through = true;        // else store-and-forward
    uint32_t header_bytes = 1;      // cut-through forwards once this many bytes are present
};

// A frame offered to the first stage: beat k (first-stage width) is offered at
// first_offer + k * offer_interval (e.g. the MAC delivering at line rate).
//
// stall_cycles (empty: none; else one entry per stage, in that stage's cycles): the stage holds
// the frame's first beat that many cycles after it could first have popped it (header or whole
// frame visible, previous beat gone), e.g. TP fetching a TCB that missed its cache. The frame
// therefore leaves the stage that much later, and frames behind it wait in order in the FIFO
// (a stall never lets a later frame overtake, as an extra output latency would).
struct OfferedFrame {
    // A constructor rather than an aggregate, so {bytes, first_offer, interval} stays valid.
    OfferedFrame(uint64_t bytes_ = 0, timing::Ps first_offer_ = 0, timing::Ps offer_interval_ = 0,
                 std::vector<uint32_t> stall_cycles_ = {})
        : bytes(bytes_), first_offer(first_offer_), offer_interval(offer_interval_), stall_cycles(std::move(stall_cycles_)) {}
    uint64_t bytes = 0;
    timing::Ps first_offer = 0;
    timing::Ps offer_interval = 0;
    std::vector<uint32_t> stall_cycles;
};

// Throws std::invalid_argument unless stall_cycles is empty or has one entry per stage.
void check_stalls(const OfferedFrame& frame, size_t stages);

// When a frame's first and last beats were popped by a stage and left it.
struct StageTiming {
    timing::Ps first_pop = 0, last_pop = 0;
    timing::Ps first_out = 0, last_out = 0;
};

struct FrameTiming {
    timing::Ps first_write = 0;  // first beat written into the first stage's FIFO
    std::vector<StageTiming> stages;
};

// Number of beats a frame occupies at a width (a zero-byte frame still takes one beat).
inline uint64_t beats_for(uint64_t bytes, uint32_t width) { return bytes == 0 ? 1 : (bytes + width - 1) / width; }

}  // namespace nicsim::nic
