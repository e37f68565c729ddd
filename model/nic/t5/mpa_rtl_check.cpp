#include "nic/t5/mpa_rtl_check.h"

#include <algorithm>
#include <stdexcept>

#include "proto/inet_checksum.h"
#include "proto/mpa_fpdu.h"
#include "proto/mpa_markers.h"
#include "proto/mpa_startup.h"

namespace nicsim::nic {

using islands::Block;
using islands::EnginePacket;
using islands::EngineResult;
using islands::Impl;
using islands::StreamEngine;
using proto::Bytes;
using proto::ByteView;
using timing::Ps;

namespace {

// Offsets further than this behind the newest one are forgotten (far beyond any TCP window).
constexpr uint64_t kBoundaryHorizon = 64ull << 20;
// Mismatches described in detail through `report`; the rest are only counted.
constexpr uint64_t kMaxReports = 20;

size_t stage_index(const std::vector<StageConfig>& chain, const std::string& name) {
    for (size_t i = 0; i < chain.size(); ++i)
        if (chain[i].name == name) return i;
    return chain.empty() ? 0 : chain.size() - 1;
}

size_t tcp_header_at(const Bytes& frame) {
    size_t l2 = (frame.size() > 14 && frame[12] == 0x81 && frame[13] == 0x00) ? 18 : 14;
    return l2 + size_t(frame[l2] & 0x0F) * 4;
}

}  // namespace

bool MpaIslandParams::any_rtl() const {
    return tx_crc == Impl::Rtl || tx_marker == Impl::Rtl || rx_crc == Impl::Rtl || rx_marker == Impl::Rtl;
}

uint64_t MpaCheckStats::mismatches() const {
    uint64_t n = tx_wire_mismatches + internal_errors;
    for (const MpaIslandStats& i : islands) n += i.mismatches;
    return n;
}

// One block of one stage: the configured implementation plus, for rtl, its golden twin; one
// pair per (markers, crc) combination a connection negotiated (configuration pins are static
// while data flows, so each combination has its own instance).
struct MpaRtlCheck::Island {
    struct Pair {
        std::unique_ptr<StreamEngine> used, twin;  // twin: null for impl model
    };
    MpaIslandStats st;
    Block block = Block::Crc32c;
    bool transmit = true;
    Ps period = 0;  // the island's virtual clock
    std::map<std::pair<bool, bool>, Pair> engines;
    std::vector<std::string> waves;  // FST files opened so far

