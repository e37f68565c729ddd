#include "golden_capture.h"

#include <algorithm>
#include <deque>
#include <map>
#include <memory>
#include <random>
#include <stdexcept>

#include "proto/mpa_deframer.h"
#include "proto/mpa_fpdu.h"
#include "proto/mpa_markers.h"
#include "proto/mpa_negotiation.h"
#include "proto/packet.h"
#include "proto/pcap_writer.h"
#include "proto/rdmap_receiver.h"
#include "proto/rdmap_segmenter.h"

namespace nicsim::sim {
using namespace proto;

namespace {

constexpr uint8_t kWindowShift = 7;
constexpr uint32_t kPd = 1;
// STags each host registers (the same numbers on both hosts, in their own TPTs).
constexpr uint32_t kWriteTarget = 0x100, kReadSource = 0x200, kReadSink = 0x300, kInvalidatable = 0x400;
constexpr uint32_t kUnregistered = 0xBAD;
constexpr uint64_t kRegionBase = 0x10000, kRegionSize = 64 * 1024;
constexpr uint32_t kReceiveBufferSize = 8192;
constexpr int kReceiveBuffers = 32;
constexpr uint64_t kGapPs = 500'000;  // host turnaround between frames: 500 ns

struct Region {
    uint64_t base_to = 0;
    Bytes bytes;
};

// One host: its TCP state, its MPA ends and its RDMAP/DDP engines, and its memory.
struct Host {
    const char* name = "";
    bool initiator = false;
    TcpEndpoint endpoint;
    uint32_t snd_nxt = 0, rcv_nxt = 0;
    uint32_t ts_val = 0, ts_recent = 0;

    MpaPeerConfig mpa;
    MpaFramingOptions tx_framing;
    std::optional<uint32_t> first_fpdu_seq;  // marker counting starts here
    std::optional<MpaDeframer> deframer;
    RdmapSegmenter segmenter;
    Tpt tpt;
    std::unique_ptr<RdmapReceiver> receiver;

    std::map<uint32_t, Region> memory;  // by STag
    std::map<uint64_t, Bytes> receive_buffers;
    uint64_t next_receive_id = 0;
    std::deque<ReadRequestHeader> reads_to_answer;
    std::optional<TerminateMessage> terminate_to_send;
    std::vector<uint8_t> opcodes_sent;
    bool closed = false;

    void register_region(uint32_t stag, uint32_t access, std::mt19937_64& rng) {
        Region r{kRegionBase, Bytes(kRegionSize)};
        for (auto& b : r.bytes) b = uint8_t(rng());
        memory[stag] = r;
        tpt.add({stag, kPd, kRegionBase, kRegionSize, access, true, 0});
    }
};

class Conversation {
public:
    Conversation(const std::string& path, const GoldenCaptureOptions& opt, GoldenCaptureResult& result)
        : pcap_(path), opt_(opt), result_(result) {}

    // One TCP segment from `from` to `to`; the receiver's state follows.
    void segment(Host& from, Host& to, uint8_t flags, ByteView payload, TcpOptions options = {}) {
        TcpFrameSpec spec;
        spec.flow = {from.endpoint, to.endpoint};
        spec.seq = from.snd_nxt;
        spec.ack = (flags & kTcpAck) ? from.rcv_nxt : 0;
        spec.flags = flags;
        spec.window = 0xFFFF;  // scaled by 2^7 after the SYNs: never the bottleneck here
        if (opt_.timestamps) {
            from.ts_val += 1;
            options.timestamps = TcpTimestamps{from.ts_val, from.ts_recent};
        }
        spec.options = options;
        spec.payload = payload;
        spec.ip_id = uint16_t(++ip_id_);
        Bytes frame = build_tcp_frame(spec);
        pcap_.write(now_ps_, frame);
        ++result_.frames;
        // 40 Gb/s: 200 ps per byte, plus FCS, preamble and inter-frame gap.
        now_ps_ += (frame.size() + 4 + 20) * 200 + kGapPs;

        uint32_t consumed = uint32_t(payload.size) + ((flags & (kTcpSyn | kTcpFin)) ? 1 : 0);
        from.snd_nxt += consumed;
        to.rcv_nxt = from.snd_nxt;
        to.ts_recent = from.ts_val;
        if (payload.size && to.deframer) receive(to, payload);
    }

    void ack(Host& from, Host& to) { segment(from, to, kTcpAck, ByteView()); }

    void handshake(Host& a, Host& b) {
        TcpOptions syn;
        syn.mss = opt_.mss;
        syn.window_scale = kWindowShift;
        syn.sack_permitted = true;
        segment(a, b, kTcpSyn, ByteView(), syn);
        b.rcv_nxt = a.snd_nxt;
        segment(b, a, kTcpSyn | kTcpAck, ByteView(), syn);
        a.rcv_nxt = b.snd_nxt;
        ack(a, b);
    }

