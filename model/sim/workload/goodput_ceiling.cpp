#include "sim/workload/goodput_ceiling.h"

#include <algorithm>

#include "proto/mpa_fpdu.h"

namespace nicsim::sim {

namespace {
constexpr double kEthernet = 14, kFcs = 4, kMinFrame = 64, kPreambleIfg = 20, kIp = 20, kTcp = 20, kTsOption = 12;
constexpr double kMpaLength = 2, kCrc = 4, kTagged = 14, kUntagged = 18, kMarker = 4, kMarkerSpacing = 512;
}  // namespace

GoodputModel goodput_model(const config::Config& c) {
    GoodputModel m;
    m.rate_gbps = c.get_double("nic.mac.rate_gbps");
    m.timestamps = c.get_bool("nic.tcp.timestamps");
    m.emss = uint32_t(c.get_int("nic.tcp.mss")) - (m.timestamps ? uint32_t(kTsOption) : 0u);
    m.markers = c.get_bool("nic.mpa.markers");
    m.pack = c.get_string("nic.tcp.record_packing") == "pack_to_emss";
    return m;
}

double wire_bytes_per_message(const GoodputModel& m, OpKind kind, uint64_t size) {
    const double ddp = kind == OpKind::Send ? kUntagged : kTagged;
    const uint64_t max_payload = proto::mpa_mulpdu(m.emss, m.markers) - uint64_t(ddp);
    const double frame_overhead = kEthernet + kIp + kTcp + (m.timestamps ? kTsOption : 0) + kFcs;
    double wire = 0;
    uint64_t left = std::max<uint64_t>(size, 1);
    while (left > 0) {
        const uint64_t p = std::min(left, max_payload);
        left -= p;
        double fpdu = kMpaLength + ddp + double(p);
        fpdu += double((4 - uint64_t(fpdu) % 4) % 4) + kCrc;
        if (m.markers) fpdu += kMarker * double(uint64_t(fpdu) / uint64_t(kMarkerSpacing));  // the fewest possible
        if (m.pack) wire += fpdu * (1 + (frame_overhead + kPreambleIfg) / double(m.emss));
        else wire += std::max(kMinFrame, fpdu + frame_overhead) + kPreambleIfg;
    }
    return wire;
}

double goodput_ceiling_gbps(const GoodputModel& m, OpKind kind, uint64_t size) {
    return double(size) * m.rate_gbps / wire_bytes_per_message(m, kind, size);
}

}  // namespace nicsim::sim
