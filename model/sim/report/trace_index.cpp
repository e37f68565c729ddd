#include "sim/report/trace_index.h"

#include <algorithm>

namespace nicsim::sim {

using timing::Ps;

namespace {

template <typename Map>
const typename Map::mapped_type& find_or_empty(const Map& m, const typename Map::key_type& k) {
    static const typename Map::mapped_type empty{};
    auto it = m.find(k);
    return it == m.end() ? empty : it->second;
}

}  // namespace

TraceIndex::TraceIndex(const Testbed& sys) : sys_(sys) {
    hosts_.resize(size_t(sys.host_count()));
    for (int i = 0; i < sys.host_count(); ++i) {
        const nic::NicTrace& t = sys.host(i).nic.trace();
        Host& h = hosts_[i];
        for (const auto& w : t.works) h.works[{w.qpn, w.wr_id}].push_back(&w);
        std::unordered_map<uint32_t, uint32_t> announced;
        for (const auto& d : t.doorbells) h.doorbells[d.qpn].push_back({d.at, announced[d.qpn] += d.slots});
        for (const auto& f : t.tx)
            if (f.payload > 0) h.data_frames[f.qpn].push_back(&f);
        for (const auto& r : t.rx) h.rx.emplace(r.frame_id, &r);  // the first record of an id
        for (const auto& p : t.placements)
            if (p.rx_frame_id) h.placements[p.rx_frame_id].push_back(&p);
        for (const auto& c : t.completions)
            if (c.rx_frame_id) h.completions[c.rx_frame_id].push_back(&c);
        for (const auto& r : t.read_sources)
            if (r.rx_frame_id) h.read_sources[r.rx_frame_id].push_back(&r);
    }
}

const nic::WorkRecord* TraceIndex::work(int host_i, uint32_t qpn, uint64_t wr_id, Ps t) const {
    const auto& v = find_or_empty(host(host_i).works, {qpn, wr_id});
    auto it = std::lower_bound(v.begin(), v.end(), t, [](const nic::WorkRecord* w, Ps x) { return w->ready < x; });
    return it == v.end() ? nullptr : *it;
}

const std::vector<TraceIndex::Doorbell>& TraceIndex::doorbells(int host_i, uint32_t qpn) const {
    return find_or_empty(host(host_i).doorbells, qpn);
}

const std::vector<const nic::TxFrameRecord*>& TraceIndex::data_frames(int host_i, uint32_t qpn) const {
    return find_or_empty(host(host_i).data_frames, qpn);
}

size_t TraceIndex::first_emitted_at(int host_i, uint32_t qpn, Ps t) const {
    const auto& v = data_frames(host_i, qpn);
    return size_t(std::lower_bound(v.begin(), v.end(), t,
                                   [](const nic::TxFrameRecord* f, Ps x) { return f->emitted < x; }) -
                  v.begin());
}

const nic::RxFrameRecord* TraceIndex::received(int host_i, uint64_t frame_id) const {
    auto it = host(host_i).rx.find(frame_id);
    return it == host(host_i).rx.end() ? nullptr : it->second;
}

const std::vector<const nic::PlacementRecord*>& TraceIndex::placements(int host_i, uint64_t frame_id) const {
    return find_or_empty(host(host_i).placements, frame_id);
}

const std::vector<const nic::CompletionRecord*>& TraceIndex::completions(int host_i, uint64_t frame_id) const {
    return find_or_empty(host(host_i).completions, frame_id);
}

const std::vector<const nic::ReadSourceRecord*>& TraceIndex::read_sources(int host_i, uint64_t frame_id) const {
    return find_or_empty(host(host_i).read_sources, frame_id);
}

}  // namespace nicsim::sim
