// libpcap capture files (the classic format, not pcapng), as Wireshark and tcpdump read them.
//
// Files written here are always nanosecond-resolution (magic 0xa1b23c4d), version 2.4,
// LINKTYPE_ETHERNET, little-endian regardless of the host, so a golden capture is
// byte-identical everywhere. Frames are written without FCS, the usual for Ethernet captures
// (Wireshark would otherwise show the FCS as trailing bytes).
//
// Timestamps come in as the model's integer picoseconds and are truncated to whole
// nanoseconds; `epoch_ns` shifts simulated time 0 to a wall-clock instant if wanted.
#pragma once

#include <cstdio>
#include <string>

#include "bytes.h"

namespace nicsim::proto {

constexpr uint32_t kPcapMagicMicroseconds = 0xa1b2c3d4;
constexpr uint32_t kPcapMagicNanoseconds = 0xa1b23c4d;
constexpr uint16_t kPcapVersionMajor = 2;
constexpr uint16_t kPcapVersionMinor = 4;
constexpr uint32_t kLinktypeEthernet = 1;
constexpr uint32_t kPcapDefaultSnaplen = 262144;  // what tcpdump and Wireshark use
constexpr size_t kPcapFileHeaderSize = 24;
constexpr size_t kPcapRecordHeaderSize = 16;

struct PcapOptions {
    uint32_t snaplen = kPcapDefaultSnaplen;  // longer frames are cut, orig_len keeps the truth
    uint64_t epoch_ns = 0;                   // wall-clock time of simulated time 0
};

// In-memory encoders (the writer uses them; tests and tools can too).
void encode_pcap_file_header(Bytes& out, uint32_t snaplen = kPcapDefaultSnaplen);
// Throws std::out_of_range if the time does not fit the 32-bit seconds field (year 2106).
void encode_pcap_record(Bytes& out, uint64_t time_ns, ByteView frame,
                        uint32_t snaplen = kPcapDefaultSnaplen);

class PcapWriter {
public:
    // Creates or truncates `path` and writes the file header; std::runtime_error on failure.
    explicit PcapWriter(const std::string& path, PcapOptions options = {});
    ~PcapWriter();
    PcapWriter(const PcapWriter&) = delete;
    PcapWriter& operator=(const PcapWriter&) = delete;

    // Appends one FCS-less frame seen at `time_ps` picoseconds of simulated time.
    void write(uint64_t time_ps, ByteView frame);
    void flush();
    void close();  // also done by the destructor; std::runtime_error if a write failed

    uint64_t records() const { return records_; }
    const std::string& path() const { return path_; }

private:
    void put(const Bytes& b);
    std::string path_;
    PcapOptions options_;
    std::FILE* file_ = nullptr;
    uint64_t records_ = 0;
    Bytes scratch_;
};

}  // namespace nicsim::proto
