// The T5Nic's small parts on their own: payload beat times, the memory adapter's placement
// and scatter, and the pipeline chains read from the configuration.
#include <catch2/catch.hpp>

#include "nic/t5/nic_memory_adapter.h"
#include "nic/t5/nic_pipeline_config.h"
#include "nic/t5/payload_timeline.h"

using namespace nicsim;
using namespace nicsim::nic;
using timing::Ps;

namespace {
sge::PayloadBurst burst(uint32_t offset, uint32_t bytes, Ps first, bool last) {
    sge::PayloadBurst b;
    b.wr_id = 5;
    b.offset = offset;
    b.data.assign(bytes, 0xab);
    b.first_beat = first;
    b.beat_period = 2000;
    b.beats = (bytes + 31) / 32;
    b.last = last;
    return b;
}
}  // namespace

TEST_CASE("PayloadTimeline gives each byte the time of the beat carrying it", "[t5][unit]") {
    PayloadTimeline t(1, 5, 200, 32);
    CHECK_FALSE(t.byte_time(0));
    REQUIRE(t.add(burst(0, 64, 10000, false)));
    CHECK(*t.byte_time(0) == 10000);
    CHECK(*t.byte_time(31) == 10000);
    CHECK(*t.byte_time(32) == 12000);
    CHECK(*t.byte_time(63) == 12000);
    CHECK_FALSE(t.byte_time(64));
    CHECK_FALSE(t.complete());
    CHECK_FALSE(t.add(burst(100, 10, 20000, false)));  // a gap is refused
    REQUIRE(t.add(burst(64, 136, 50000, true)));
    CHECK(t.complete());
    CHECK(*t.byte_time(64) == 50000);
    CHECK(*t.byte_time(199) == 50000 + 4 * 2000);  // byte 135 of the burst is in its beat 4
    CHECK(*t.end_time() == 50000 + 4 * 2000);
    CHECK_FALSE(t.add(burst(200, 0, 60000, true)));  // nothing after the end

    PayloadTimeline empty(1, 6, 0, 32);
    CHECK_FALSE(empty.end_time());
    REQUIRE(empty.add(burst(0, 0, 7000, true)));
    CHECK(empty.complete());
    CHECK(*empty.end_time() == 7000);
}

TEST_CASE("NicMemoryAdapter places tagged data at host addresses and scatters receives", "[t5][unit]") {
    proto::Tpt tpt;
    tpt.add({0x100, 1, 0x5000, 0x1000, proto::kAccessRemoteWrite | proto::kAccessRemoteRead, true, 0x5000});
    std::vector<std::pair<uint64_t, proto::Bytes>> placed;
    std::vector<std::pair<uint64_t, uint32_t>> reads;
    NicMemoryAdapter::Hooks h;
    h.place = [&](uint64_t a, proto::Bytes d) { placed.emplace_back(a, std::move(d)); };
    h.peek = [](uint64_t a, uint32_t n) { return proto::Bytes(n, uint8_t(a)); };
    h.source_read = [&](uint64_t a, uint32_t n) { reads.emplace_back(a, n); };
    NicMemoryAdapter m(tpt, h);

    proto::Bytes d = {1, 2, 3, 4, 5};
    m.write_tagged(0x100, 0x5010, d);
    REQUIRE(placed.size() == 1);
    CHECK(placed[0].first == 0x5010);
    CHECK(placed[0].second == d);
    m.write_tagged(0x100, 0x5ffe, d);  // past the region: refused, never placed
    m.write_tagged(0x999, 0, d);       // unknown STag
    CHECK(placed.size() == 1);
    CHECK(m.bad_accesses() == 2);

    // A receive with three buffers: 4 + 2 + 10 bytes; write 5 bytes at offset 3.
    host::ring::RecvWqe w;
    w.wr_id = 9;
    w.sgl = {{0x100, 4, 1}, {0x200, 2, 1}, {0x300, 10, 1}};
    m.add_receive(1, w);
    placed.clear();
    m.write_receive(1, 3, d);
    REQUIRE(placed.size() == 3);
    CHECK(placed[0] == std::make_pair(uint64_t(0x103), proto::Bytes{1}));
    CHECK(placed[1] == std::make_pair(uint64_t(0x200), proto::Bytes{2, 3}));
    CHECK(placed[2] == std::make_pair(uint64_t(0x300), proto::Bytes{4, 5}));
    m.write_receive(2, 0, d);  // unknown receive
    CHECK(m.bad_accesses() == 3);

    proto::Bytes r = m.read_tagged(0x100, 0x5100, 8);
    CHECK(r == proto::Bytes(8, uint8_t(0x5100)));
    REQUIRE(reads.size() == 1);
    CHECK(reads[0] == std::make_pair(uint64_t(0x5100), uint32_t(8)));
}

TEST_CASE("The NIC's chains come from the nic.* keys", "[t5][unit]") {
    config::Config c;
    NicPipelineConfig n = nic_pipeline_from_config(c);
    REQUIRE(n.tx.size() == 4);
    REQUIRE(n.rx.size() == 7);
    CHECK(n.tx[0].name == "ulp_tx");
    CHECK(n.tx[3].name == "mac_tx");
    CHECK(n.tx[3].clock.period() == 3200);  // 312.5 MHz
    CHECK(n.tx[3].width_bytes == 16);
    CHECK(n.tx[3].latency_cycles == 11);
    CHECK(n.rx[0].name == "mac_rx");
    CHECK(n.rx[2].name == "le");
    CHECK(n.rx[2].latency_cycles == c.get_int("nic.le.latency_cycles") + c.get_int("nic.le.hash_lookup_cycles"));
    CHECK(n.rx[2].latency_cycles == 1 + 2);  // the t5_40g defaults: LE + hash lookup
    CHECK(n.rx[6].name == "tpt");
    CHECK(n.rx[6].clock.period() == 2000);  // 500 MHz core
    CHECK(n.rx[6].header_bytes == 82);
    CHECK_THROWS_AS(nic_stage_from_config(c, "nope"), std::invalid_argument);
}
