#include "sim/report/stats_report.h"

#include <algorithm>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "proto/ethernet.h"
#include "sim/stats/stage_stats.h"
#include "sim/stats/trace_stage_counters.h"

namespace nicsim::sim {

using stats::HistogramSpec;
using stats::StatsRegistry;
using timing::Ps;

namespace {

constexpr double kNsPerPs = 1e-3;
double ns(Ps t) { return double(t) * kNsPerPs; }

// Frame sizes in 64-byte buckets up to 10 KiB (jumbo frames fit; larger go to overflow).
HistogramSpec frame_size_buckets() { return HistogramSpec::linear(0, 64, 160); }
// A stage's residence time in buckets of one of its clock cycles, up to 512 cycles.
HistogramSpec cycle_buckets(const nic::StageConfig& s) { return HistogramSpec::linear(0, ns(s.clock.period()), 512); }
// Latencies that cross PCIe or the whole pipeline: 10 ns buckets up to 20 us.
HistogramSpec latency_buckets() { return HistogramSpec::linear(0, 10, 2000); }

double ratio(Ps busy, Ps interval) { return interval ? double(busy) / double(interval) : 0.0; }

using Window = std::optional<StatsWindow>;

// Busy time inside the window over its length (when the resource kept its busy log).
void window_utilisation(StatsRegistry& r, const std::string& name, const timing::BusyIntervals* busy,
                        const Window& w) {
    if (w && busy) r.gauge(name, std::min(1.0, ratio(busy->busy_within(w->start, w->end), w->end - w->start)), "ratio");
}

void link_stats(StatsRegistry& r, const std::string& p, const net::EthernetLink& l, Ps elapsed, const Window& w) {
    const Ps busy = l.wire_bytes() * l.byte_time();
    r.counter(p + ".frames", l.frames_sent(), "frames");
    r.counter(p + ".dropped", l.frames_dropped(), "frames");
    r.counter(p + ".wire_bytes", l.wire_bytes(), "B");
    r.gauge(p + ".busy_ns", ns(busy), "ns");
    r.gauge(p + ".utilisation", ratio(busy, std::max(elapsed, l.busy_until())), "ratio");
    window_utilisation(r, p + ".utilisation_window", l.busy_log(), w);
}

void nic_counters(StatsRegistry& r, const std::string& p, const nic::T5Nic& n) {
    const nic::T5NicStats& s = n.stats();
    r.counter(p + ".tx_frames", s.tx_frames, "frames");
    r.counter(p + ".tx_data_frames", s.tx_data_frames, "frames");
    r.counter(p + ".rx_frames", s.rx_frames, "frames");
    r.counter(p + ".rx_bad_frames", s.rx_bad_frames, "frames");
    r.counter(p + ".rx_no_connection", s.rx_no_connection, "frames");
    r.counter(p + ".payload_mismatches", s.payload_mismatches, "events");
    r.counter(p + ".burst_mismatches", s.burst_mismatches, "events");
    r.counter(p + ".recv_prefetches", s.recv_prefetches, "wqes");
    r.counter(p + ".placements", s.placements, "dma_writes");
    r.counter(p + ".place_bytes", s.place_bytes, "B");
    r.counter(p + ".timer_wakeups", s.timer_wakeups, "wakeups");
    r.counter(p + ".le_refused", s.le_refused, "connections");
    r.counter(p + ".tcb_hits", s.tcb_hits, "frames");
    r.counter(p + ".tcb_misses", s.tcb_misses, "frames");
    r.counter(p + ".rx_mps_drops", s.rx_mps_drops, "frames");
    r.counter(p + ".errors", n.errors().size(), "errors");
}

void sge_counters(StatsRegistry& r, const std::string& p, const nic::sge::Sge& sge) {
    const nic::sge::SgeStats& s = sge.stats();
    r.counter(p + ".doorbells", s.doorbells, "doorbells");
    r.counter(p + ".pushes", s.pushes, "wrs");
    r.counter(p + ".push_fallbacks", s.push_fallbacks, "wrs");
    r.counter(p + ".wr_fetches", s.wr_fetches, "dma_reads");
    r.counter(p + ".wrs", s.wrs, "wrs");
    r.counter(p + ".error_wrs", s.error_wrs, "wrs");
    r.counter(p + ".gather_bytes", s.gather_bytes, "B");
    r.counter(p + ".place_bytes", s.place_bytes, "B");
    r.counter(p + ".cqes", s.cqes, "cqes");
    r.counter(p + ".interrupts", s.interrupts, "msix");
    r.counter(p + ".bad_doorbells", s.bad_doorbells, "doorbells");
    r.counter(p + ".errors", sge.errors().size(), "errors");
}

void pcie_counters(StatsRegistry& r, const std::string& p, const pcie::PcieLink& l, Ps elapsed, const Window& w) {
    const pcie::LinkStats& s = l.stats();
    r.counter(p + ".dma_requests", s.dma_requests, "requests");
    r.counter(p + ".dma_rejected", s.dma_rejected, "requests");
    r.counter(p + ".mmio_writes", s.mmio_writes, "writes");
    r.counter(p + ".msix", s.msix, "messages");
    r.counter(p + ".mem_transactions", s.mem_transactions, "transactions");
    auto direction = [&](const std::string& d, uint64_t tlps, uint64_t bytes, uint64_t payload, Ps busy,
                         const timing::BusyIntervals* log) {
        r.counter(d + ".tlps", tlps, "tlps");
        r.counter(d + ".bytes", bytes, "B");
        r.counter(d + ".payload_bytes", payload, "B");
        r.gauge(d + ".busy_ns", ns(busy), "ns");
        r.gauge(d + ".utilisation", ratio(busy, std::max(elapsed, busy)), "ratio");
        window_utilisation(r, d + ".utilisation_window", log, w);
    };
    direction(p + ".up", s.tlps_up, s.bytes_up, s.payload_up, s.busy_up, l.busy_up_log());
    direction(p + ".down", s.tlps_down, s.bytes_down, s.payload_down, s.busy_down, l.busy_down_log());
    r.counter(p + ".max_tags_in_use", s.max_tags_in_use, "tags");
    r.counter(p + ".tag_stalls", s.tag_stalls, "stalls");
    r.counter(p + ".credit_stalls", s.credit_stalls, "stalls");
}

// A stage's beats popped inside the window, over the window's cycles (at most one pop per
// cycle), with the pop times the trace-built FIFO estimate gives them (stats::fifo_beats:
// exact when the frame streams without stalls).
void stage_window_utilisation(StatsRegistry& r, const std::string& p, const std::vector<nic::StageConfig>& stages,
                              const std::vector<stats::TracedFrame>& frames, const StatsWindow& w) {
    for (size_t s = 0; s < stages.size(); ++s) {
        uint64_t beats = 0;
        for (const stats::BeatTimes& b : stats::fifo_beats(stages, s, frames)) beats += b.pop >= w.start && b.pop < w.end;
        r.gauge(p + "." + stages[s].name + ".utilisation_window",
                std::min(1.0, ratio(Ps(beats) * stages[s].clock.period(), w.end - w.start)), "ratio");
    }
}

// When the first beat of a frame was written into stage s's FIFO.
Ps stage_entry(const nic::FrameTiming& t, size_t s) { return s == 0 ? t.first_write : t.stages[s - 1].first_out; }

void residence(StatsRegistry& r, const std::string& p, const std::vector<nic::StageConfig>& stages,
               const nic::FrameTiming& t) {
    for (size_t s = 0; s < stages.size() && s < t.stages.size(); ++s)
        r.histogram(p + "." + stages[s].name + ".residence_ns", "ns", cycle_buckets(stages[s]))
            .add(ns(t.stages[s].last_out - stage_entry(t, s)));
}

// Per-frame and per-operation distributions from the NIC trace.
void trace_stats(StatsRegistry& r, const std::string& p, const nic::T5Nic& n) {
    const nic::NicTrace& tr = n.trace();
    const nic::NicPipelineConfig& pc = n.params().pipeline;
    stats::Histogram& tx_size = r.histogram(p + ".tx.frame_bytes", "B", frame_size_buckets());
    stats::Histogram& tx_lat = r.histogram(p + ".tx.pipeline_ns", "ns", latency_buckets());
    for (const nic::TxFrameRecord& f : tr.tx) {
        tx_size.add(f.frame_bytes);
        if (!f.chain.stages.empty()) tx_lat.add(ns(f.chain.stages.back().last_out - f.chain.first_write));
        residence(r, p + ".tx", pc.tx, f.chain);
    }
    stats::Histogram& rx_size = r.histogram(p + ".rx.frame_bytes", "B", frame_size_buckets());
    stats::Histogram& rx_lat = r.histogram(p + ".rx.pipeline_ns", "ns", latency_buckets());
    for (const nic::RxFrameRecord& f : tr.rx) {
        rx_size.add(f.frame_bytes);
        rx_lat.add(ns(f.delivered - f.first_byte));  // first byte at the port -> left TPT
        residence(r, p + ".rx", pc.rx, f.chain);
    }
    stats::Histogram& pl = r.histogram(p + ".placement.latency_ns", "ns", latency_buckets());
    stats::Histogram& pb = r.histogram(p + ".placement.bytes", "B", HistogramSpec::log2(32));
    uint64_t in_flight = 0;
    for (const nic::PlacementRecord& x : tr.placements) {
        pb.add(x.bytes);
        if (x.done >= x.issued && x.done != 0)
            pl.add(ns(x.done - x.issued));
        else
            ++in_flight;
    }
    r.counter(p + ".placement.in_flight_at_end", in_flight, "dma_writes");
    stats::Histogram& gather = r.histogram(p + ".wr.payload_ns", "ns", latency_buckets());
    for (const nic::WorkRecord& w : tr.works)
        if (w.payload_last >= w.ready && w.payload_last != 0) gather.add(ns(w.payload_last - w.ready));
    r.counter(p + ".wr.traced", tr.works.size(), "wrs");
    uint64_t recv = 0;
    for (const nic::CompletionRecord& c : tr.completions) recv += c.recv;
    r.counter(p + ".completions.send", tr.completions.size() - recv, "completions");
    r.counter(p + ".completions.recv", recv, "completions");
}

}  // namespace

NicTracedFrames nic_traced_frames(const nic::T5Nic& n) {
    NicTracedFrames out;
    const nic::NicTrace& tr = n.trace();
    const nic::NicPipelineConfig& pc = n.params().pipeline;
    for (const nic::TxFrameRecord& f : tr.tx)
        if (f.chain.stages.size() == pc.tx.size()) out.tx.push_back({f.frame_bytes, pc.tx.at(0).clock.period(), &f.chain});
    for (const nic::RxFrameRecord& f : tr.rx) {
        if (f.chain.stages.size() != pc.rx.size()) continue;
        // The MAC hands over a beat each time its last byte has arrived: the frame's bytes
        // arrive evenly between first_byte and last_byte (padding to 60 B and the FCS included).
        const uint64_t data =
            proto::ethernet_wire_bytes(f.frame_bytes) - proto::kEthernetPreambleSize - proto::kEthernetMinIfgSize;
        const Ps byte_time = f.last_byte > f.first_byte ? (f.last_byte - f.first_byte) / data : 0;
        out.rx.push_back({f.frame_bytes, byte_time * pc.rx.at(0).width_bytes, &f.chain});
    }
    return out;
}

NicStageCounters trace_stage_counters(const nic::T5Nic& n) {
    NicStageCounters out;
    if (!n.params().trace) return out;
    const nic::NicPipelineConfig& pc = n.params().pipeline;
    const NicTracedFrames frames = nic_traced_frames(n);
    out.tx = stats::counters_from_trace(pc.tx, frames.tx);
    out.rx = stats::counters_from_trace(pc.rx, frames.rx);
    out.source = "trace";
    return out;
}

namespace {

// Transitional, until branch `speed` (PipelineChain::counters()) is merged: detects the
// accessor at compile time so this file builds and is right on both sides of the merge.
// Afterwards nic_stage_counters() can simply return the chains' counters().
template <class Chain, class = void>
struct ChainHasCounters : std::false_type {};
template <class Chain>
struct ChainHasCounters<Chain, std::void_t<decltype(std::declval<const Chain&>().counters())>> : std::true_type {};

template <class Chain>
std::optional<std::vector<nic::StageCounters>> engine_counters(const Chain& c) {
    if constexpr (ChainHasCounters<Chain>::value) {
        return std::vector<nic::StageCounters>(c.counters());
    } else {
        (void)c;
        return std::nullopt;
    }
}

}  // namespace

bool engine_stage_counters_available() { return ChainHasCounters<nic::PipelineChain>::value; }

NicStageCounters nic_stage_counters(const nic::T5Nic& n) {
    auto tx = engine_counters(n.tx_chain()), rx = engine_counters(n.rx_chain());
    if (tx && rx) return {std::move(*tx), std::move(*rx), "engine"};
    return trace_stage_counters(n);
}

std::optional<StatsWindow> workload_window(const std::vector<OpRecord>& ops) {
    if (ops.empty()) return std::nullopt;
    StatsWindow w{ops.front().posted, ops.front().done};
    for (const OpRecord& op : ops) {
        w.start = std::min(w.start, op.posted);
        w.end = std::max(w.end, op.done);
    }
    if (w.end <= w.start) return std::nullopt;
    return w;
}

StatsRegistry collect_stats(const Testbed& sys, Ps elapsed, const std::optional<StatsWindow>& window) {
    StatsRegistry r;
    r.meta("generator", "nicsim");
    r.meta("elapsed_ns", ns(elapsed));
    if (window) {
        r.meta("window_start_ns", ns(window->start));
        r.meta("window_end_ns", ns(window->end));
        r.gauge("sim.window_ns", ns(window->end - window->start), "ns");
    }
    r.meta("topology", sys.network_switch() ? "switch" : "back_to_back");
    r.meta("hosts", std::to_string(sys.host_count()));
    r.gauge("sim.elapsed_ns", ns(elapsed), "ns");
    for (int i = 0; i < sys.host_count(); ++i) {
        const HostNode& h = sys.host(i);
        const std::string p = host_name(i);
        r.meta(p + ".nic.trace", h.nic.params().trace ? "on" : "off");
        nic_counters(r, p + ".nic", h.nic);
        const NicStageCounters sc = nic_stage_counters(h.nic);
        r.meta(p + ".nic.stage_counters", sc.source);
        if (!sc.tx.empty()) stats::add_stage_stats(r, p + ".nic.tx", h.nic.params().pipeline.tx, sc.tx, elapsed);
        if (!sc.rx.empty()) stats::add_stage_stats(r, p + ".nic.rx", h.nic.params().pipeline.rx, sc.rx, elapsed);
        if (h.nic.params().trace) {
            trace_stats(r, p + ".nic", h.nic);
            if (window) {
                const NicTracedFrames frames = nic_traced_frames(h.nic);
                stage_window_utilisation(r, p + ".nic.tx", h.nic.params().pipeline.tx, frames.tx, *window);
                stage_window_utilisation(r, p + ".nic.rx", h.nic.params().pipeline.rx, frames.rx, *window);
            }
        }
        sge_counters(r, p + ".sge", h.sge);
        pcie_counters(r, p + ".pcie", h.pcie, elapsed, window);
        link_stats(r, p + ".link.tx", sys.link_from(i), elapsed, window);
    }
    if (const net::CutThroughSwitch* sw = sys.network_switch()) {
        r.counter("switch.frames_forwarded", sw->frames_forwarded(), "frames");
        r.counter("switch.unknown_destination", sw->frames_unknown_destination(), "frames");
        for (size_t k = 0; k < sw->port_count(); ++k) {
            const std::string p = "switch.port" + std::to_string(k) + ".egress";
            link_stats(r, p, sw->egress(k), elapsed, window);
            r.counter(p + ".buffer_drops", sw->port_stats(k).buffer_drops, "frames");
            r.counter(p + ".max_buffered_bytes", sw->port_stats(k).max_buffered_bytes, "B");
        }
    }
    return r;
}

void write_stats(const Testbed& sys, const std::filesystem::path& dir) { write_stats(sys, dir, timing::now_ps()); }

void write_stats(const Testbed& sys, const std::filesystem::path& dir, const std::vector<OpRecord>& ops) {
    write_stats(sys, dir, timing::now_ps(), workload_window(ops));
}

void write_stats(const Testbed& sys, const std::filesystem::path& dir, Ps elapsed, const std::optional<StatsWindow>& window) {
    const StatsRegistry r = collect_stats(sys, elapsed, window);
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    for (const auto& [file, text] : {std::pair{kStatsJsonFile, r.to_json()}, std::pair{kStatsCsvFile, r.to_csv()}}) {
        std::ofstream o(dir / file, std::ios::binary);
        o << text;
        if (!o.good()) throw std::runtime_error("cannot write " + (dir / file).string());
    }
}

}  // namespace nicsim::sim
