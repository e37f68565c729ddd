// Reads classic libpcap files: either timestamp resolution (magic 0xa1b2c3d4 microseconds,
// 0xa1b23c4d nanoseconds) in either byte order. The whole file is held in memory and every
// record is bounds-checked, so a truncated or corrupt file ends the iteration with an error
// instead of a crash.
#pragma once

#include <optional>
#include <string>

#include "bytes.h"

namespace nicsim::proto {

struct PcapRecord {
    uint64_t time_ns = 0;   // microsecond files are scaled to nanoseconds
    uint32_t orig_len = 0;  // length on the wire; data.size may be less (snaplen)
    ByteView data;          // points into the reader's buffer
};

class PcapReader {
public:
    explicit PcapReader(Bytes contents);
    // Reads the whole file; a missing file gives ok() == false with the reason in error().
    static PcapReader open(const std::string& path);

    // False if the file header is bad, or once next() met a truncated or corrupt record.
    bool ok() const { return error_.empty(); }
    const std::string& error() const { return error_; }

    bool nanosecond() const { return nanosecond_; }
    uint16_t version_major() const { return version_major_; }
    uint16_t version_minor() const { return version_minor_; }
    uint32_t snaplen() const { return snaplen_; }
    uint32_t linktype() const { return linktype_; }

    // The next record, or nullopt at the end of the file or on error (then ok() is false).
    std::optional<PcapRecord> next();

private:
    uint32_t u32(const uint8_t* p) const;
    uint16_t u16(const uint8_t* p) const;
    Bytes buf_;
    size_t pos_ = 0;
    std::string error_;
    bool swapped_ = false;  // file written big-endian
    bool nanosecond_ = false;
    uint16_t version_major_ = 0;
    uint16_t version_minor_ = 0;
    uint32_t snaplen_ = 0;
    uint32_t linktype_ = 0;
};

}  // namespace nicsim::proto
