#include "sim/report/perfetto_trace.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <queue>
#include <sstream>
#include <iterator>
#include <stdexcept>
#include <tuple>

#include "nic/t5/nic_pipeline_config.h"
#include "proto/ethernet.h"
#include "sim/report/stats_report.h"
#include "sim/stats/json_text.h"
#include "sim/stats/trace_stage_counters.h"

namespace nicsim::sim {

using stats::json_number;
using stats::json_string;
using timing::Ps;

namespace {

uint64_t to_ns(Ps t) { return (t + 500) / 1000; }  // nearest nanosecond

// Microseconds with three decimals from whole nanoseconds, exact. Some importers (Perfetto's
// JSON reader among them) read the number as a double and truncate value * 1000 to whole
// nanoseconds, which turns e.g. 0.339 into 338 ns; such values get 0.01 ns more (still the
// same nanosecond when rounded or truncated) so that every reader lands on the intended one.
std::string us(uint64_t ns) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%llu.%03llu", static_cast<unsigned long long>(ns / 1000),
                  static_cast<unsigned long long>(ns % 1000));
    if (static_cast<uint64_t>(std::strtod(buf, nullptr) * 1000.0) != ns) std::strcat(buf, "01");
    return buf;
}

// A JSON object built field by field: Args().add("frame", 3).add("qpn", 1).text()
class Args {
public:
    Args& add(const char* k, double v) { return raw(k, json_number(v)); }
    Args& add(const char* k, uint64_t v) { return raw(k, std::to_string(v)); }
    Args& add(const char* k, uint32_t v) { return raw(k, std::to_string(v)); }
    Args& add(const char* k, bool v) { return raw(k, v ? "true" : "false"); }
    Args& add(const char* k, const std::string& v) { return raw(k, json_string(v)); }
    // Picoseconds as nanoseconds, exactly: up to three decimals, trailing zeros dropped.
    Args& ns(const char* k, Ps t) {
        char buf[32];
        int n = std::snprintf(buf, sizeof buf, "%llu.%03llu", static_cast<unsigned long long>(t / 1000),
                              static_cast<unsigned long long>(t % 1000));
        while (buf[n - 1] == '0') --n;
        if (buf[n - 1] == '.') --n;
        return raw(k, std::string(buf, size_t(n)));
    }
    std::string text() const { return s_.empty() ? "" : "{" + s_ + "}"; }

private:
    Args& raw(const char* k, const std::string& v) {
        s_ += (s_.empty() ? "" : ", ") + json_string(k) + ": " + v;
        return *this;
    }
    std::string s_;
};

struct Event {
    uint64_t ts = 0, dur = 0;  // ns
    char ph = 'X';
    int pid = 0, tid = 0;
    uint64_t id = 0;           // async events
    std::string name, cat, args;
};

// Events that are kept or dropped together (an async slice's begin, children and end).
struct Item {
    std::vector<Event> events;
};

// Which items the event cap keeps: those whose (start, generation index) is below `bound`.
// Keeps everything by default.
struct Admission {
    std::pair<uint64_t, uint64_t> bound{UINT64_MAX, UINT64_MAX};
};

// Collects the trace's items in two passes with the same generation order, so memory is
// bounded by the cap: a counting pass (wants() keeps nothing but a heap of the earliest
// candidates that fit the cap) decides the Admission; the building pass materialises only
// what it keeps. Callers ask wants() before building an item's text (slice, instant, async);
// counter() asks by itself.
class TraceBuilder {
public:
    explicit TraceBuilder(size_t max_events) : max_events_(max_events) {}  // counting pass
    explicit TraceBuilder(Admission a) : counting_(false), adm_(a) {}       // building pass

    bool wants(Ps start, size_t events = 1) { return wants_ns(to_ns(start), events); }

    // The Admission that keeps the earliest items (by start, then generation order) whose
    // events fit in max_events.
    Admission admission() const { return adm_; }
    size_t candidate_events() const { return candidate_events_; }

