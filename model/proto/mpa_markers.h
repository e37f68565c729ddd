// MPA markers (RFC 5044 §4.2-4.3): a 4-byte marker {reserved u16 = 0, FPDUPTR u16} at every
// 512th octet of one direction's TCP stream, counted from the first octet of its first FPDU
// (the octet after the MPA Request/Reply), in raw stream space (marker bytes count).
//
// Conventions used throughout the model (see docs/architecture.md, "markers"):
//  * "stream offset" = TCP sequence number minus the sequence number of the first FPDU.
//  * A marker that falls exactly on an FPDU boundary belongs to the FPDU that follows; it
//    precedes that FPDU's ULPDU_Length, is covered by its CRC, and carries FPDUPTR = 0.
//  * A marker between the PAD and the CRC belongs to the current FPDU.
//  * Otherwise FPDUPTR = marker offset - offset of the FPDU's ULPDU_Length field, so a
//    receiver finds the FPDU header at (marker - FPDUPTR), or at (marker + 4) when FPDUPTR = 0.
#pragma once

#include "bytes.h"

namespace nicsim::proto {

constexpr uint32_t kMarkerSpacing = 512;
constexpr uint32_t kMarkerSize = 4;
// FPDUPTR is 16 bits, so with markers an FPDU cannot reach 64 KiB: no marker may sit more
// than 0xFFFC bytes after its FPDU's header. (MULPDU keeps real FPDUs far below this.)
constexpr uint32_t kMaxFpduptr = 0xFFFC;

inline bool is_marker_offset(uint64_t stream_offset) { return stream_offset % kMarkerSpacing == 0; }
inline uint64_t next_marker_offset(uint64_t stream_offset) {  // first marker at or after offset
    return (stream_offset + kMarkerSpacing - 1) / kMarkerSpacing * kMarkerSpacing;
}

// Number of markers inside an FPDU that starts at `stream_offset` and whose marker-free
// length (ULPDU_Length + ULPDU + PAD + CRC) is `plain_len` (a multiple of 4).
size_t markers_in_fpdu(uint64_t stream_offset, size_t plain_len);

// Marker value for a marker at `marker_offset` inside the FPDU that starts at `fpdu_offset`.
uint16_t fpduptr_for(uint64_t fpdu_offset, uint64_t marker_offset);

// Stream offset of the FPDU header that a marker at `marker_offset` with `fpduptr` points to
// (the FPDU's start, including a leading marker). Two LSBs of FPDUPTR are ignored (RFC).
uint64_t fpdu_start_from_marker(uint64_t marker_offset, uint16_t fpduptr);

// Inserts markers into `plain_no_crc` (ULPDU_Length + ULPDU + PAD) for an FPDU starting at
// `stream_offset`, including a marker that falls right before the CRC. The CRC is not part
// of the input because it must be computed over the marked bytes.
Bytes insert_markers(ByteView plain_no_crc, uint64_t stream_offset);

}  // namespace nicsim::proto

namespace nicsim::proto {

struct SeenMarker {
    uint64_t stream_offset;
    uint16_t reserved;
    uint16_t fpduptr;
};

// The receive twin of insert_markers: copies `raw` (which starts at `stream_offset`) without
// its markers into `clean`, and appends each marker it removed to `seen`.
void strip_markers(ByteView raw, uint64_t stream_offset, Bytes& clean, std::vector<SeenMarker>& seen);

}  // namespace nicsim::proto
