#include "islands/stream_timing.h"

#include "proto/mpa_markers.h"

namespace nicsim::islands {

namespace {
size_t beats(size_t bytes, unsigned w) { return (bytes + w - 1) / w; }
}  // namespace

std::vector<uint64_t> crc32c_eop_cycles(const std::vector<size_t>& lengths, unsigned data_bytes) {
    std::vector<uint64_t> eop;
    uint64_t in = 0;
    for (size_t len : lengths) {
        in += beats(len, data_bytes);
        eop.push_back(in);  // last beat accepted in cycle in-1, leaves in cycle in
    }
    return eop;
}

std::vector<uint64_t> marker_insert_eop_cycles(const std::vector<size_t>& out_lengths, unsigned data_bytes) {
    std::vector<uint64_t> eop;
    uint64_t out = 0;
    for (size_t len : out_lengths) {
        out += beats(len, data_bytes);
        eop.push_back(out);
    }
    return eop;
}

// Mirrors the word buffer of mpa_marker_strip: NW words per beat, at most NW buffered, a
// packet tail that does not fit drains in the next cycle while the next packet moves in.
std::vector<uint64_t> marker_strip_eop_cycles(const std::vector<size_t>& raw_lengths,
                                              const std::vector<uint64_t>& stream_offsets,
                                              bool markers, unsigned data_bytes) {
    const size_t nw = data_bytes / 4;
    std::vector<uint64_t> eop(raw_lengths.size(), 0);
    uint64_t cycle = 0;
    size_t buf = 0;
    bool buf_eop = false;
    size_t buf_pkt = 0;
    for (size_t p = 0; p < raw_lengths.size(); ++p) {
        size_t words = raw_lengths[p] / 4;
        uint64_t pos = stream_offsets[p];
        for (size_t w0 = 0; w0 < words; w0 += nw, ++cycle) {
            size_t k = std::min(nw, words - w0);
            uint64_t beat_pos = pos + 4 * w0;
            uint64_t next = proto::next_marker_offset(beat_pos);
            bool mk = markers && next < beat_pos + 4 * k;
            size_t clean = k - (mk ? 1 : 0);
            bool last = w0 + k == words;
            if (buf_eop) {  // drain the previous tail, this beat refills the buffer
                eop[buf_pkt] = cycle + 1;
                buf = clean;
                buf_eop = last;
                buf_pkt = p;
                continue;
            }
            size_t avail = buf + clean;
            if (last && avail <= nw) {
                eop[p] = cycle + 1;
                buf = 0;
            } else if (avail >= nw) {
                buf = avail - nw;
                buf_eop = last;
                buf_pkt = p;
            } else {
                buf = avail;
            }
        }
    }
    if (buf_eop) eop[buf_pkt] = cycle + 1;
    return eop;
}

}  // namespace nicsim::islands