    void slice(int pid, int tid, const std::string& name, Ps start, Ps end, const Args& a) {
        Event e;
        e.ts = to_ns(start);
        e.dur = to_ns(std::max(start, end)) - e.ts;
        e.pid = pid;
        e.tid = tid;
        e.name = name;
        e.args = a.text();
        push(std::move(e));
    }
    void instant(int pid, int tid, const std::string& name, Ps at, const Args& a) {
        Event e;
        e.ts = to_ns(at);
        e.ph = 'i';
        e.pid = pid;
        e.tid = tid;
        e.name = name;
        e.args = a.text();
        push(std::move(e));
    }
    void counter(int pid, const std::string& name, uint64_t at_ns, const char* key, double v) {
        if (!wants_ns(at_ns, 1)) return;
        Event e;
        e.ts = at_ns;
        e.ph = 'C';
        e.pid = pid;
        e.name = name;
        e.args = Args().add(key, v).text();
        push(std::move(e));
    }
    // Events of an async slice with `children` nested parts (ask wants(start, that) first).
    static size_t async_events(size_t children) { return 2 + 2 * children; }
    // An async slice with nested async children [(name, start, end)], all of one id.
    void async(int pid, const std::string& cat, const std::string& name, Ps start, Ps end, const Args& a,
               const std::vector<std::tuple<std::string, Ps, Ps>>& children = {}) {
        const uint64_t id = ++next_id_;
        Item it;
        auto be = [&](char ph, const std::string& n, Ps t, const std::string& args) {
            Event e;
            e.ts = to_ns(t);
            e.ph = ph;
            e.pid = pid;
            e.tid = pid;  // async tracks are per process; tid only for tools that want one
            e.id = id;
            e.cat = cat;
            e.name = n;
            e.args = args;
            it.events.push_back(std::move(e));
        };
        end = std::max(start, end);
        be('b', name, start, a.text());
        for (const auto& [n, s, e] : children) {
            const Ps cs = std::clamp(s, start, end), ce = std::clamp(e, cs, end);
            be('b', n, cs, "");
            be('e', n, ce, "");
        }
        be('e', name, end, "");
        items_.push_back(std::move(it));
    }

    std::vector<Item>& items() { return items_; }

private:
    bool wants_ns(uint64_t start, size_t events) {
        candidate_events_ += events;
        const std::pair<uint64_t, uint64_t> key{start, seq_++};
        if (!counting_) return key < adm_.bound;
        // The heap holds the longest prefix (in key order) of the candidates seen so far whose
        // events fit; anything at or after an evicted key can never be kept.
        if (key >= adm_.bound) return false;
        heap_.push({key, events});
        held_events_ += events;
        while (held_events_ > max_events_) {
            adm_.bound = std::min(adm_.bound, heap_.top().first);
            held_events_ -= heap_.top().second;
            heap_.pop();
        }
        return false;
    }
    void push(Event e) {
        Item it;
        it.events.push_back(std::move(e));
        items_.push_back(std::move(it));
    }

    bool counting_ = true;
    Admission adm_;
    size_t max_events_ = 0;
    uint64_t seq_ = 0;
    size_t candidate_events_ = 0;
    // Counting pass: the candidates kept so far, latest key on top.
    std::priority_queue<std::pair<std::pair<uint64_t, uint64_t>, size_t>> heap_;
    size_t held_events_ = 0;
    std::vector<Item> items_;
    uint64_t next_id_ = 0;
};

// A frame's time on the wire, preamble to inter-frame gap (what EthernetLink counts busy).
std::pair<Ps, Ps> wire_interval(Ps first_byte, uint64_t frame_bytes, Ps byte_time) {
    const Ps start = first_byte - std::min<Ps>(first_byte, proto::kEthernetPreambleSize * byte_time);
    return {start, start + proto::ethernet_wire_bytes(frame_bytes) * byte_time};
}