    // MPA startup: both sides parse what they receive and negotiate for real.
    void mpa_startup(Host& ini, Host& res) {
        MpaStartupFrame req = make_mpa_request(ini.mpa);
        Bytes req_bytes = encode_mpa_startup(req);
        segment(ini, res, kTcpAck | kTcpPsh, req_bytes);
        ack(res, ini);
        auto parsed_req = parse_mpa_startup(req_bytes, MpaFrameKind::Request);
        if (parsed_req.status != MpaStartupParse::Status::Ok) throw std::logic_error("golden MPA Request unparsable");
        MpaResponse resp = respond_to_mpa_request(res.mpa, parsed_req.frame);
        Bytes rep_bytes = encode_mpa_startup(resp.reply);
        segment(res, ini, kTcpAck | kTcpPsh, rep_bytes);
        ack(ini, res);
        auto parsed_rep = parse_mpa_startup(rep_bytes, MpaFrameKind::Reply);
        MpaReplyCheck check = accept_mpa_reply(ini.mpa, req, parsed_rep.frame);
        if (!check.session || !resp.session) throw std::logic_error("golden MPA negotiation failed");
        session_ = *check.session;
        start_fpdus(ini, session_.markers_initiator_to_responder, session_.markers_responder_to_initiator);
        start_fpdus(res, session_.markers_responder_to_initiator, session_.markers_initiator_to_responder);
    }

    // Sends one RDMAP message as FPDUs, one per TCP segment, each acknowledged; then lets the
    // receiver answer Read Requests and send a Terminate if its checks produced one.
    void send_message(Host& from, Host& to, const RdmapMessage& m) {
        if (from.closed) return;
        if (m.opcode == RdmapOpcode::ReadRequest) from.receiver->expect_read_response(m.read);
        size_t emss = opt_.mss - (opt_.timestamps ? 12 : 0);
        size_t mulpdu = mpa_mulpdu(emss, from.tx_framing.markers);
        for (const Bytes& ulpdu : from.segmenter.segment(m, mulpdu)) {
            uint64_t offset = uint32_t(from.snd_nxt - *from.first_fpdu_seq);
            Bytes fpdu = mpa_frame_fpdu(ulpdu, from.tx_framing, offset);
            record_fpdu(from, ulpdu, offset, fpdu.size());
            segment(from, to, kTcpAck | kTcpPsh, fpdu);
            ack(to, from);
        }
        if (std::find(from.opcodes_sent.begin(), from.opcodes_sent.end(), uint8_t(m.opcode)) == from.opcodes_sent.end())
            from.opcodes_sent.push_back(uint8_t(m.opcode));
        answer(to, from);
    }

    void close(Host& first, Host& second) {
        segment(first, second, kTcpFin | kTcpAck, ByteView());
        ack(second, first);
        segment(second, first, kTcpFin | kTcpAck, ByteView());
        ack(first, second);
    }

    void problem(const std::string& what) { result_.problems.push_back(what); }
    const MpaSession& session() const { return session_; }

private:
    void start_fpdus(Host& h, bool tx_markers, bool rx_markers) {
        h.tx_framing = {tx_markers, session_.crc};
        h.first_fpdu_seq = h.snd_nxt;
        h.deframer.emplace(MpaReceiveOptions{rx_markers, session_.crc});
        h.receiver = std::make_unique<RdmapReceiver>(h.tpt, RdmapReceiverConfig{kPd, 16});
        h.next_receive_id = h.initiator ? 1000 : 2000;
        for (int i = 0; i < kReceiveBuffers; ++i) {
            uint64_t id = h.next_receive_id + uint64_t(i);
            h.receive_buffers[id] = Bytes(kReceiveBufferSize, 0);
            h.receiver->post_receive({id, kReceiveBufferSize});
        }
    }

    void record_fpdu(const Host& from, const Bytes& ulpdu, uint64_t offset, size_t wire_length) {
        auto d = decode_ddp_segment(ulpdu);
        if (!d.segment) throw std::logic_error("golden model produced an undecodable ULPDU");
        const DdpHeader& h = d.segment->header;
        WrittenFpdu w;
        w.frame = result_.frames + 1;
        w.from_initiator = from.initiator;
        w.ulpdu_length = uint16_t(ulpdu.size());
        w.tagged = h.tagged;
        w.last = h.last;
        w.opcode = h.ulp_control & 0x0F;
        w.stag = h.stag;
        w.to = h.to;
        w.qn = h.qn;
        w.msn = h.msn;
        w.mo = h.mo;
        w.stream_offset = offset;
        w.wire_length = wire_length;
        if (w.opcode == uint8_t(RdmapOpcode::Terminate))
            if (auto t = decode_terminate(d.segment->payload)) w.terminate = t->cause;
        result_.fpdus.push_back(w);
    }