    Pair& engine(bool markers, bool crc, const std::string& wave_prefix) {
        auto it = engines.find({markers, crc});
        if (it != engines.end()) return it->second;
        islands::EngineConfig c;
        c.block = block;
        c.impl = st.impl;
        c.data_bytes = st.impl == Impl::Rtl ? islands::rtl_data_bytes_built() : 8;
        c.crc = crc;
        c.transmit = transmit;
        c.markers = markers;
        Pair p;
        p.used = islands::make_engine(c);
        if (st.impl == Impl::Rtl) {
            c.impl = Impl::Model;
            p.twin = islands::make_engine(c);
            if (!wave_prefix.empty()) {
                std::string path = wave_prefix + "." + st.name + (engines.empty() ? "" : "." + std::to_string(engines.size())) + ".fst";
                if (p.used->open_fst(path, period)) waves.push_back(path);
            }
        }
        return engines.emplace(std::make_pair(markers, crc), std::move(p)).first->second;
    }
};

MpaRtlCheck::MpaRtlCheck(const MpaIslandParams& p, const std::vector<StageConfig>& tx_chain,
                         const std::vector<StageConfig>& rx_chain, Report report)
    : active_(p.any_rtl()),
      tx_index_(stage_index(tx_chain, "mpa_tx")),
      rx_index_(stage_index(rx_chain, "mpa_rx")),
      report_(std::move(report)) {
    if (!active_) return;
    if (tx_index_ < tx_chain.size()) tx_stage_ = tx_chain[tx_index_];
    if (rx_index_ < rx_chain.size()) rx_stage_ = rx_chain[rx_index_];
    const unsigned w = islands::rtl_data_bytes_built();
    if (w == 0) throw std::invalid_argument("nic.mpa_tx/mpa_rx impl rtl: this build has no RTL (NICSIM_RTL=OFF)");
    auto make = [w](const char* stage, Block b, bool transmit, Impl impl, const StageConfig& s) {
        auto is = std::make_unique<Island>();
        is->st.name = std::string(stage) + "." + islands::block_name(b);
        is->st.impl = impl;
        is->block = b;
        is->transmit = transmit;
        // A width-w island passes one stage beat per stage cycle when clocked width/w faster.
        is->period = std::max<Ps>(1, s.clock.period() * w / std::max<uint32_t>(s.width_bytes, 1));
        return is;
    };
    tx_insert_ = make("mpa_tx", Block::MarkerInsert, true, p.tx_marker, tx_stage_);
    tx_crc_ = make("mpa_tx", Block::Crc32c, true, p.tx_crc, tx_stage_);
    rx_crc_ = make("mpa_rx", Block::Crc32c, false, p.rx_crc, rx_stage_);
    rx_strip_ = make("mpa_rx", Block::MarkerStrip, false, p.rx_marker, rx_stage_);
}

MpaRtlCheck::~MpaRtlCheck() = default;

bool MpaRtlCheck::open_waves(const std::string& prefix) {
    if (!active_) return false;
    wave_prefix_ = prefix;
    return true;
}

MpaCheckStats MpaRtlCheck::stats() const {
    MpaCheckStats s = stats_;
    s.islands.clear();
    for (const Island* is : {tx_insert_.get(), tx_crc_.get(), rx_crc_.get(), rx_strip_.get()}) {
        if (!is) continue;
        MpaIslandStats i = is->st;
        for (const auto& e : is->engines) i.cycles += e.second.used->cycles_clocked();
        s.islands.push_back(i);
    }
    return s;
}

void MpaRtlCheck::mismatch(const std::string& what) {
    if (++reported_ <= kMaxReports) report_("MPA RTL island: " + what);
    else if (reported_ == kMaxReports + 1) report_("MPA RTL island: further mismatches are only counted");
}

// The startup frame (MPA Request or Reply) is the first thing each direction carries: the
// FPDU stream starts right after it.
void MpaRtlCheck::learn_base(Flow& fl, Direction& d, bool transmit, const proto::IwarpEndpoint& ep, uint32_t seq,
                             ByteView payload) {
    if (d.fpdu_seq) return;
    const uint32_t first = (transmit ? ep.tcp().iss() : ep.tcp().irs()) + 1;
    if (seq != first) return;
    for (proto::MpaFrameKind k : {proto::MpaFrameKind::Request, proto::MpaFrameKind::Reply}) {
        proto::MpaStartupParse sp = proto::parse_mpa_startup(payload, k);
        if (sp.status != proto::MpaStartupParse::Status::Ok) continue;
        d.fpdu_seq = seq + uint32_t(sp.consumed);
        // We send the Request / receive the Reply: initiator.
        fl.initiator = (k == proto::MpaFrameKind::Request) == transmit;
        return;
    }
}

// The complete FPDUs of a segment that starts on an FPDU boundary: a known one (the end of an
// FPDU walked before), or one beyond every byte known so far (the data after a lost segment;
// MPA-aware TCP starts every segment on an FPDU). A start inside a known FPDU (a record split
// across segments) is not a boundary.
std::vector<MpaRtlCheck::Fpdu> MpaRtlCheck::frame_fpdus(Direction& d, uint32_t seq, ByteView payload, bool markers) {
    std::vector<Fpdu> out;
    const uint32_t rel = seq - *d.fpdu_seq;
    int64_t v = int64_t(d.hint) + int32_t(rel - uint32_t(d.hint));
    if (v < 0) return out;  // before the first FPDU: the startup frame
    uint64_t o = uint64_t(v);
    d.hint = std::max(d.hint, o);
    if (!d.starts.count(o)) {
        if (o <= *d.starts.rbegin()) {
            ++stats_.unframed_segments;
            return out;
        }
        ++stats_.assumed_boundaries;
        d.starts.insert(o);
    }
    size_t p = 0;
    while (p < payload.size) {
        const size_t lead = markers && proto::is_marker_offset(o) ? proto::kMarkerSize : 0;
        if (p + lead + proto::kMpaLengthSize > payload.size) {
            ++stats_.partial_fpdus;
            break;
        }
        const size_t ulpdu = size_t(payload[p + lead]) << 8 | payload[p + lead + 1];
        const size_t wire = proto::mpa_fpdu_wire_length(ulpdu, markers, o);
        if (p + wire > payload.size) {
            ++stats_.partial_fpdus;
            d.starts.insert(o + wire);  // the next FPDU's start is known; the rest of this one is not a start
            break;
        }
        out.push_back({p, wire, o});
        p += wire;
        o += wire;
        d.starts.insert(o);
    }
    d.hint = std::max(d.hint, o);
    if (d.hint > kBoundaryHorizon) {  // keep the newest boundary whatever happens
        const uint64_t cut = std::min(d.hint - kBoundaryHorizon, *d.starts.rbegin());
        d.starts.erase(d.starts.begin(), d.starts.lower_bound(cut));
    }
    return out;
}

std::vector<EngineResult> MpaRtlCheck::run(Island& is, const std::vector<EnginePacket>& burst, bool markers, bool crc,
                                           Ps start) {
    Island::Pair& e = is.engine(markers, crc, wave_prefix_);
    e.used->set_wave_time(start);
    std::vector<EngineResult> out = e.used->run_burst(burst);
    is.st.fpdus += burst.size();
    ++is.st.bursts;
    if (out.size() != burst.size()) throw std::runtime_error(is.st.name + " returned " + std::to_string(out.size()) +
                                                             " FPDUs for " + std::to_string(burst.size()));
    if (!e.twin) return out;
    std::vector<EngineResult> ref = e.twin->run_burst(burst);
    for (size_t i = 0; i < out.size(); ++i) {
        const EngineResult &r = out[i], &g = ref[i];
        std::string what;
        if (r.bytes != g.bytes) what = "bytes";
        else if (r.flag != g.flag) what = "flag";
        else if (r.crc != g.crc) what = "CRC";
        else if (r.exit_cycle != g.exit_cycle) what = "exit cycle (" + std::to_string(r.exit_cycle) + " vs contract " +
                                                      std::to_string(g.exit_cycle) + ")";
        if (what.empty()) continue;
        ++is.st.mismatches;
        mismatch(is.st.name + ": " + what + " differ from the golden model for the FPDU at stream offset " +
                 std::to_string(burst[i].stream_offset));
    }
    return out;
}

std::shared_ptr<const Bytes> MpaRtlCheck::on_tx(uint32_t qpn, const proto::IwarpEndpoint& ep,
                                                std::shared_ptr<const Bytes> frame, const FrameTiming& ft) {
    if (!active_ || !frame) return frame;
    proto::ParsedTcpFrame f = proto::parse_tcp_frame(ByteView(*frame));
    if (f.status != proto::ParsedTcpFrame::Status::Ok || f.payload.empty()) return frame;
    Flow& fl = flows_[qpn];
    learn_base(fl, fl.tx, true, ep, f.tcp.seq, f.payload);
    if (!fl.tx.fpdu_seq || !fl.initiator || !ep.session()) return frame;
    const proto::MpaSession& s = *ep.session();
    const bool markers = *fl.initiator ? s.markers_initiator_to_responder : s.markers_responder_to_initiator;
    std::vector<Fpdu> fpdus = frame_fpdus(fl.tx, f.tcp.seq, f.payload, markers);
    if (fpdus.empty()) return frame;

    const size_t pay_at = size_t(f.payload.data - frame->data());
    const Ps stage_in = ft.stages.size() > tx_index_ ? ft.stages[tx_index_].first_pop : 0;
    const Ps start = stage_in + Ps(pay_at / tx_stage_.width_bytes) * tx_stage_.clock.period();
    std::shared_ptr<Bytes> patched;
    try {
        // Input of the insert block: the FPDU without markers, CRC field zero.
        std::vector<EnginePacket> in;
        for (const Fpdu& u : fpdus) {
            EnginePacket pk;
            pk.stream_offset = u.offset;
            ByteView wire = f.payload.sub(u.at, u.len);
            if (markers) {
                std::vector<proto::SeenMarker> seen;
                proto::strip_markers(wire, u.offset, pk.bytes, seen);
            } else {
                pk.bytes.assign(wire.data, wire.data + wire.size);
            }
            std::fill(pk.bytes.end() - proto::kMpaCrcSize, pk.bytes.end(), 0);
            in.push_back(std::move(pk));
        }
        std::vector<EngineResult> marked = run(*tx_insert_, in, markers, s.crc, start);
        for (size_t i = 0; i < in.size(); ++i) in[i].bytes = std::move(marked[i].bytes);
        const Ps crc_start = start + tx_insert_->period;  // the insert block's output from its cycle 1
        std::vector<EngineResult> framed = run(*tx_crc_, in, markers, s.crc, crc_start);
        stats_.tx_fpdus += fpdus.size();
        if (ft.stages.size() > tx_index_) check_timing(framed, crc_start, tx_crc_->period, ft.stages[tx_index_].last_out);
        for (size_t i = 0; i < fpdus.size(); ++i) {
            const Fpdu& u = fpdus[i];
            const Bytes& r = framed[i].bytes;
            if (r.size() == u.len && std::equal(r.begin(), r.end(), f.payload.data + u.at)) continue;
            ++stats_.tx_wire_mismatches;
            mismatch("mpa_tx: the islands' FPDU at stream offset " + std::to_string(u.offset) +
                     " differs from the golden FPDU" + (r.size() == u.len ? "" : " (length)") +
                     "; the RTL's bytes are sent");
            if (r.size() != u.len) continue;  // cannot replace in place: the golden bytes stay
            if (!patched) patched = std::make_shared<Bytes>(*frame);
            rewrite_tcp_bytes(*patched, tcp_header_at(*patched), pay_at + u.at, ByteView(r));
        }
    } catch (const std::exception& ex) {
        ++stats_.internal_errors;
        mismatch(std::string("mpa_tx: ") + ex.what());
    }
    if (patched) return patched;
    return frame;
}

MpaRtlCheck::StageWindow MpaRtlCheck::rx_stage_window(const FrameTiming& ft) const {
    if (ft.stages.size() <= rx_index_) return {};
    return {ft.stages[rx_index_].first_pop, ft.stages[rx_index_].last_out};
}

// The pipeline keeps the stage's times; the islands must fit inside them: the last beat of
// the last FPDU leaves the island chain no later than the stage's last beat leaves the stage.
void MpaRtlCheck::check_timing(const std::vector<EngineResult>& last_island, Ps start, Ps period, Ps stage_last_out) {
    if (last_island.empty() || stage_last_out == 0) return;
    const Ps end = start + Ps(last_island.back().exit_cycle + 1) * period;
    if (end <= stage_last_out) return;
    stats_.late_fpdus += last_island.size();
    mismatch("the islands finish " + std::to_string(end - stage_last_out) + " ps after the stage's last beat");
}

void MpaRtlCheck::on_rx(uint32_t qpn, const proto::IwarpEndpoint& ep, const Bytes& frame,
                        const proto::ParsedTcpFrame& f, StageWindow w) {
    if (!active_ || f.payload.empty()) return;
    Flow& fl = flows_[qpn];
    learn_base(fl, fl.rx, false, ep, f.tcp.seq, f.payload);
    if (!fl.rx.fpdu_seq || !fl.initiator || !ep.session()) return;
    const proto::MpaSession& s = *ep.session();
    const bool markers = *fl.initiator ? s.markers_responder_to_initiator : s.markers_initiator_to_responder;
    std::vector<Fpdu> fpdus = frame_fpdus(fl.rx, f.tcp.seq, f.payload, markers);
    if (fpdus.empty()) return;
    const size_t pay_at = size_t(f.payload.data - frame.data());
    const Ps start = w.first_pop + Ps(pay_at / rx_stage_.width_bytes) * rx_stage_.clock.period();
    try {
        std::vector<EnginePacket> in;
        for (const Fpdu& u : fpdus) {
            EnginePacket pk;
            pk.stream_offset = u.offset;
            pk.bytes.assign(f.payload.data + u.at, f.payload.data + u.at + u.len);
            in.push_back(std::move(pk));
        }
        // The CRC covers the markers: checked before the strip block removes them.
        std::vector<EngineResult> checked = run(*rx_crc_, in, markers, s.crc, start);
        for (size_t i = 0; i < in.size(); ++i) {
            stats_.rx_crc_errors += !checked[i].flag;
            in[i].bytes = std::move(checked[i].bytes);
        }
        const Ps strip_start = start + rx_crc_->period;  // the CRC block's output from its cycle 1
        std::vector<EngineResult> clean = run(*rx_strip_, in, markers, s.crc, strip_start);
        for (const EngineResult& r : clean) stats_.rx_marker_errors += r.flag;
        stats_.rx_fpdus += fpdus.size();
        check_timing(clean, strip_start, rx_strip_->period, w.last_out);
    } catch (const std::exception& ex) {
        ++stats_.internal_errors;
        mismatch(std::string("mpa_rx: ") + ex.what());
    }
}

void rewrite_tcp_bytes(Bytes& frame, size_t tcp_at, size_t at, ByteView bytes) {
    if (tcp_at + 18 > frame.size() || at < tcp_at || at + bytes.size > frame.size())
        throw std::invalid_argument("rewrite_tcp_bytes: range outside the TCP segment");
    uint16_t ck = uint16_t(frame[tcp_at + 16] << 8 | frame[tcp_at + 17]);
    auto word = [&](size_t w) {  // 16-bit word at even offset w from the TCP header (odd tail: zero pad)
        size_t i = tcp_at + w;
        return uint16_t(frame[i] << 8 | (i + 1 < frame.size() ? frame[i + 1] : 0));
    };
    for (size_t k = 0; k < bytes.size; ++k) {
        const size_t i = at + k;
        if (frame[i] == bytes[k]) continue;
        const size_t w = (i - tcp_at) & ~size_t(1);
        const uint16_t old_w = word(w);
        frame[i] = bytes[k];
        ck = proto::inet_checksum_update(ck, old_w, word(w));
    }
    frame[tcp_at + 16] = uint8_t(ck >> 8);
    frame[tcp_at + 17] = uint8_t(ck);
}

}  // namespace nicsim::nic
