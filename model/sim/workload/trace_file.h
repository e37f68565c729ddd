// A message trace to replay (`kind: trace_replay`): a CSV text file, one operation a line,
//
//   # comments and blank lines are ignored
//   time_ns,op,size,qp          <- optional header (exactly these names)
//   0,write,4096,0
//   1500,read,65536,1
//   2000,send,64,0
//
// time_ns: when host A posts the operation, in ns after the replay starts (non-decreasing);
// op: write | read | send (A is the initiator; a send lands in a receive B keeps posted);
// size: 1 B .. 1 MiB; qp: connection index 0..63 (the replay connects max(qp)+1 QPs).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/config/diagnostic.h"
#include "sim/workload/op_record.h"

namespace nicsim::sim {

struct TraceEntry {
    uint64_t time_ns = 0;
    OpKind op = OpKind::Write;
    uint32_t size = 0;
    uint32_t qp = 0;
};

struct Trace {
    std::vector<TraceEntry> entries;
    uint32_t qps = 0;  // max(qp) + 1
};

constexpr uint32_t kMaxTraceQps = 64;

// Reads `path`; problems (missing file, bad fields) as `path:line:column: key: message`, with
// `key` naming the section key that pointed at the file (e.g. workload.file).
std::vector<config::Diagnostic> read_trace(const std::string& path, const std::string& key, Trace& out);

}  // namespace nicsim::sim
