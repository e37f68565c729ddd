// The golden capture dissected by tshark (Wireshark's iWARP dissectors, an independent
// implementation): every FPDU written is recognised, has a Good CRC32 (when CRC is on), none
// is malformed, and the header fields tshark reads back equal what the model wrote.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <unistd.h>

#include "proto/rdmap.h"
#include "sim/golden_capture.h"
#include "tshark_oracle.h"

using namespace nicsim;
using namespace nicsim::test;

namespace {

std::string temp_pcap(const std::string& tag) {
    auto dir = std::filesystem::temp_directory_path() / ("nicsim-golden-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    return (dir / (tag + ".pcap")).string();
}

std::string hex(uint64_t v, int width) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%0*llx", width, static_cast<unsigned long long>(v));
    return buf;
}

void check_capture(const sim::GoldenCaptureOptions& opt) {
    if (!tshark_available()) FAIL("tshark not found on PATH: run scripts/setup (apt-get install tshark)");
    std::string pcap = temp_pcap(std::string(opt.markers ? "m" : "nm") + (opt.crc ? "c" : "nc") +
                                 std::to_string(opt.seed));
    sim::GoldenCaptureResult r = sim::write_golden_capture(pcap, opt);
    INFO("capture " << pcap);
    REQUIRE(r.problems.empty());
    REQUIRE(r.fpdus.size() > 30);

    // Every RDMAP opcode travels each way (Read Responses answer the peer's Reads; the
    // Terminate is the responder's answer to the bad Write, the last FPDU).
    for (uint8_t op = 0; op <= 6; ++op) {
        INFO("opcode " << int(op));
        CHECK(std::count(r.opcodes_initiator.begin(), r.opcodes_initiator.end(), op) == 1);
        CHECK(std::count(r.opcodes_responder.begin(), r.opcodes_responder.end(), op) == 1);
    }
    CHECK(r.fpdus.back().opcode == uint8_t(proto::RdmapOpcode::Terminate));

    // MPA startup recognised: exactly one Request and one Reply.
    CHECK(count_lines(tshark(pcap, "-Y iwarp_mpa.req")) == 1);
    CHECK(count_lines(tshark(pcap, "-Y iwarp_mpa.rep")) == 1);
    CHECK(count_lines(tshark(pcap, "-Y _ws.malformed")) == 0);

    std::string pdml = tshark(pcap, "-T pdml");
    CHECK(count_substr(pdml, "Bad CRC32") == 0);
    CHECK(count_substr(pdml, "Good CRC32") == (opt.crc ? r.fpdus.size() : 0));

    auto rows = tshark_fields(pcap, "iwarp_mpa.fpdu",
                              {"frame.number", "iwarp_mpa.ulpdulength", "iwarp_ddp.tagged_flag",
                               "iwarp_ddp.last_flag", "iwarp_rdma.opcode", "iwarp_ddp.qn", "iwarp_ddp.msn",
                               "iwarp_ddp.mo", "iwarp_ddp.stag", "iwarp_ddp.tagged_offset"});
    REQUIRE(rows.size() == r.fpdus.size());
    for (size_t i = 0; i < rows.size(); ++i) {
        const sim::WrittenFpdu& w = r.fpdus[i];
        const auto& row = rows[i];
        INFO("FPDU " << i << " frame " << row[0]);
        CHECK(row[0] == std::to_string(w.frame));
        CHECK(row[1] == std::to_string(w.ulpdu_length));
        CHECK(row[2] == (w.tagged ? "1" : "0"));
        CHECK(row[3] == (w.last ? "1" : "0"));
        CHECK(row[4] == hex(w.opcode, 2));
        if (w.tagged) {
            CHECK(row[8] == hex(w.stag, 8));
            CHECK(row[9] == hex(w.to, 16));
        } else {
            CHECK(row[5] == std::to_string(w.qn));
            CHECK(row[6] == std::to_string(w.msn));
            CHECK(row[7] == std::to_string(w.mo));
        }
    }

    // The Terminate's layer, type and code as tshark reads them.
    REQUIRE(r.fpdus.back().terminate);
    proto::TermCause cause = *r.fpdus.back().terminate;
    CHECK(cause == proto::term::kDdpInvalidStag);
    auto term = tshark_fields(pcap, "iwarp_rdma.terminate",
                              {"iwarp_rdma.term_layer", "iwarp_rdma.term_etype_ddp",
                               "iwarp_rdma.term_errcode_ddp_tagged", "iwarp_rdma.hdrct_d"});
    REQUIRE(term.size() == 1);
    CHECK(term[0][0] == hex(uint8_t(cause.layer), 2));
    CHECK(term[0][1] == hex(cause.etype, 2));
    CHECK(term[0][2] == hex(cause.code, 2));
    CHECK(term[0][3] == "1");

    if (opt.markers) {  // tshark removed markers and checked the CRC over them
        CHECK(count_lines(tshark(pcap, "-Y iwarp_mpa.marker_fpduptr")) > 0);
        for (const sim::WrittenFpdu& w : r.fpdus) CHECK((w.stream_offset + w.wire_length) % 512 != 0);
    }
    std::filesystem::remove(pcap);
}

}  // namespace

TEST_CASE("tshark decodes the golden capture: markers off, CRC on", "[golden][tshark]") {
    check_capture({false, true, 1});
    check_capture({false, true, 2});
}

TEST_CASE("tshark decodes the golden capture: markers on, CRC on", "[golden][tshark]") {
    check_capture({true, true, 1});
    check_capture({true, true, 3});
}

TEST_CASE("tshark decodes the golden capture: CRC off is not checked", "[golden][tshark]") {
    check_capture({false, false, 1});
    check_capture({true, false, 4});
}
