// MPA FPDU framing (RFC 5044 §4.1, §4.4):
//   ULPDU_Length (u16) | ULPDU | PAD (0-3 zero bytes) | CRC32c (LSB first)
// with markers inserted when the direction negotiated them. The CRC covers the length, the
// ULPDU, the PAD and every marker inside the FPDU; when CRC is off the field is sent as zero.
#pragma once

#include "bytes.h"

namespace nicsim::proto {

constexpr size_t kMpaLengthSize = 2;
constexpr size_t kMpaCrcSize = 4;
constexpr size_t kMaxUlpduLength = 0xFFFF;

inline size_t mpa_pad_length(size_t ulpdu_len) { return (4 - (kMpaLengthSize + ulpdu_len) % 4) % 4; }

// FPDU size without markers: 2 + N + PAD + 4.
inline size_t mpa_plain_fpdu_length(size_t ulpdu_len) {
    return kMpaLengthSize + ulpdu_len + mpa_pad_length(ulpdu_len) + kMpaCrcSize;
}

struct MpaFramingOptions {
    bool markers = false;  // this direction carries markers
    bool crc = true;       // CRC negotiated (C = 1 in Request or Reply)
};

// Frames one ULPDU (at most 65535 bytes) into an FPDU that starts at `stream_offset` (bytes
// since this direction's first FPDU; only matters with markers).
Bytes mpa_frame_fpdu(ByteView ulpdu, const MpaFramingOptions& opt, uint64_t stream_offset = 0);

// Wire length of that FPDU, markers included.
size_t mpa_fpdu_wire_length(size_t ulpdu_len, bool markers, uint64_t stream_offset);

// MULPDU (RFC 5044 §4.5 / protocol.md 1.4): the largest ULPDU whose FPDU fits in one segment
// of EMSS bytes. With markers, the worst case of ceil(EMSS/512) markers is reserved.
size_t mpa_mulpdu(size_t emss, bool markers);

}  // namespace nicsim::proto
