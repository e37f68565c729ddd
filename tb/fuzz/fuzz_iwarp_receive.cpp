// libFuzzer harness: every receive-side parser of the golden model on untrusted bytes.
// The first bytes choose the options (markers, CRC, where the stream is cut); the rest is
// one direction's TCP byte stream. Any crash, sanitizer report or out-of-bounds placement is
// a bug: hostile input must only ever produce a Terminate cause.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "proto/mpa_deframer.h"
#include "proto/mpa_startup.h"
#include "proto/rdmap_receiver.h"

using namespace nicsim::proto;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 4) return 0;
    MpaReceiveOptions opt;
    opt.markers = data[0] & 1;
    opt.crc = data[0] & 2;
    if (data[0] & 4) opt.max_ulpdu = 16384;
    size_t cut = 1 + data[1] % 97;
    uint64_t start = uint64_t(data[2] & 0x7F) * 4;
    ByteView stream(data + 4, size - 4);

    // Startup frames.
    parse_mpa_startup(stream, MpaFrameKind::Request);
    parse_mpa_startup(stream, MpaFrameKind::Reply);

    // Out-of-order location.
    for (const ReceivedFpdu& f : locate_fpdus(stream, start + (data[3] & 3), opt)) (void)f;

    // In-order de-framing at `cut`-byte pieces, then DDP/RDMAP rules on every ULPDU.
    Tpt tpt;
    tpt.add({0x100, 1, 0, 4096, kAccessRemoteWrite | kAccessRemoteRead | kAccessLocalWrite, true, 0});
    RdmapReceiver rx(tpt, {1, 2});
    rx.post_receive({1, 1024});
    rx.expect_read_response({0x100, 0, 512, 0x100, 0});
    MpaDeframer deframer(opt, start);
    std::vector<ReceivedFpdu> fpdus;
    for (size_t at = 0; at < stream.size; at += cut) deframer.feed(stream.sub(at, cut), fpdus);
    for (const ReceivedFpdu& f : fpdus) {
        ReceiveOutcome o = rx.on_ulpdu(f.ulpdu);
        for (const Placement& p : o.placements)
            if (p.data.data < f.ulpdu.data() || p.data.data + p.data.size > f.ulpdu.data() + f.ulpdu.size())
                std::abort();
        if (o.terminate) break;
    }
    // The ULPDU parsers directly on the raw bytes too.
    RdmapReceiver raw(tpt, {1, 2});
    raw.post_receive({1, 1024});
    raw.on_ulpdu(stream);
    decode_terminate(stream);
    decode_read_request(stream);
    return 0;
}