// Utilisation per window of a set of busy intervals, as counter samples (only on change).
void utilisation_counter(TraceBuilder& b, int pid, const std::string& name, std::vector<std::pair<Ps, Ps>> busy,
                         Ps window, Ps elapsed) {
    if (window == 0) return;
    const size_t n = size_t((std::max(elapsed, Ps(1)) + window - 1) / window);
    std::vector<Ps> sum(n + 1, 0);
    for (auto [s, e] : busy) {
        for (size_t k = size_t(s / window); k <= n && Ps(k) * window < e; ++k) {
            const Ps ws = Ps(k) * window, we = ws + window;
            sum[k] += std::min(e, we) - std::max(s, ws);
        }
    }
    double last = -1;
    for (size_t k = 0; k <= n; ++k) {
        const double u = std::min(1.0, double(sum[k]) / double(window));
        if (u != last) b.counter(pid, name, to_ns(Ps(k) * window), "utilisation", u);
        last = u;
    }
}

// Beats in a stage's input FIFO (of that stage's width), as stats.json estimates them from the
// trace (sim/stats/trace_stage_counters.h), per window of `window` ps: a window in which the
// level changes shows the most it held (so short peaks stay visible, as in stats.json's
// max_occupancy_beats), then the level it ended at from the next window on. A streaming stage
// toggles between levels every cycle; windows keep the samples to at most two per window.
void fifo_counter(TraceBuilder& b, int pid, const std::string& name, const std::vector<nic::StageConfig>& stages,
                  size_t s, const std::vector<stats::TracedFrame>& frames, Ps window) {
    const auto steps = stats::fifo_occupancy(stages, s, frames);
    bool any = false;
    uint64_t shown = 0, level = 0;
    auto show = [&](uint64_t k, uint64_t v) {
        if (any && v == shown) return;
        b.counter(pid, name, to_ns(Ps(k) * window), "beats", double(v));
        any = true;
        shown = v;
    };
    for (size_t i = 0; i < steps.size();) {
        const uint64_t k = steps[i].first / window;
        uint64_t peak = level;  // held at the start of this window
        for (; i < steps.size() && steps[i].first / window == k; ++i) {
            level = steps[i].second;
            peak = std::max(peak, level);
        }
        show(k, peak);
        if (level != peak && (i == steps.size() || steps[i].first / window > k + 1)) show(k + 1, level);
    }
}

Ps stage_entry(const nic::FrameTiming& t, size_t s) { return s == 0 ? t.first_write : t.stages[s - 1].first_out; }

// One chain's stage slices and FIFO counters.
template <class Record, class Describe>
void chain_events(TraceBuilder& b, int pid, int tid0, const char* dir, const std::vector<nic::StageConfig>& stages,
                  const std::vector<Record>& frames, const std::vector<stats::TracedFrame>& traced, Ps fifo_window,
                  Describe describe) {
    for (size_t s = 0; s < stages.size(); ++s) {
        const Ps T = stages[s].clock.period();
        for (const Record& f : frames) {
            if (f.chain.stages.size() != stages.size()) continue;
            const nic::StageTiming& st = f.chain.stages[s];
            const Ps entry = stage_entry(f.chain, s);
            if (!b.wants(st.first_pop)) continue;
            Args a;
            describe(a, f);
            a.add("beats", uint64_t(nic::beats_for(f.frame_bytes, stages[s].width_bytes)))
                .ns("entry_ns", entry)
                .ns("first_out_ns", st.first_out)
                .ns("last_out_ns", st.last_out)
                .ns("residence_ns", st.last_out - entry);
            // The stage is busy with the frame while it pops its beats, one per cycle.
            b.slice(pid, tid0 + int(s), "frame " + std::to_string(f.frame_id), st.first_pop, st.last_pop + T, a);
        }
        fifo_counter(b, pid, std::string("fifo ") + dir + "." + stages[s].name, stages, s, traced, fifo_window);
    }
}

