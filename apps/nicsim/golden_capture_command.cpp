// `nicsim golden-capture`: writes the golden model's reference iWARP connection as a pcap.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "commands.h"
#include "sim/golden_capture.h"

namespace nicsim::app {

Command add_golden_capture_command(CLI::App& app) {
    auto opt = std::make_shared<sim::GoldenCaptureOptions>();
    auto out = std::make_shared<std::string>("out/golden.pcap");
    CLI::App* cmd = app.add_subcommand(
        "golden-capture", "Write one complete iWARP connection made by the golden model as a pcap");
    cmd->add_option("--out", *out, "pcap file to write")->capture_default_str();
    cmd->add_flag("--markers", opt->markers, "negotiate MPA markers in both directions");
    auto* no_crc = cmd->add_flag("--no-crc", "negotiate no MPA CRC (the field is sent as zero)");
    cmd->add_option("--seed", opt->seed, "seed for message sizes, contents and ISNs")->capture_default_str();
    cmd->add_option("--mss", opt->mss, "TCP MSS announced in the SYNs")
        ->check(CLI::Range(200, 9000))
        ->capture_default_str();
    cmd->add_flag("!--no-timestamps", opt->timestamps, "do not use TCP timestamps");

    return [cmd, opt, out, no_crc]() {
        if (!cmd->parsed()) return -1;
        opt->crc = no_crc->count() == 0;
        std::filesystem::path path(*out);
        if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
        sim::GoldenCaptureResult r = sim::write_golden_capture(*out, *opt);
        std::printf("golden-capture: wrote %s\n", out->c_str());
        std::printf("  frames %zu, FPDUs %zu, messages delivered %zu, payload bytes verified %zu\n", r.frames,
                    r.fpdus.size(), r.messages_delivered, r.bytes_verified);
        std::printf("  markers %s, CRC %s, seed %llu (draw %u)\n", opt->markers ? "on" : "off",
                    opt->crc ? "on" : "off", static_cast<unsigned long long>(opt->seed), r.attempts);
        for (const std::string& p : r.problems) std::fprintf(stderr, "  problem: %s\n", p.c_str());
        return r.problems.empty() ? 0 : 1;
    };
}

}  // namespace nicsim::app
