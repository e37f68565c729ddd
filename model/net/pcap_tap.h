// A pcap capture point on one or more links (one file per port, e.g. both directions of a
// NIC's port). Links report frames when they are scheduled, with first-byte times that may lie
// ahead of the simulation clock, so the tap holds records until simulated time has passed them
// and writes them in time order.
#pragma once

#include <queue>
#include <string>
#include <vector>

#include "net/ethernet_link.h"
#include "proto/pcap_writer.h"

namespace nicsim::net {

class PcapTap {
public:
    explicit PcapTap(const std::string& path);
    ~PcapTap();
    void attach(EthernetLink& link);
    void record(timing::Ps first_byte, const EthFrame& frame);
    void close();  // writes what is still held
    uint64_t frames() const { return frames_; }

private:
    struct Held {
        timing::Ps t;
        uint64_t seq;
        EthFrame frame;
        bool operator>(const Held& o) const { return t != o.t ? t > o.t : seq > o.seq; }
    };
    void flush_before(timing::Ps t);

    proto::PcapWriter writer_;
    std::priority_queue<Held, std::vector<Held>, std::greater<Held>> held_;
    uint64_t seq_ = 0, frames_ = 0;
    bool closed_ = false;
};

}  // namespace nicsim::net
