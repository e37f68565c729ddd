#include "pcap_writer.h"

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace nicsim::proto {

namespace {

void put_le16(Bytes& out, uint16_t v) {
    out.push_back(uint8_t(v));
    out.push_back(uint8_t(v >> 8));
}

}  // namespace

void encode_pcap_file_header(Bytes& out, uint32_t snaplen) {
    put_le32(out, kPcapMagicNanoseconds);
    put_le16(out, kPcapVersionMajor);
    put_le16(out, kPcapVersionMinor);
    put_le32(out, 0);  // thiszone: always 0
    put_le32(out, 0);  // sigfigs: always 0
    put_le32(out, snaplen);
    put_le32(out, kLinktypeEthernet);
}

void encode_pcap_record(Bytes& out, uint64_t time_ns, ByteView frame, uint32_t snaplen) {
    const uint64_t sec = time_ns / 1000000000u;
    if (sec > 0xFFFFFFFFu) throw std::out_of_range("pcap timestamp beyond 32-bit seconds");
    if (frame.size > 0xFFFFFFFFu) throw std::out_of_range("pcap frame longer than 4 GiB");
    const uint32_t incl = frame.size < snaplen ? uint32_t(frame.size) : snaplen;
    put_le32(out, uint32_t(sec));
    put_le32(out, uint32_t(time_ns % 1000000000u));
    put_le32(out, incl);
    put_le32(out, uint32_t(frame.size));
    put_bytes(out, frame.sub(0, incl));
}

PcapWriter::PcapWriter(const std::string& path, PcapOptions options)
    : path_(path), options_(options) {
    file_ = std::fopen(path.c_str(), "wb");
    if (!file_)
        throw std::runtime_error("cannot create pcap " + path + ": " + std::strerror(errno));
    scratch_.clear();
    encode_pcap_file_header(scratch_, options_.snaplen);
    put(scratch_);
}

PcapWriter::~PcapWriter() {
    if (file_) std::fclose(file_);  // no throwing from a destructor; call close() to check
}

void PcapWriter::write(uint64_t time_ps, ByteView frame) {
    if (!file_) throw std::runtime_error("pcap " + path_ + " is closed");
    scratch_.clear();
    encode_pcap_record(scratch_, options_.epoch_ns + time_ps / 1000u, frame, options_.snaplen);
    put(scratch_);
    ++records_;
}

void PcapWriter::flush() {
    if (file_ && std::fflush(file_) != 0)
        throw std::runtime_error("cannot write pcap " + path_ + ": " + std::strerror(errno));
}

void PcapWriter::close() {
    if (!file_) return;
    std::FILE* f = file_;
    file_ = nullptr;
    if (std::fclose(f) != 0)
        throw std::runtime_error("cannot write pcap " + path_ + ": " + std::strerror(errno));
}

void PcapWriter::put(const Bytes& b) {
    if (std::fwrite(b.data(), 1, b.size(), file_) != b.size())
        throw std::runtime_error("cannot write pcap " + path_ + ": " + std::strerror(errno));
}

}  // namespace nicsim::proto
