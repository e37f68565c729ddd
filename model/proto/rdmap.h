// RDMAP messages (RFC 5040 §4): control byte RV(0xC0, = 01) | OpCode(0x0F), carried in the
// DDP header's RsvdULP[0:7]; the Read Request header (28 B) and the Terminate message follow
// the untagged DDP header.
#pragma once

#include <optional>

#include "ddp.h"

namespace nicsim::proto {

constexpr uint8_t kRdmapVersion = 1;

enum class RdmapOpcode : uint8_t {
    RdmaWrite = 0x0,
    ReadRequest = 0x1,
    ReadResponse = 0x2,
    Send = 0x3,
    SendInvalidate = 0x4,
    SendSolicited = 0x5,
    SendSolicitedInvalidate = 0x6,
    Terminate = 0x7,
};

// Untagged queues (RFC 5040 §5).
constexpr uint32_t kQnSend = 0, kQnReadRequest = 1, kQnTerminate = 2;

const char* opcode_name(RdmapOpcode op);
bool is_tagged(RdmapOpcode op);   // Write, Read Response
bool is_send(RdmapOpcode op);     // the four Send variants
bool carries_invalidate(RdmapOpcode op);
uint32_t queue_of(RdmapOpcode op);  // QN of an untagged opcode

inline uint8_t rdmap_control(RdmapOpcode op, uint8_t version = kRdmapVersion) {
    return uint8_t((version & 3) << 6 | (uint8_t(op) & 0x0F));
}

constexpr size_t kReadRequestHeaderSize = 28;
struct ReadRequestHeader {
    uint32_t sink_stag = 0;
    uint64_t sink_to = 0;
    uint32_t size = 0;
    uint32_t src_stag = 0;
    uint64_t src_to = 0;
};
void encode_read_request(const ReadRequestHeader& h, Bytes& out);
std::optional<ReadRequestHeader> decode_read_request(ByteView bytes);

// Terminate message body (RFC 5040 §4.8): Layer|EType, Error Code, M D R flags, then the
// DDP Segment Length and the terminated DDP header (if D), then the RDMAP header (if R).
struct TerminateMessage {
    TermCause cause{};
    std::optional<uint16_t> ddp_segment_length;  // M flag
    Bytes ddp_header;    // D flag: 14 (tagged) or 18 (untagged) bytes
    Bytes rdmap_header;  // R flag: the 28-byte Read Request header
};
void encode_terminate(const TerminateMessage& t, Bytes& out);
std::optional<TerminateMessage> decode_terminate(ByteView bytes);

// One RDMAP message before DDP segmentation.
struct RdmapMessage {
    RdmapOpcode opcode = RdmapOpcode::Send;
    uint32_t stag = 0;        // Write / Read Response: Data Sink STag
    uint64_t to = 0;          // Write / Read Response: Data Sink TO
    uint32_t invalidate_stag = 0;  // Send with Invalidate variants
    ReadRequestHeader read;   // Read Request
    TerminateMessage terminate;
    Bytes payload;            // Write, Read Response, Send data
};

}  // namespace nicsim::proto
