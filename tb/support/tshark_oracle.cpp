#include "tshark_oracle.h"

#include <array>
#include <cstdio>
#include <sstream>

namespace nicsim::test {

std::string run_command(const std::string& cmd, int* status) {
    std::string out;
    std::FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) {
        if (status) *status = -1;
        return out;
    }
    std::array<char, 8192> buf;
    size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
    int rc = ::pclose(p);
    if (status) *status = rc;
    return out;
}

bool tshark_available() {
    int rc = 0;
    std::string where = run_command("command -v tshark", &rc);
    return rc == 0 && !where.empty();
}

std::string tshark(const std::string& pcap, const std::string& extra) {
    // rpcordma's heuristic throws on ordinary Send payloads; the heuristic-first preference
    // lets the MPA heuristic see the stream whatever the port (protocol.md §4.1).
    return run_command("tshark -n -r '" + pcap +
                       "' --disable-protocol rpcordma --disable-heuristic smb_direct_iwarp"
                       " -o tcp.try_heuristic_first:TRUE " + extra + " 2>/dev/null");
}

std::vector<std::vector<std::string>> tshark_fields(const std::string& pcap, const std::string& filter,
                                                    const std::vector<std::string>& fields) {
    std::string args = "-Y '" + filter + "' -T fields -E separator=,";
    for (const std::string& f : fields) args += " -e " + f;
    std::istringstream in(tshark(pcap, args));
    std::vector<std::vector<std::string>> rows;
    std::string line;
    while (std::getline(in, line)) {
        std::vector<std::string> row;
        std::string cell;
        std::istringstream cells(line);
        while (std::getline(cells, cell, ',')) row.push_back(cell);
        while (row.size() < fields.size()) row.push_back("");  // trailing empty fields
        rows.push_back(row);
    }
    return rows;
}

size_t count_lines(const std::string& s) {
    size_t n = 0;
    for (char c : s) n += c == '\n';
    return n;
}

size_t count_substr(const std::string& s, const std::string& what) {
    size_t n = 0;
    for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + what.size())) ++n;
    return n;
}

}  // namespace nicsim::test
