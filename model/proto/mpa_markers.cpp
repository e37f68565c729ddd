#include "mpa_markers.h"

#include <algorithm>
#include <stdexcept>

namespace nicsim::proto {

size_t markers_in_fpdu(uint64_t stream_offset, size_t plain_len) {
    // Walk 512-byte windows: each marker pushes the remaining bytes 4 further. A marker is
    // inside the FPDU if it is met before the last 4 plain bytes (the CRC) have been placed,
    // i.e. markers may sit before the first word and before the CRC, never after it.
    size_t count = 0;
    uint64_t pos = stream_offset;
    size_t left = plain_len;
    uint64_t marker = next_marker_offset(pos);
    while (left > 0) {
        if (pos == marker) {
            ++count;
            pos += kMarkerSize;
            marker += kMarkerSpacing;
            continue;
        }
        size_t run = size_t(std::min<uint64_t>(left, marker - pos));
        pos += run;
        left -= run;
    }
    return count;
}

uint16_t fpduptr_for(uint64_t fpdu_offset, uint64_t marker_offset) {
    if (marker_offset == fpdu_offset) return 0;
    // ULPDU_Length follows the leading marker when the FPDU starts on a marker position.
    uint64_t header = is_marker_offset(fpdu_offset) ? fpdu_offset + kMarkerSize : fpdu_offset;
    return uint16_t(marker_offset - header);
}

uint64_t fpdu_start_from_marker(uint64_t marker_offset, uint16_t fpduptr) {
    uint16_t ptr = uint16_t(fpduptr & ~3u);
    if (ptr == 0) return marker_offset;  // the marker leads the FPDU it belongs to
    uint64_t header = marker_offset >= ptr ? marker_offset - ptr : 0;
    // A header that sits right after a marker position belongs to an FPDU starting there.
    if (header >= kMarkerSize && is_marker_offset(header - kMarkerSize)) return header - kMarkerSize;
    return header;
}

Bytes insert_markers(ByteView plain, uint64_t stream_offset) {
    Bytes out;
    out.reserve(plain.size + kMarkerSize * (plain.size / kMarkerSpacing + 2));
    uint64_t pos = stream_offset;
    uint64_t marker = next_marker_offset(pos);
    size_t in = 0;
    for (;;) {
        if (pos == marker) {  // checked first: a marker at the end of `plain` precedes the CRC
            uint64_t header = is_marker_offset(stream_offset) ? stream_offset + kMarkerSize : stream_offset;
            if (pos != stream_offset && pos - header > kMaxFpduptr)
                throw std::length_error("FPDU too long for markers: FPDUPTR exceeds 16 bits");
            put_be16(out, 0);
            put_be16(out, fpduptr_for(stream_offset, pos));
            pos += kMarkerSize;
            marker += kMarkerSpacing;
        } else if (in < plain.size) {
            size_t run = size_t(std::min<uint64_t>(plain.size - in, marker - pos));
            out.insert(out.end(), plain.data + in, plain.data + in + run);
            in += run;
            pos += run;
        } else {
            break;
        }
    }
    return out;
}

}  // namespace nicsim::proto

namespace nicsim::proto {

void strip_markers(ByteView raw, uint64_t stream_offset, Bytes& clean, std::vector<SeenMarker>& seen) {
    uint64_t pos = stream_offset;
    uint64_t marker = next_marker_offset(pos);
    size_t in = 0;
    while (in < raw.size) {
        if (pos == marker) {
            if (raw.size - in < kMarkerSize) break;  // partial marker: caller passes whole ones
            seen.push_back({pos, load_be16(raw.data + in), load_be16(raw.data + in + 2)});
            in += kMarkerSize;
            pos += kMarkerSize;
            marker += kMarkerSpacing;
            continue;
        }
        size_t run = size_t(std::min<uint64_t>(raw.size - in, marker - pos));
        clean.insert(clean.end(), raw.data + in, raw.data + in + run);
        in += run;
        pos += run;
    }
}

}  // namespace nicsim::proto
