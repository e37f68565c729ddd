#include "pcap_reader.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "pcap_writer.h"

namespace nicsim::proto {

uint32_t PcapReader::u32(const uint8_t* p) const { return swapped_ ? load_be32(p) : load_le32(p); }
uint16_t PcapReader::u16(const uint8_t* p) const {
    return swapped_ ? load_be16(p) : uint16_t(p[0] | p[1] << 8);
}

PcapReader::PcapReader(Bytes contents) : buf_(std::move(contents)) {
    if (buf_.size() < kPcapFileHeaderSize) {
        error_ = "pcap file header truncated";
        return;
    }
    const uint32_t magic_le = load_le32(buf_.data());
    const uint32_t magic_be = load_be32(buf_.data());
    if (magic_le == kPcapMagicMicroseconds || magic_le == kPcapMagicNanoseconds) {
        nanosecond_ = magic_le == kPcapMagicNanoseconds;
    } else if (magic_be == kPcapMagicMicroseconds || magic_be == kPcapMagicNanoseconds) {
        swapped_ = true;
        nanosecond_ = magic_be == kPcapMagicNanoseconds;
    } else {
        error_ = "not a pcap file (bad magic)";
        return;
    }
    version_major_ = u16(&buf_[4]);
    version_minor_ = u16(&buf_[6]);
    snaplen_ = u32(&buf_[16]);
    linktype_ = u32(&buf_[20]) & 0x0FFFFFFF;  // upper bits: FCS-length flags (pcap-linktype)
    if (version_major_ != kPcapVersionMajor) {
        error_ = "unsupported pcap version " + std::to_string(version_major_);
        return;
    }
    pos_ = kPcapFileHeaderSize;
}

PcapReader PcapReader::open(const std::string& path) {
    Bytes contents;
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) {
        PcapReader r(Bytes{});
        r.error_ = "cannot open " + path + ": " + std::strerror(errno);
        return r;
    }
    uint8_t chunk[65536];
    size_t n;
    while ((n = std::fread(chunk, 1, sizeof chunk, f)) > 0) contents.insert(contents.end(), chunk, chunk + n);
    std::fclose(f);
    return PcapReader(std::move(contents));
}

std::optional<PcapRecord> PcapReader::next() {
    if (!ok() || pos_ == buf_.size()) return std::nullopt;
    if (buf_.size() - pos_ < kPcapRecordHeaderSize) {
        error_ = "pcap record header truncated at offset " + std::to_string(pos_);
        return std::nullopt;
    }
    const uint8_t* h = &buf_[pos_];
    const uint32_t sec = u32(h), frac = u32(h + 4), incl = u32(h + 8), orig = u32(h + 12);
    if (frac >= (nanosecond_ ? 1000000000u : 1000000u)) {
        error_ = "pcap record with bad sub-second timestamp at offset " + std::to_string(pos_);
        return std::nullopt;
    }
    if (incl > buf_.size() - pos_ - kPcapRecordHeaderSize) {
        error_ = "pcap record data truncated at offset " + std::to_string(pos_);
        return std::nullopt;
    }
    PcapRecord rec;
    rec.time_ns = uint64_t(sec) * 1000000000u + (nanosecond_ ? frac : uint64_t(frac) * 1000u);
    rec.orig_len = orig;
    rec.data = ByteView(h + kPcapRecordHeaderSize, incl);
    pos_ += kPcapRecordHeaderSize + incl;
    return rec;
}

}  // namespace nicsim::proto