void nic_events(TraceBuilder& b, const Testbed& sys, int i, Ps elapsed, Ps window, Ps fifo_window) {
    const int pid = i + 1;
    const nic::T5Nic& nic = sys.host(i).nic;
    const nic::NicTrace& tr = nic.trace();
    const nic::NicPipelineConfig& pc = nic.params().pipeline;
    using namespace perfetto_tid;

    for (Ps t : tr.sq_doorbells)
        if (b.wants(t)) b.instant(pid, kSge, "doorbell", t, Args());
    for (const nic::WorkRecord& w : tr.works) {
        // The doorbell (or push) that announced the WR: the last one at or before it was ready.
        auto it = std::upper_bound(tr.sq_doorbells.begin(), tr.sq_doorbells.end(), w.ready);
        const Ps start = it == tr.sq_doorbells.begin() ? w.ready : *std::prev(it);
        if (!b.wants(start, TraceBuilder::async_events(w.payload_first ? 2 : 1))) continue;
        std::vector<std::tuple<std::string, Ps, Ps>> parts = {{w.pushed ? "push -> ready" : "fetch + parse", start,
                                                               w.ready}};
        Ps end = w.ready;
        if (w.payload_first) {
            parts.emplace_back("payload", w.payload_first, w.payload_last);
            end = std::max(end, w.payload_last);
        }
        b.async(pid, "wr", "wr " + std::to_string(w.wr_id),
                start, end, Args().add("qpn", w.qpn).add("wr_id", w.wr_id).add("pushed", w.pushed), parts);
    }

    const NicTracedFrames traced = nic_traced_frames(nic);
    chain_events(b, pid, kTxStage0, "tx", pc.tx, tr.tx, traced.tx, fifo_window, [](Args& a, const nic::TxFrameRecord& f) {
        a.add("frame", f.frame_id).add("bytes", f.frame_bytes).add("payload", f.payload).add("qpn", f.qpn).add("seq", f.seq);
    });
    chain_events(b, pid, kRxStage0, "rx", pc.rx, tr.rx, traced.rx, fifo_window, [](Args& a, const nic::RxFrameRecord& f) {
        a.add("frame", f.frame_id).add("bytes", f.frame_bytes).add("payload", f.payload).add("seq", f.seq);
    });

    const Ps tx_bt = sys.link_from(i).byte_time(), rx_bt = sys.link_to(i).byte_time();
    std::vector<std::pair<Ps, Ps>> tx_busy, rx_busy;
    for (const nic::TxFrameRecord& f : tr.tx) {
        const auto [s, e] = wire_interval(f.wire_first_byte, f.frame_bytes, tx_bt);
        tx_busy.emplace_back(s, e);
        if (!b.wants(f.wire_first_byte)) continue;
        // On the wire from the first byte after the preamble to the end of the FCS.
        const Ps data = (proto::ethernet_wire_bytes(f.frame_bytes) - proto::kEthernetPreambleSize -
                         proto::kEthernetMinIfgSize) * tx_bt;
        b.slice(pid, kWireTx, "frame " + std::to_string(f.frame_id), f.wire_first_byte, f.wire_first_byte + data,
                Args().add("frame", f.frame_id).add("bytes", f.frame_bytes).add("payload", f.payload));
    }
    for (const nic::RxFrameRecord& f : tr.rx) {
        rx_busy.push_back(wire_interval(f.first_byte, f.frame_bytes, rx_bt));
        if (!b.wants(f.first_byte)) continue;
        b.slice(pid, kWireRx, "frame " + std::to_string(f.frame_id), f.first_byte, f.last_byte,
                Args().add("frame", f.frame_id).add("bytes", f.frame_bytes).add("payload", f.payload));
    }
    if (!tr.tx.empty()) utilisation_counter(b, pid, "link tx", std::move(tx_busy), window, elapsed);
    if (!tr.rx.empty()) utilisation_counter(b, pid, "link rx", std::move(rx_busy), window, elapsed);

    for (const nic::PlacementRecord& p : tr.placements) {
        const bool done = p.done >= p.issued && p.done;
        if (!b.wants(p.issued, done ? TraceBuilder::async_events(0) : 1)) continue;
        Args a;
        a.add("addr", p.addr).add("bytes", p.bytes);
        if (done)
            b.async(pid, "dma", "place " + std::to_string(p.bytes) + " B", p.issued, p.done, a);
        else
            b.instant(pid, kCompletions, "place (still in flight)", p.issued, a);
    }
    for (const nic::CompletionRecord& c : tr.completions)
        if (b.wants(c.at))
            b.instant(pid, kCompletions, c.recv ? "cqe recv" : "cqe send", c.at,
                  Args().add("qpn", c.qpn).add("wr_id", c.wr_id));
}

