// The MPA receive de-framer: takes one direction's TCP byte stream (after the MPA
// Request/Reply) cut at arbitrary segment boundaries, finds FPDUs, strips markers, checks
// FPDUPTRs and CRCs and hands out ULPDUs. Input is untrusted: every failure maps to the
// Terminate cause of RFC 5044 §8 and stops the de-framer (the connection is then torn down).
//
// With markers on it can also find FPDUs inside an out-of-order segment (locate_fpdus), which
// is what markers exist for (RFC 5044 §4.2).
#pragma once

#include <optional>
#include <vector>

#include "bytes.h"
#include "terminate_codes.h"

namespace nicsim::proto {

struct MpaReceiveOptions {
    bool markers = false;        // the peer sends markers in this direction
    bool crc = true;             // CRC negotiated: check it
    size_t min_ulpdu = 14;       // shorter cannot hold a DDP header (ULPDU_Length underflow)
    size_t max_ulpdu = 0xFFFF;   // receiver's limit (e.g. ~16 KiB on Chelsio hardware)
};

struct ReceivedFpdu {
    uint64_t stream_offset = 0;  // first byte of the FPDU (a leading marker included)
    size_t wire_length = 0;      // bytes on the wire, markers included
    Bytes ulpdu;
    uint32_t crc_received = 0;
};

// Result of trying to read one FPDU at the start of `raw`.
struct FpduParse {
    enum class Status { Ok, NeedMore, Error } status = Status::NeedMore;
    ReceivedFpdu fpdu;
    TermCause error{};
};

// Parses the FPDU that begins at raw[0] == stream offset `stream_offset` (4-aligned).
FpduParse parse_fpdu(ByteView raw, uint64_t stream_offset, const MpaReceiveOptions& opt);

class MpaDeframer {
public:
    explicit MpaDeframer(MpaReceiveOptions opt, uint64_t start_offset = 0)
        : opt_(opt), offset_(start_offset) {}

    // Appends the in-order bytes and the FPDUs they complete to `out`. After an error,
    // further input is ignored.
    void feed(ByteView bytes, std::vector<ReceivedFpdu>& out);

    const std::optional<TermCause>& error() const { return error_; }
    uint64_t next_fpdu_offset() const { return offset_; }  // stream offset of the next FPDU
    size_t buffered() const { return pending_.size() - head_; }

private:
    MpaReceiveOptions opt_;
    uint64_t offset_;
    Bytes pending_;
    size_t head_ = 0;           // consumed prefix of pending_, compacted lazily
    size_t need_ = 0;           // wire length of the incomplete FPDU at head_, once known
    uint64_t checked_end_ = 0;  // stream offset up to which markers were last checked
    std::optional<TermCause> error_;
};

// Out-of-order help: the complete FPDUs inside `segment` (which starts at `segment_offset`),
// found through a marker's FPDUPTR and then by walking ULPDU_Length fields. Needs markers.
// FPDUs failing their checks are not returned.
std::vector<ReceivedFpdu> locate_fpdus(ByteView segment, uint64_t segment_offset, const MpaReceiveOptions& opt);

}  // namespace nicsim::proto
