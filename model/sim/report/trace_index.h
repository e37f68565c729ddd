// Lookup tables over every NIC' traces (nic_trace.h), built once per report, so that finding
// one operation's critical path costs only the records of that operation instead of scans of
// whole traces: records by QP in trace order, and by the received frame that caused them.
// Holds pointers into the system's traces: the system must outlive the index and must not run
// while it is in use.
#pragma once

#include <cstdint>
#include <map>
#include <unordered_map>
#include <utility>
#include <vector>

#include "nic/t5/nic_trace.h"
#include "sim/testbed.h"

namespace nicsim::sim {

class TraceIndex {
public:
    explicit TraceIndex(const Testbed& sys);

    const Testbed& system() const { return sys_; }
    const HostSideParams& side(int host) const { return sys_.side(host); }

    // The first work record of (qpn, wr_id) at `host` handed to the pipeline at or after `t`.
    const nic::WorkRecord* work(int host, uint32_t qpn, uint64_t wr_id, timing::Ps t) const;

    // A QP's SQ doorbells and pushes in arrival order, with the slots announced up to each.
    struct Doorbell {
        timing::Ps at = 0;
        uint32_t announced = 0;  // free-running, as the SGE counts them
    };
    const std::vector<Doorbell>& doorbells(int host, uint32_t qpn) const;

    // A QP's payload-carrying frames in trace order (their `emitted` never decreases).
    const std::vector<const nic::TxFrameRecord*>& data_frames(int host, uint32_t qpn) const;
    // Index of the first of data_frames(host, qpn) emitted at or after `t`.
    size_t first_emitted_at(int host, uint32_t qpn, timing::Ps t) const;

    const nic::RxFrameRecord* received(int host, uint64_t frame_id) const;
    // Records the delivery of received frame `frame_id` caused at `host`, in trace order.
    const std::vector<const nic::PlacementRecord*>& placements(int host, uint64_t frame_id) const;
    const std::vector<const nic::CompletionRecord*>& completions(int host, uint64_t frame_id) const;
    const std::vector<const nic::ReadSourceRecord*>& read_sources(int host, uint64_t frame_id) const;

private:
    struct Host {
        std::map<std::pair<uint32_t, uint64_t>, std::vector<const nic::WorkRecord*>> works;
        std::unordered_map<uint32_t, std::vector<Doorbell>> doorbells;
        std::unordered_map<uint32_t, std::vector<const nic::TxFrameRecord*>> data_frames;
        std::unordered_map<uint64_t, const nic::RxFrameRecord*> rx;
        std::unordered_map<uint64_t, std::vector<const nic::PlacementRecord*>> placements;
        std::unordered_map<uint64_t, std::vector<const nic::CompletionRecord*>> completions;
        std::unordered_map<uint64_t, std::vector<const nic::ReadSourceRecord*>> read_sources;
    };
    const Host& host(int i) const { return hosts_.at(size_t(i)); }

    const Testbed& sys_;
    std::vector<Host> hosts_;  // by host index
};

}  // namespace nicsim::sim
