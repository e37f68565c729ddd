#include "rdmap.h"

namespace nicsim::proto {

const char* opcode_name(RdmapOpcode op) {
    switch (op) {
    case RdmapOpcode::RdmaWrite: return "RDMA Write";
    case RdmapOpcode::ReadRequest: return "RDMA Read Request";
    case RdmapOpcode::ReadResponse: return "RDMA Read Response";
    case RdmapOpcode::Send: return "Send";
    case RdmapOpcode::SendInvalidate: return "Send with Invalidate";
    case RdmapOpcode::SendSolicited: return "Send with Solicited Event";
    case RdmapOpcode::SendSolicitedInvalidate: return "Send with SE and Invalidate";
    case RdmapOpcode::Terminate: return "Terminate";
    }
    return "unknown";
}

bool is_tagged(RdmapOpcode op) { return op == RdmapOpcode::RdmaWrite || op == RdmapOpcode::ReadResponse; }
bool is_send(RdmapOpcode op) {
    return op == RdmapOpcode::Send || op == RdmapOpcode::SendInvalidate || op == RdmapOpcode::SendSolicited ||
           op == RdmapOpcode::SendSolicitedInvalidate;
}
bool carries_invalidate(RdmapOpcode op) {
    return op == RdmapOpcode::SendInvalidate || op == RdmapOpcode::SendSolicitedInvalidate;
}
uint32_t queue_of(RdmapOpcode op) {
    if (op == RdmapOpcode::ReadRequest) return kQnReadRequest;
    if (op == RdmapOpcode::Terminate) return kQnTerminate;
    return kQnSend;
}

void encode_read_request(const ReadRequestHeader& h, Bytes& out) {
    put_be32(out, h.sink_stag);
    put_be64(out, h.sink_to);
    put_be32(out, h.size);
    put_be32(out, h.src_stag);
    put_be64(out, h.src_to);
}

std::optional<ReadRequestHeader> decode_read_request(ByteView bytes) {
    ByteReader rd(bytes);
    ReadRequestHeader h;
    h.sink_stag = rd.be32();
    h.sink_to = rd.be64();
    h.size = rd.be32();
    h.src_stag = rd.be32();
    h.src_to = rd.be64();
    if (!rd.ok()) return std::nullopt;
    return h;
}

namespace {
constexpr uint16_t kTermM = 0x8000, kTermD = 0x4000, kTermR = 0x2000;
}

void encode_terminate(const TerminateMessage& t, Bytes& out) {
    put_u8(out, uint8_t(uint8_t(t.cause.layer) << 4 | (t.cause.etype & 0x0F)));
    put_u8(out, t.cause.code);
    uint16_t flags = (t.ddp_segment_length ? kTermM : 0) | (!t.ddp_header.empty() ? kTermD : 0) |
                     (!t.rdmap_header.empty() ? kTermR : 0);
    put_be16(out, flags);
    // With D, the DDP Segment Length field leads the copied header (it is present, zero if
    // not valid, so the header stays at a fixed place).
    if (!t.ddp_header.empty()) {
        put_be16(out, t.ddp_segment_length.value_or(0));
        put_bytes(out, t.ddp_header);
    }
    put_bytes(out, t.rdmap_header);
}

std::optional<TerminateMessage> decode_terminate(ByteView bytes) {
    ByteReader rd(bytes);
    TerminateMessage t;
    uint8_t le = rd.u8();
    t.cause.layer = TermLayer(le >> 4);
    t.cause.etype = le & 0x0F;
    t.cause.code = rd.u8();
    uint16_t flags = rd.be16();
    if (!rd.ok() || (le >> 4) > 2) return std::nullopt;
    if (flags & kTermD) {
        uint16_t seg_len = rd.be16();
        if (flags & kTermM) t.ddp_segment_length = seg_len;
        // The copied header's own T bit gives its size. (Wireshark instead guesses from
        // EType == 1, so senders should pair tagged headers with EType 1 errors.)
        bool tagged = rd.remaining() > 0 && (bytes[rd.position()] & 0x80);
        size_t n = tagged ? kDdpTaggedHeaderSize : kDdpUntaggedHeaderSize;
        ByteView h = rd.bytes(n);
        t.ddp_header = h.to_bytes();
    }
    if (flags & kTermR) t.rdmap_header = rd.bytes(kReadRequestHeaderSize).to_bytes();
    if (!rd.ok()) return std::nullopt;
    return t;
}

}  // namespace nicsim::proto
