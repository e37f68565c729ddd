// The golden capture: one complete iWARP connection between two hosts, produced by the
// golden model alone (model/proto) and written as a pcap. Both hosts run the real receive
// rules, so Read Responses answer the Read Requests that arrived, placements land in each
// host's memory and the Terminate is the one the receiver's checks produced.
//
// The capture is what Wireshark needs to decode iWARP (protocol.md §4.2): the TCP handshake,
// the MPA Request and Reply each alone in a segment, then one FPDU per TCP segment, with
// consistent sequence and acknowledgement numbers, then the FIN exchange.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "proto/terminate_codes.h"

namespace nicsim::sim {

struct GoldenCaptureOptions {
    bool markers = false;  // both sides ask for markers (Wireshark needs them symmetric)
    bool crc = true;
    uint64_t seed = 1;     // varies message sizes, contents and the ISNs
    uint16_t mss = 1460;
    bool timestamps = true;
};

// What the capture holds, for checking it against an independent dissector.
struct WrittenFpdu {
    size_t frame = 0;  // 1-based frame number in the pcap
    bool from_initiator = true;
    uint16_t ulpdu_length = 0;
    bool tagged = false;
    bool last = false;
    uint8_t opcode = 0;
    uint32_t stag = 0;
    uint64_t to = 0;
    uint32_t qn = 0, msn = 0, mo = 0;
    std::optional<proto::TermCause> terminate;  // for Terminate messages
    uint64_t stream_offset = 0;  // from this direction's first FPDU
    size_t wire_length = 0;      // markers included
};

struct GoldenCaptureResult {
    size_t frames = 0;
    std::vector<WrittenFpdu> fpdus;
    std::vector<uint8_t> opcodes_initiator;  // distinct opcodes sent each way
    std::vector<uint8_t> opcodes_responder;
    size_t messages_delivered = 0;
    size_t bytes_verified = 0;          // payload bytes compared after placement
    std::vector<std::string> problems;  // any mismatch between sent and placed data
    unsigned attempts = 1;              // see write_golden_capture
};

// Writes the capture to `pcap_path`; throws std::runtime_error if it cannot be written.
//
// With markers, Wireshark 4.0 misframes an FPDU that ends exactly on a 512-octet marker
// position (its number_of_markers() also counts the next FPDU's leading marker), then loses
// the rest of that direction. Such an FPDU is legal and the golden model's own tests cover
// it, but a capture meant for the tshark oracle must avoid it: the generator re-draws the
// message sizes (a derived seed per attempt) until no FPDU ends on a marker position.
GoldenCaptureResult write_golden_capture(const std::string& pcap_path, const GoldenCaptureOptions& opt);

}  // namespace nicsim::sim