    // The receiving host's de-framer and RDMAP/DDP rules, with placement into its memory.
    void receive(Host& to, ByteView payload) {
        std::vector<ReceivedFpdu> fpdus;
        to.deframer->feed(payload, fpdus);
        if (to.deframer->error()) problem(std::string(to.name) + ": de-framer: " + describe(*to.deframer->error()));
        for (const ReceivedFpdu& f : fpdus) {
            ReceiveOutcome o = to.receiver->on_ulpdu(f.ulpdu);
            for (const Placement& p : o.placements) place(to, p);
            if (o.terminate) to.terminate_to_send = *o.terminate;
            if (!o.delivered) continue;
            ++result_.messages_delivered;
            if (o.delivered->opcode == RdmapOpcode::ReadRequest) to.reads_to_answer.push_back(o.delivered->read);
            if (o.delivered->opcode == RdmapOpcode::Terminate) to.closed = true;
        }
    }

    void place(Host& to, const Placement& p) {
        Bytes* dst;
        uint64_t off;
        if (p.tagged) {
            Region& r = to.memory.at(p.stag);
            dst = &r.bytes;
            off = p.to - r.base_to;
        } else {
            dst = &to.receive_buffers.at(p.wr_id);
            off = p.offset;
        }
        std::copy(p.data.data, p.data.data + p.data.size, dst->begin() + long(off));
    }

    void answer(Host& responder, Host& requester) {
        while (!responder.reads_to_answer.empty() && !responder.closed) {
            ReadRequestHeader rr = responder.reads_to_answer.front();
            responder.reads_to_answer.pop_front();
            RdmapMessage resp;
            resp.opcode = RdmapOpcode::ReadResponse;
            resp.stag = rr.sink_stag;
            resp.to = rr.sink_to;
            if (rr.size) {
                const Region& src = responder.memory.at(rr.src_stag);
                auto begin = src.bytes.begin() + long(rr.src_to - src.base_to);
                resp.payload.assign(begin, begin + rr.size);
            }
            send_message(responder, requester, resp);
            responder.receiver->read_response_sent();
        }
        if (responder.terminate_to_send && !responder.closed) {
            RdmapMessage t;
            t.opcode = RdmapOpcode::Terminate;
            t.terminate = *responder.terminate_to_send;
            responder.terminate_to_send.reset();
            send_message(responder, requester, t);
            responder.closed = true;
        }
    }

