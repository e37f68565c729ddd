#include "tcp_header.h"

#include <algorithm>
#include <stdexcept>

#include "inet_checksum.h"

namespace nicsim::proto {

namespace {

constexpr size_t kSackBlockSize = 8;

size_t fixed_options_size(const TcpOptions& o) {
    size_t n = 0;
    if (o.mss) n += 4;
    if (o.timestamps || o.sack_permitted) n += o.timestamps ? 12 : 4;  // SACK-perm rides along
    if (o.window_scale) n += 4;
    return n;
}

// SACK blocks that fit beside the other options: NOP NOP kind len + 8 per block.
size_t sack_blocks_sent(const TcpOptions& o) {
    if (o.sack_blocks.empty()) return 0;
    size_t room = kTcpMaxOptionsSize - std::min(kTcpMaxOptionsSize, fixed_options_size(o));
    if (room < 4 + kSackBlockSize) return 0;
    return std::min(o.sack_blocks.size(), (room - 4) / kSackBlockSize);
}

}  // namespace

size_t encoded_tcp_options_size(const TcpOptions& o) {
    size_t blocks = sack_blocks_sent(o);
    return fixed_options_size(o) + (blocks ? 4 + kSackBlockSize * blocks : 0);
}

void encode_tcp_options(Bytes& out, const TcpOptions& o) {
    if (o.mss) {
        put_u8(out, kTcpOptMss);
        put_u8(out, 4);
        put_be16(out, *o.mss);
    }
    if (o.timestamps) {
        if (o.sack_permitted) {
            put_u8(out, kTcpOptSackPermitted);
            put_u8(out, 2);
        } else {
            put_u8(out, kTcpOptNop);
            put_u8(out, kTcpOptNop);
        }
        put_u8(out, kTcpOptTimestamps);
        put_u8(out, 10);
        put_be32(out, o.timestamps->value);
        put_be32(out, o.timestamps->echo_reply);
    } else if (o.sack_permitted) {
        put_u8(out, kTcpOptNop);
        put_u8(out, kTcpOptNop);
        put_u8(out, kTcpOptSackPermitted);
        put_u8(out, 2);
    }
    if (o.window_scale) {
        put_u8(out, kTcpOptNop);
        put_u8(out, kTcpOptWindowScale);
        put_u8(out, 3);
        put_u8(out, *o.window_scale);
    }
    if (size_t blocks = sack_blocks_sent(o)) {
        put_u8(out, kTcpOptNop);
        put_u8(out, kTcpOptNop);
        put_u8(out, kTcpOptSack);
        put_u8(out, uint8_t(2 + kSackBlockSize * blocks));
        for (size_t i = 0; i < blocks; ++i) {
            put_be32(out, o.sack_blocks[i].left);
            put_be32(out, o.sack_blocks[i].right);
        }
    }
}

TcpOptionsDecode decode_tcp_options(ByteView option_bytes) {
    using Status = TcpOptionsDecode::Status;
    TcpOptionsDecode d;
    auto fail = [&d](Status s) {
        if (d.status == Status::Ok) d.status = s;
    };
    ByteReader r(option_bytes);
    while (r.remaining() > 0) {
        const uint8_t kind = r.u8();
        if (kind == kTcpOptEol) break;  // the rest is padding
        if (kind == kTcpOptNop) continue;
        if (r.remaining() == 0) {
            fail(Status::Truncated);
            break;
        }
        const uint8_t len = r.u8();
        if (len < 2) {  // covers itself and the kind byte at least
            fail(Status::BadLength);
            break;
        }
        if (size_t(len - 2) > r.remaining()) {
            fail(Status::Truncated);
            break;
        }
        ByteReader body(r.bytes(len - 2));
        switch (kind) {
            case kTcpOptMss:
                if (len != 4) { fail(Status::BadLengthForKind); break; }
                d.options.mss = body.be16();
                break;
            case kTcpOptWindowScale:
                if (len != 3) { fail(Status::BadLengthForKind); break; }
                d.options.window_scale = body.u8();
                break;
            case kTcpOptSackPermitted:
                if (len != 2) { fail(Status::BadLengthForKind); break; }
                d.options.sack_permitted = true;
                break;
            case kTcpOptTimestamps:
                if (len != 10) { fail(Status::BadLengthForKind); break; }
                d.options.timestamps = TcpTimestamps{body.be32(), body.be32()};
                break;
            case kTcpOptSack:
                if (len < 2 + kSackBlockSize || (len - 2) % kSackBlockSize != 0) {
                    fail(Status::BadLengthForKind);
                    break;
                }
                d.options.sack_blocks.clear();  // a repeated option replaces the blocks
                while (body.remaining() >= kSackBlockSize) {
                    TcpSackBlock b;
                    b.left = body.be32();
                    b.right = body.be32();
                    d.options.sack_blocks.push_back(b);
                }
                break;
            default:
                ++d.unknown_options;
                break;
        }
    }
    return d;
}

void encode_tcp_segment(Bytes& out, const TcpHeader& h, ByteView payload, Ipv4Address src,
                        Ipv4Address dst) {
    const size_t start = out.size();
    const size_t header_len = kTcpMinHeaderSize + encoded_tcp_options_size(h.options);
    const size_t tcp_len = header_len + payload.size;
    if (tcp_len > 0xFFFF) throw std::invalid_argument("TCP segment longer than 65535 bytes");
    put_be16(out, h.src_port);
    put_be16(out, h.dst_port);
    put_be32(out, h.seq);
    put_be32(out, h.ack);
    put_u8(out, uint8_t(header_len / 4) << 4);  // data offset; reserved and NS bits zero
    put_u8(out, h.flags);
    put_be16(out, h.window);
    put_be16(out, 0);  // checksum, patched below
    put_be16(out, h.urgent_pointer);
    encode_tcp_options(out, h.options);
    put_bytes(out, payload);

    InetChecksum c;
    add_ipv4_pseudo_header(c, src.value, dst.value, kIpProtoTcp, uint16_t(tcp_len));
    c.add(ByteView(out.data() + start, tcp_len));
    store_be16(&out[start + 16], c.finish());
}

TcpDecode decode_tcp(ByteView segment) {
    TcpDecode d;
    ByteReader r(segment);
    TcpHeader& h = d.header;
    h.src_port = r.be16();
    h.dst_port = r.be16();
    h.seq = r.be32();
    h.ack = r.be32();
    const uint8_t offset_byte = r.u8();
    h.flags = r.u8();
    h.window = r.be16();
    h.checksum = r.be16();
    h.urgent_pointer = r.be16();
    if (!r.ok()) return d;  // Truncated
    d.header_length = size_t(offset_byte >> 4) * 4;
    if (d.header_length < kTcpMinHeaderSize) {
        d.status = TcpDecode::Status::BadDataOffset;
        return d;
    }
    ByteView option_bytes = r.bytes(d.header_length - kTcpMinHeaderSize);
    if (!r.ok()) return d;  // Truncated: options run past the segment
    TcpOptionsDecode od = decode_tcp_options(option_bytes);
    h.options = std::move(od.options);
    d.options_status = od.status;
    d.unknown_options = od.unknown_options;
    d.payload = r.rest();
    d.status = TcpDecode::Status::Ok;
    return d;
}

bool tcp_checksum_ok(ByteView segment, Ipv4Address src, Ipv4Address dst) {
    if (segment.size > 0xFFFF) return false;
    InetChecksum c;
    add_ipv4_pseudo_header(c, src.value, dst.value, kIpProtoTcp, uint16_t(segment.size));
    c.add(segment);
    return c.finish() == 0;
}

const char* to_string(TcpDecode::Status s) {
    switch (s) {
        case TcpDecode::Status::Ok: return "ok";
        case TcpDecode::Status::Truncated: return "truncated TCP header";
        case TcpDecode::Status::BadDataOffset: return "TCP data offset below 5";
    }
    return "?";
}

const char* to_string(TcpOptionsDecode::Status s) {
    switch (s) {
        case TcpOptionsDecode::Status::Ok: return "ok";
        case TcpOptionsDecode::Status::Truncated: return "TCP option runs past the header";
        case TcpOptionsDecode::Status::BadLength: return "TCP option length below 2";
        case TcpOptionsDecode::Status::BadLengthForKind: return "TCP option with wrong length";
    }
    return "?";
}

}  // namespace nicsim::proto
