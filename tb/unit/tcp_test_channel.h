// A tiny deterministic event loop for TCP engine tests: two TcpConnection endpoints joined by
// a channel with a one-way delay, a line rate, and a per-segment fate function that can drop,
// duplicate or delay (reorder) any segment. Header-only so other tests (the NIC's) can reuse it.
//
// Time advances only to the next delivery or timer deadline; nothing is random unless the
// fate function makes it so, so every run is reproducible.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <queue>
#include <vector>

#include "proto/packet.h"
#include "proto/tcp_connection.h"

namespace nicsim::test {

using proto::Bytes;
using proto::ByteView;
using proto::TcpConnection;
using proto::TcpEvent;
using proto::TcpHeader;
using proto::TcpSegment;

// One segment as it left an endpoint (the sender-side view, before the channel's fate).
struct WireSegment {
    uint64_t time_ps = 0;  // when its first bit left the sender
    int from = 0;          // 0 = endpoint A, 1 = endpoint B
    uint64_t index = 0;    // per-direction count of segments emitted, from 0
    TcpHeader header;
    Bytes payload;
    bool retransmission = false;
    uint32_t records = 0;
};

struct Fate {
    enum Kind { Deliver, Drop, Duplicate } kind = Deliver;
    uint64_t extra_delay_ps = 0;  // a delayed segment lets later ones overtake it (reordering)
};

// The channel's physical parameters (both directions alike).
struct TcpTestLink {
    uint64_t delay_ps = 10 * proto::kPsPerUs;      // one-way propagation
    uint64_t bits_per_second = 10'000'000'000ull;  // 0 = infinitely fast
};

class TcpTestChannel {
public:
    using Link = TcpTestLink;

    TcpTestChannel(TcpConnection& a, TcpConnection& b, Link link = Link{}) : link_(link) {
        ep_[0] = &a;
        ep_[1] = &b;
    }

    // Hooks. `fate` decides what the channel does with each segment; `tap` sees every
    // segment as sent (a capture point before any loss).
    std::function<Fate(const WireSegment&)> fate;
    std::function<void(const WireSegment&)> tap;
    // Called right after endpoint `to` processed a delivered segment (before its outputs).
    std::function<void(int to, const TcpHeader&)> after_delivery;
    // With auto_consume the application reads everything as soon as it is readable.
    bool auto_consume[2] = {true, true};

    Bytes received[2];                // bytes each endpoint's application read
    std::vector<TcpEvent> events[2];  // every event each endpoint reported
    std::vector<WireSegment> log;     // every segment emitted, both directions

    uint64_t now() const { return now_; }
    TcpConnection& ep(int i) { return *ep_[i]; }

    // Processes outputs and events at the current time (call after user actions).
    void pump() {
        bool progress = true;
        while (progress) {
            progress = false;
            for (int i = 0; i < 2; ++i) {
                TcpEvent ev;
                while (ep_[i]->poll_event(ev)) {
                    events[i].push_back(ev);
                    progress = true;
                }
                if (auto_consume[i]) read_all(i);
                while (ep_[i]->poll_segment(now_, seg_)) {
                    emit(i);
                    progress = true;
                }
            }
        }
    }

    // Application read of everything readable at endpoint i.
    void read_all(int i) {
        ByteView r = ep_[i]->readable();
        if (r.empty()) return;
        received[i].insert(received[i].end(), r.data, r.data + r.size);
        ep_[i]->consume(r.size);
    }

    // Runs until `done()` holds (checked after every step), nothing is left to do, or the
    // next step would pass `until_ps`. Returns done().
    bool run_until(const std::function<bool()>& done, uint64_t until_ps) {
        pump();
        while (!(done && done())) {
            uint64_t t = std::min(ep_[0]->next_timer(), ep_[1]->next_timer());
            if (!queue_.empty()) t = std::min(t, queue_.top().time);
            if (t == proto::kTcpNoTimer || t > until_ps) return done && done();
            now_ = std::max(now_, t);
            while (!queue_.empty() && queue_.top().time <= now_) {
                Delivery d = queue_.top();
                queue_.pop();
                ep_[d.to]->on_segment(now_, d.header, d.payload);
                if (after_delivery) after_delivery(d.to, d.header);
                pump();
            }
            for (int i = 0; i < 2; ++i)
                if (ep_[i]->next_timer() <= now_) ep_[i]->on_timer(now_);
            pump();
        }
        return true;
    }
    // Runs everything due within `duration_ps`, then moves the clock to its end.
    void run_for(uint64_t duration_ps) {
        const uint64_t end = now_ + duration_ps;
        run_until(nullptr, end);
        now_ = std::max(now_, end);
    }

    // Segments of the log sent by `from` that carry payload.
    std::vector<WireSegment> data_segments(int from) const {
        std::vector<WireSegment> out;
        for (const auto& s : log)
            if (s.from == from && !s.payload.empty()) out.push_back(s);
        return out;
    }
    size_t count_events(int i, proto::TcpEventKind k) const {
        return size_t(std::count_if(events[i].begin(), events[i].end(),
                                    [&](const TcpEvent& e) { return e.kind == k; }));
    }

private:
    struct Delivery {
        uint64_t time;
        uint64_t order;
        int to;
        TcpHeader header;
        Bytes payload;
        bool operator<(const Delivery& o) const {  // min-heap on (time, order)
            return time != o.time ? time > o.time : order > o.order;
        }
    };

    void emit(int from) {
        WireSegment w;
        w.from = from;
        w.index = sent_[from]++;
        w.header = seg_.header;
        w.payload = seg_.payload;
        w.retransmission = seg_.retransmission;
        w.records = seg_.records;
        // Serialization at the line rate, frames back to back (preamble, FCS, IFG included).
        const uint64_t start = std::max(now_, link_free_[from]);
        uint64_t ser = 0;
        if (link_.bits_per_second) {
            const uint64_t bytes = proto::tcp_frame_length(w.header.options, w.payload.size()) + 24;
            ser = bytes * 8 * proto::kPsPerSecond / link_.bits_per_second;
        }
        link_free_[from] = start + ser;
        w.time_ps = start;
        if (tap) tap(w);
        const Fate f = fate ? fate(w) : Fate{};
        const uint64_t arrive = start + ser + link_.delay_ps + f.extra_delay_ps;
        if (f.kind != Fate::Drop) {
            queue_.push(Delivery{arrive, order_++, 1 - from, w.header, w.payload});
            if (f.kind == Fate::Duplicate) queue_.push(Delivery{arrive, order_++, 1 - from, w.header, w.payload});
        }
        log.push_back(std::move(w));
    }

    Link link_;
    TcpConnection* ep_[2];
    uint64_t now_ = 0;
    uint64_t link_free_[2] = {0, 0};
    uint64_t sent_[2] = {0, 0};
    uint64_t order_ = 0;
    std::priority_queue<Delivery> queue_;
    TcpSegment seg_;
};

}  // namespace nicsim::test