    PcapWriter pcap_;
    GoldenCaptureOptions opt_;
    GoldenCaptureResult& result_;
    MpaSession session_;
    uint64_t now_ps_ = 1'000'000;
    uint32_t ip_id_ = 0;
};

Bytes random_bytes(std::mt19937_64& rng, size_t n) {
    Bytes b(n);
    for (auto& x : b) x = uint8_t(rng());
    return b;
}

size_t pick(std::mt19937_64& rng, size_t lo, size_t hi) { return lo + size_t(rng() % (hi - lo + 1)); }

// Every RDMAP opcode from `x` to `y`, with payloads checked where they land.
void exercise_direction(Conversation& c, Host& x, Host& y, std::mt19937_64& rng, GoldenCaptureResult& result) {
    auto check_region = [&](Host& h, uint32_t stag, uint64_t to, const Bytes& want, const char* what) {
        const Region& r = h.memory.at(stag);
        bool same = std::equal(want.begin(), want.end(), r.bytes.begin() + long(to - r.base_to));
        if (!same) c.problem(std::string(what) + " to " + h.name + " placed wrong bytes");
        result.bytes_verified += want.size();
    };
    auto write = [&](size_t len, uint64_t to) {
        RdmapMessage m;
        m.opcode = RdmapOpcode::RdmaWrite;
        m.stag = kWriteTarget;
        m.to = to;
        m.payload = random_bytes(rng, len);
        c.send_message(x, y, m);
        check_region(y, kWriteTarget, to, m.payload, "RDMA Write");
    };
    write(pick(rng, 1, 1000), kRegionBase);
    write(pick(rng, 2000, 6000), kRegionBase + 8192 + 4 * pick(rng, 0, 100));  // several segments
    write(0, kRegionBase);

    auto send = [&](RdmapOpcode op, size_t len, uint32_t invalidate = 0) {
        RdmapMessage m;
        m.opcode = op;
        m.invalidate_stag = invalidate;
        m.payload = random_bytes(rng, len);
        uint64_t id = y.next_receive_id++;  // receives are consumed in posting order
        c.send_message(x, y, m);
        const Bytes& buf = y.receive_buffers.at(id);
        if (!std::equal(m.payload.begin(), m.payload.end(), buf.begin()))
            c.problem(std::string(opcode_name(op)) + " to " + y.name + " placed wrong bytes");
        result.bytes_verified += len;
    };
    send(RdmapOpcode::Send, pick(rng, 1, 1400));
    send(RdmapOpcode::Send, pick(rng, 3000, 7000));
    send(RdmapOpcode::Send, 0);
    send(RdmapOpcode::SendInvalidate, pick(rng, 1, 600), kInvalidatable);
    send(RdmapOpcode::SendSolicited, pick(rng, 1, 600));
    send(RdmapOpcode::SendSolicitedInvalidate, pick(rng, 1, 600), kInvalidatable + 1);
    if (y.tpt.find(kInvalidatable)->valid || y.tpt.find(kInvalidatable + 1)->valid)
        c.problem(std::string("Send with Invalidate did not invalidate at ") + y.name);

    auto read = [&](size_t len) {
        RdmapMessage m;
        m.opcode = RdmapOpcode::ReadRequest;
        uint64_t src_off = 4 * pick(rng, 0, 1000), sink_off = 4 * pick(rng, 0, 1000);
        m.read = {kReadSink, kRegionBase + sink_off, uint32_t(len), kReadSource, kRegionBase + src_off};
        c.send_message(x, y, m);
        const Region& src = y.memory.at(kReadSource);
        Bytes want(src.bytes.begin() + long(src_off), src.bytes.begin() + long(src_off + len));
        check_region(x, kReadSink, kRegionBase + sink_off, want, "RDMA Read Response");
    };
    read(pick(rng, 2000, 6000));
    read(0);
}

}  // namespace

namespace {

bool ends_on_marker_position(const WrittenFpdu& f) {
    return (f.stream_offset + f.wire_length) % kMarkerSpacing == 0;
}

GoldenCaptureResult generate(const std::string& path, const GoldenCaptureOptions& opt, uint64_t seed) {
    GoldenCaptureResult result;
    std::mt19937_64 rng(seed);
    Host a, b;
    a.name = "initiator";
    a.initiator = true;
    b.name = "responder";
    a.endpoint = {*MacAddress::parse("02:00:00:00:00:01"), *Ipv4Address::parse("10.0.0.1"), 49152};
    b.endpoint = {*MacAddress::parse("02:00:00:00:00:02"), *Ipv4Address::parse("10.0.0.2"), 7174};
    // ISNs below 2^31 keep Wireshark's marker arithmetic away from sequence wrap.
    a.snd_nxt = uint32_t(rng() % 0x40000000u);
    b.snd_nxt = uint32_t(rng() % 0x40000000u);
    for (Host* h : {&a, &b}) {
        h->mpa.markers_rx = opt.markers;
        h->mpa.crc = opt.crc;
        h->mpa.revision = 2;
        h->mpa.peer_to_peer = true;
        h->mpa.rtr_types = kRtrZeroLengthRead;  // the cxgb4 default
        h->register_region(kWriteTarget, kAccessRemoteWrite | kAccessLocalWrite, rng);
        h->register_region(kReadSource, kAccessRemoteRead | kAccessLocalRead, rng);
        h->register_region(kReadSink, kAccessLocalWrite, rng);
        h->register_region(kInvalidatable, kAccessRemoteWrite, rng);
        h->register_region(kInvalidatable + 1, kAccessRemoteWrite, rng);
    }

    Conversation c(path, opt, result);
    c.handshake(a, b);
    c.mpa_startup(a, b);
    c.send_message(a, b, make_rtr_message(c.session().rtr));  // the initiator speaks first
    exercise_direction(c, a, b, rng, result);
    exercise_direction(c, b, a, rng, result);
    // A Write to an STag the responder never registered: its checks answer with a Terminate
    // (DDP tagged buffer error, invalid STag), after which the connection closes.
    RdmapMessage bad;
    bad.opcode = RdmapOpcode::RdmaWrite;
    bad.stag = kUnregistered;
    bad.payload = random_bytes(rng, 64);
    c.send_message(a, b, bad);
    c.close(b, a);
    result.opcodes_initiator = a.opcodes_sent;
    result.opcodes_responder = b.opcodes_sent;
    return result;
}

}  // namespace

GoldenCaptureResult write_golden_capture(const std::string& path, const GoldenCaptureOptions& opt) {
    constexpr unsigned kMaxAttempts = 64;
    for (unsigned attempt = 0; attempt < kMaxAttempts; ++attempt) {
        uint64_t seed = opt.seed + attempt * 0x9E3779B97F4A7C15ull;
        GoldenCaptureResult r = generate(path, opt, seed);
        r.attempts = attempt + 1;
        if (!opt.markers || std::none_of(r.fpdus.begin(), r.fpdus.end(), ends_on_marker_position)) return r;
    }
    throw std::runtime_error("golden capture: no draw avoided FPDUs ending on a marker position");
}

}  // namespace nicsim::sim