// Each operation's lane on its host's operations track: the first lane free by its start (in
// the nanoseconds the file holds), so the slices of one lane never overlap.
std::vector<int> op_lanes(const std::vector<OpRecord>& ops, int hosts) {
    std::vector<size_t> order(ops.size());
    for (size_t k = 0; k < order.size(); ++k) order[k] = k;
    std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) { return ops[x].posted < ops[y].posted; });
    std::vector<int> lane(ops.size(), -1);
    std::vector<std::vector<uint64_t>> free_at(static_cast<size_t>(hosts));  // per host: end of each lane's last slice, ns
    for (size_t k : order) {
        const OpRecord& o = ops[k];
        if (o.initiator < 0 || o.initiator >= hosts) continue;
        auto& lanes = free_at[o.initiator];
        const uint64_t start = to_ns(o.posted), end = to_ns(std::max(o.posted, o.done));
        size_t l = 0;
        while (l < lanes.size() && lanes[l] > start) ++l;
        if (l == lanes.size()) lanes.push_back(0);
        lanes[l] = end;
        lane[k] = int(l);
    }
    return lane;
}

void op_events(TraceBuilder& b, const std::vector<OpRecord>& ops, const std::vector<int>& lanes) {
    for (size_t k = 0; k < ops.size(); ++k) {
        const OpRecord& o = ops[k];
        if (lanes[k] < 0 || !b.wants(o.posted)) continue;
        Args a;
        a.add("size", o.size).add("qpn", o.qpn).add("wr_id", o.wr_id).add("inline", o.inline_data);
        if (o.done >= o.posted) a.ns("latency_ns", o.done - o.posted);
        b.slice(o.initiator + 1, perfetto_tid::kOperations0 + lanes[k],
                std::string(op_kind_name(o.kind)) + " " + std::to_string(o.size) + " B", o.posted,
                std::max(o.posted, o.done), a);
    }
}

void write_event(std::ostream& os, const Event& e) {
    os << "{\"ph\": \"" << e.ph << "\", \"pid\": " << e.pid;
    if (e.ph != 'C') os << ", \"tid\": " << e.tid;
    os << ", \"ts\": " << us(e.ts);
    if (e.ph == 'X') os << ", \"dur\": " << us(e.dur);
    if (e.ph == 'i') os << ", \"s\": \"t\"";
    if (e.ph == 'b' || e.ph == 'e') os << ", \"cat\": " << json_string(e.cat) << ", \"id\": " << e.id;
    os << ", \"name\": " << json_string(e.name);
    if (!e.args.empty()) os << ", \"args\": " << e.args;
    os << '}';
}

void write_meta(std::ostream& os, const char* what, int pid, int tid, const std::string& key, const std::string& value) {
    os << "{\"ph\": \"M\", \"pid\": " << pid;
    if (tid >= 0) os << ", \"tid\": " << tid;
    os << ", \"name\": \"" << what << "\", \"args\": {\"" << key << "\": " << value << "}},\n";
}

}  // namespace

