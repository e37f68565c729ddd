// An Ethernet frame in flight (FCS-less bytes, shared so links and taps never copy it) and
// the times its first and last bytes cross a point of the network.
#pragma once

#include <cstdint>
#include <memory>

#include "proto/bytes.h"
#include "timing/sim_time.h"

namespace nicsim::net {

struct EthFrame {
    std::shared_ptr<const proto::Bytes> bytes;
    uint64_t id = 0;  // unique per run, for traces and fault injection

    size_t size() const { return bytes ? bytes->size() : 0; }
};

struct FrameArrival {
    EthFrame frame;
    timing::Ps first_byte = 0;  // first byte of the frame (after preamble/SFD) has arrived
    timing::Ps last_byte = 0;   // last byte of the FCS has arrived
    timing::Ps byte_time = 0;   // ps per byte at the rate it arrived
};

}  // namespace nicsim::net
