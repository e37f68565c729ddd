// tshark as an independent oracle (protocol.md §4.3): runs it on a capture with the options
// that let Wireshark's iWARP dissectors decode a model-written pcap, and returns its output.
// tshark is required (scripts/setup installs it); a test that needs it fails when it is
// missing rather than passing silently.
#pragma once

#include <string>
#include <vector>

namespace nicsim::test {

// Runs a shell command, returns its standard output; `status` gets the exit status.
std::string run_command(const std::string& cmd, int* status = nullptr);

bool tshark_available();

// tshark -r PCAP <iWARP options> EXTRA, stdout only.
std::string tshark(const std::string& pcap, const std::string& extra);

// One row per frame matching `filter`, each the values of `fields` (tshark -T fields, ',').
std::vector<std::vector<std::string>> tshark_fields(const std::string& pcap, const std::string& filter,
                                                    const std::vector<std::string>& fields);

size_t count_lines(const std::string& s);
size_t count_substr(const std::string& s, const std::string& what);

}  // namespace nicsim::test
