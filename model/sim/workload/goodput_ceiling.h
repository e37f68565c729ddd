// The most application bytes per second one 40GbE (or any rate) port can carry for a stream of
// equal RDMA messages, from the configuration (perf_anchors.md §2.1): every message is cut
// into FPDUs of at most MULPDU (RFC 5044 §4.5) and each FPDU pays MPA length 2 B + DDP/RDMAP
// header (tagged 14 B, untagged 18 B) + pad to 4 + CRC 4 B (+ a marker per 512 B of stream),
// TCP 20 B (+12 with timestamps), IPv4 20 B, Ethernet 14 B + FCS 4 B (frames padded to 64 B),
// preamble/SFD 8 B and the 12 B inter-frame gap. ACKs travel the other way and cost nothing.
// With pack_to_emss, FPDUs of consecutive messages share segments: the per-frame cost is then
// spread over the FPDU bytes (a bound, ignoring how they happen to pack).
#pragma once

#include <cstdint>

#include "sim/config/config.h"
#include "sim/workload/op_record.h"

namespace nicsim::sim {

struct GoodputModel {
    double rate_gbps = 40;
    uint32_t emss = 1448;  // MSS minus TCP options
    bool timestamps = true;
    bool markers = false;
    bool pack = false;
};

GoodputModel goodput_model(const config::Config& c);

// Bytes on the wire (preamble and IFG included) for one message of `size` bytes.
double wire_bytes_per_message(const GoodputModel& m, OpKind kind, uint64_t size);

// Gb/s of message payload at line rate: size * rate / wire bytes.
double goodput_ceiling_gbps(const GoodputModel& m, OpKind kind, uint64_t size);

}  // namespace nicsim::sim
