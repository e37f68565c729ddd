#include "net/pcap_tap.h"

namespace nicsim::net {

PcapTap::PcapTap(const std::string& path) : writer_(path) {}

PcapTap::~PcapTap() {
    try {
        close();
    } catch (...) {  // a destructor must not throw; close() explicitly to see errors
    }
}

void PcapTap::attach(EthernetLink& link) {
    link.add_tap([this](timing::Ps t, const EthFrame& f) { record(t, f); });
}

void PcapTap::record(timing::Ps first_byte, const EthFrame& frame) {
    held_.push({first_byte, seq_++, frame});
    ++frames_;
    // Links schedule frames at or after the current time, so anything earlier is final.
    flush_before(timing::now_ps());
}

void PcapTap::flush_before(timing::Ps t) {
    while (!held_.empty() && held_.top().t < t) {
        writer_.write(held_.top().t, *held_.top().frame.bytes);
        held_.pop();
    }
}

void PcapTap::close() {
    if (closed_) return;
    flush_before(~timing::Ps(0));
    writer_.close();
    closed_ = true;
}

}  // namespace nicsim::net
