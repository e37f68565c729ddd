#include "sim/workload/trace_file.h"

#include <cctype>
#include <fstream>
#include <sstream>
#include "sim/config/value_parse.h"

namespace nicsim::sim {

namespace {

using config::trim;

bool parse_u64(const std::string& s, uint64_t& v) {
    if (s.empty() || s.size() > 19) return false;
    v = 0;
    for (char c : s) {
        if (!std::isdigit(static_cast<unsigned char>(c))) return false;
        v = v * 10 + uint64_t(c - '0');
    }
    return true;
}

}  // namespace

std::vector<config::Diagnostic> read_trace(const std::string& path, const std::string& key, Trace& out) {
    std::vector<config::Diagnostic> d;
    std::ifstream in(path);
    if (!in) {
        d.push_back({{path, 0, 0}, key, "cannot open the trace file"});
        return d;
    }
    out = Trace{};
    std::string line;
    int line_no = 0;
    bool seen_data = false;
    uint64_t last_time = 0;
    while (std::getline(in, line) && d.size() < 20) {
        ++line_no;
        const std::string t = trim(line);
        if (t.empty() || t[0] == '#') continue;
        // Fields with the column each starts at (1-based), for the diagnostics.
        std::vector<std::pair<std::string, int>> f;
        size_t start = 0;
        for (;;) {
            const size_t comma = line.find(',', start);
            f.emplace_back(trim(line.substr(start, comma - start)), int(start) + 1);
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
        auto bad = [&](int col, const std::string& msg) { d.push_back({{path, line_no, col}, key, msg}); };
        if (!seen_data && f.size() == 4 && f[0].first == "time_ns") {
            if (f[1].first != "op" || f[2].first != "size" || f[3].first != "qp")
                bad(1, "the header must be exactly time_ns,op,size,qp");
            seen_data = true;
            continue;
        }
        seen_data = true;
        if (f.size() != 4) {
            bad(1, "expected 4 fields time_ns,op,size,qp, got " + std::to_string(f.size()));
            continue;
        }
        TraceEntry e;
        uint64_t v = 0;
        if (!parse_u64(f[0].first, v)) {
            bad(f[0].second, "time_ns must be a non-negative integer, got \"" + f[0].first + "\"");
            continue;
        }
        if (v < last_time) {
            bad(f[0].second, "time_ns must not decrease (previous " + std::to_string(last_time) + ")");
            continue;
        }
        e.time_ns = last_time = v;
        const std::string& op = f[1].first;
        if (op == "write") e.op = OpKind::Write;
        else if (op == "read") e.op = OpKind::Read;
        else if (op == "send") e.op = OpKind::Send;
        else {
            bad(f[1].second, "op must be write, read or send, got \"" + op + "\"");
            continue;
        }
        if (!parse_u64(f[2].first, v) || v < 1 || v > (1u << 20)) {
            bad(f[2].second, "size must be an integer in 1..1048576, got \"" + f[2].first + "\"");
            continue;
        }
        e.size = uint32_t(v);
        if (!parse_u64(f[3].first, v) || v >= kMaxTraceQps) {
            bad(f[3].second, "qp must be an integer in 0.." + std::to_string(kMaxTraceQps - 1) + ", got \"" +
                                 f[3].first + "\"");
            continue;
        }
        e.qp = uint32_t(v);
        out.qps = std::max(out.qps, e.qp + 1);
        out.entries.push_back(e);
    }
    if (d.empty() && out.entries.empty()) d.push_back({{path, 0, 0}, key, "the trace has no operations"});
    return d;
}

}  // namespace nicsim::sim