namespace {

PerfettoSummary write_trace(std::ostream& os, const Testbed& sys, const std::vector<OpRecord>& ops,
                            const PerfettoOptions& opt) {
    const Ps elapsed = opt.elapsed ? opt.elapsed : timing::now_ps();
    const Ps window = opt.link_window ? opt.link_window : std::max<Ps>(100 * timing::kNs, elapsed / 500);
    const Ps fifo_window = opt.fifo_window ? opt.fifo_window : std::max<Ps>(timing::kNs, elapsed / 4000);
    const std::vector<int> lanes = op_lanes(ops, sys.host_count());
    auto generate = [&](TraceBuilder& b) {
        for (int i = 0; i < sys.host_count(); ++i) nic_events(b, sys, i, elapsed, window, fifo_window);
        op_events(b, ops, lanes);
    };
    TraceBuilder counting(opt.max_events);
    generate(counting);
    const size_t total_events = counting.candidate_events();
    const Admission adm = counting.admission();
    TraceBuilder b(adm);
    generate(b);

    std::vector<const Event*> events;
    for (const Item& it : b.items())
        for (const Event& e : it.events) events.push_back(&e);
    const size_t kept_events = events.size();
    const bool truncated = kept_events < total_events;
    // Time order; at one instant, generation order (keeps async begin/end nesting intact).
    std::stable_sort(events.begin(), events.end(), [](const Event* x, const Event* y) { return x->ts < y->ts; });

    os << "{\n\"displayTimeUnit\": \"ns\",\n\"otherData\": {\"generator\": \"nicsim\", \"elapsed_us\": "
       << us(to_ns(elapsed)) << ", \"link_window_ns\": " << to_ns(window)
       << ", \"fifo_window_ns\": " << to_ns(fifo_window) << ", \"events\": " << kept_events
       << ", \"truncated\": " << (truncated ? "true" : "false");
    if (truncated)
        os << ", \"note\": "
           << json_string("event cap of " + std::to_string(opt.max_events) + " reached: " +
                          std::to_string(total_events - kept_events) + " events from t = " + us(adm.bound.first) +
                          " us on were left out");
    os << "},\n\"traceEvents\": [\n";
    const char* stage_prefix[2] = {"tx.", "rx."};
    for (int i = 0; i < sys.host_count(); ++i) {
        const int pid = i + 1;
        const nic::T5Nic& nic = sys.host(i).nic;
        write_meta(os, "process_name", pid, -1, "name", json_string("host " + host_name(i) + " NIC"));
        write_meta(os, "process_sort_index", pid, -1, "sort_index", std::to_string(pid));
        auto thread = [&](int tid, const std::string& name) {
            write_meta(os, "thread_name", pid, tid, "name", json_string(name));
            write_meta(os, "thread_sort_index", pid, tid, "sort_index", std::to_string(tid));
        };
        using namespace perfetto_tid;
        thread(kSge, "sge doorbells");
        const auto& pc = nic.params().pipeline;
        for (size_t s = 0; s < pc.tx.size(); ++s) thread(kTxStage0 + int(s), stage_prefix[0] + pc.tx[s].name);
        thread(kWireTx, "wire tx");
        thread(kWireRx, "wire rx");
        for (size_t s = 0; s < pc.rx.size(); ++s) thread(kRxStage0 + int(s), stage_prefix[1] + pc.rx[s].name);
        thread(kCompletions, "placement + completions");
        int used = 0;
        for (size_t k = 0; k < ops.size(); ++k)
            if (ops[k].initiator == i) used = std::max(used, lanes[k] + 1);
        for (int l = 0; l < used; ++l)
            thread(kOperations0 + l, l == 0 ? std::string("operations") : "operations " + std::to_string(l + 1));
    }
    for (size_t k = 0; k < events.size(); ++k) {
        write_event(os, *events[k]);
        os << (k + 1 < events.size() ? ",\n" : "\n");
    }
    if (events.empty()) {
        // The metadata lines end in commas: close the array with one harmless metadata event.
        os << "{\"ph\": \"M\", \"pid\": 1, \"name\": \"process_labels\", \"args\": {\"labels\": \"empty\"}}\n";
    }
    os << "]\n}\n";
    return {kept_events, total_events - kept_events};
}

}  // namespace

std::string perfetto_trace_json(const Testbed& sys, const std::vector<OpRecord>& ops, const PerfettoOptions& opt,
                                PerfettoSummary* summary) {
    std::ostringstream os;
    const PerfettoSummary s = write_trace(os, sys, ops, opt);
    if (summary) *summary = s;
    return os.str();
}

PerfettoSummary write_perfetto_trace(const Testbed& sys, const std::vector<OpRecord>& ops,
                                     const std::filesystem::path& file, const PerfettoOptions& opt) {
    std::error_code ec;
    if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ec);
    std::ofstream o(file, std::ios::binary);
    const PerfettoSummary s = write_trace(o, sys, ops, opt);
    o.flush();
    if (!o.good()) throw std::runtime_error("cannot write " + file.string());
    return s;
}

}  // namespace nicsim::sim
