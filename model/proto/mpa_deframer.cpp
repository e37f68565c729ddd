#include "mpa_deframer.h"

#include "crc32c.h"
#include "mpa_fpdu.h"
#include "mpa_markers.h"

namespace nicsim::proto {

FpduParse parse_fpdu(ByteView raw, uint64_t offset, const MpaReceiveOptions& opt) {
    FpduParse r;
    auto fail = [&r](TermCause why) {
        r.status = FpduParse::Status::Error;
        r.error = why;
        return r;
    };
    // A marker cannot split ULPDU_Length (FPDUs start 4-aligned), so it sits at 0 or 4.
    size_t length_at = opt.markers && is_marker_offset(offset) ? kMarkerSize : 0;
    if (raw.size < length_at + kMpaLengthSize) return r;
    size_t ulpdu_len = load_be16(raw.data + length_at);
    if (ulpdu_len < opt.min_ulpdu || ulpdu_len > opt.max_ulpdu) return fail(term::kMpaMarkerMismatch);

    size_t plain = mpa_plain_fpdu_length(ulpdu_len);
    size_t wire = opt.markers ? plain + kMarkerSize * markers_in_fpdu(offset, plain) : plain;
    if (opt.markers) {  // the FPDU's last marker (at most just before the CRC) must fit FPDUPTR
        uint64_t last = (offset + wire - kMpaCrcSize - kMarkerSize) / kMarkerSpacing * kMarkerSpacing;
        if (last > offset && last - (offset + length_at) > kMaxFpduptr) return fail(term::kMpaMarkerMismatch);
    }
    ByteView have = raw.sub(0, wire);

    Bytes clean;
    if (opt.markers) {
        // Check the markers already received, so a corrupt length is caught before we wait
        // for up to 64 KiB that will never frame correctly.
        std::vector<SeenMarker> seen;
        clean.reserve(plain);
        strip_markers(have, offset, clean, seen);  // stops before a partial marker
        // Strict RFC rule: each marker holds exactly the FPDUPTR the sender must write
        // (two LSBs ignored) and a zero reserved half.
        for (const SeenMarker& m : seen)
            if (m.reserved != 0 || uint16_t(m.fpduptr & ~3u) != fpduptr_for(offset, m.stream_offset))
                return fail(term::kMpaMarkerMismatch);
    }
    if (have.size < wire) {
        r.fpdu.wire_length = wire;  // tells the caller how much to wait for
        return r;
    }

    r.fpdu.crc_received = load_le32(raw.data + wire - kMpaCrcSize);
    if (opt.crc && crc32c(raw.sub(0, wire - kMpaCrcSize)) != r.fpdu.crc_received) return fail(term::kMpaCrcError);
    ByteView body = opt.markers ? ByteView(clean) : raw;
    r.fpdu.ulpdu.assign(body.data + kMpaLengthSize, body.data + kMpaLengthSize + ulpdu_len);
    r.fpdu.stream_offset = offset;
    r.fpdu.wire_length = wire;
    r.status = FpduParse::Status::Ok;
    return r;
}

void MpaDeframer::feed(ByteView bytes, std::vector<ReceivedFpdu>& out) {
    if (error_) return;
    pending_.insert(pending_.end(), bytes.data, bytes.data + bytes.size);
    for (;;) {
        // Re-parse an incomplete FPDU only when it may complete or a new marker has arrived
        // to check; otherwise tiny segments would make framing quadratic.
        uint64_t have_end = offset_ + buffered();
        if (need_ && buffered() < need_ && next_marker_offset(checked_end_) + kMarkerSize > have_end) break;
        checked_end_ = have_end;
        FpduParse p = parse_fpdu(ByteView(pending_).sub(head_), offset_, opt_);
        if (p.status == FpduParse::Status::NeedMore) {
            need_ = p.fpdu.wire_length;
            break;
        }
        need_ = 0;
        if (p.status == FpduParse::Status::Error) {
            error_ = p.error;
            break;
        }
        head_ += p.fpdu.wire_length;
        offset_ += p.fpdu.wire_length;
        out.push_back(std::move(p.fpdu));
    }
    if (head_ > 4096 && head_ * 2 > pending_.size()) {  // amortised O(1) per byte
        pending_.erase(pending_.begin(), pending_.begin() + long(head_));
        head_ = 0;
    }
}

std::vector<ReceivedFpdu> locate_fpdus(ByteView seg, uint64_t seg_offset, const MpaReceiveOptions& opt) {
    std::vector<ReceivedFpdu> found;
    if (!opt.markers) return found;
    // Try each marker in the segment until one points at an FPDU start inside it.
    for (uint64_t m = next_marker_offset(seg_offset); m + kMarkerSize <= seg_offset + seg.size; m += kMarkerSpacing) {
        uint16_t ptr = load_be16(seg.data + (m - seg_offset) + 2);
        uint64_t start = fpdu_start_from_marker(m, ptr);
        if (start < seg_offset || start % 4 != 0) continue;  // header lies before this segment
        uint64_t at = start;
        while (at < seg_offset + seg.size) {
            FpduParse p = parse_fpdu(seg.sub(size_t(at - seg_offset)), at, opt);
            if (p.status != FpduParse::Status::Ok) break;
            at += p.fpdu.wire_length;
            found.push_back(std::move(p.fpdu));
        }
        break;
    }
    return found;
}

}  // namespace nicsim::proto
