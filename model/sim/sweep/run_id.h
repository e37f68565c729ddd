// Stable run ids: "<index>-<hash>", e.g. "0007-3f9a1c2e". The index orders the runs; the hash
// (FNV-1a, 32 bits) covers every override the run receives, so the same sweep with the same
// settings gives the same ids (--resume finds its finished runs) and a changed setting gives
// new ones (stale results are never taken for current ones).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace nicsim::sweep {

// FNV-1a over the assignments, each followed by '\n' (so ["a=1", "b=2"] != ["a=1b=2"]).
uint32_t overrides_hash(const std::vector<std::string>& assignments);

// `index` zero-padded to at least 4 digits (more when `count` needs them), '-', 8 hex digits.
std::string make_run_id(size_t index, size_t count, const std::vector<std::string>& assignments);

}  // namespace nicsim::sweep
