// What a run reads, as one digest, so that --resume never takes a run finished with other
// inputs for a current one. The run id (run_id.h) covers only the overrides; editing the base
// scenario, a NIC config it pulls in through `base:`, or a trace file it replays changes what
// `nicsim run` does without changing the id. The digest covers what the loader resolves from
// all of them: every parameter's value, every section (topology, workload, faults, outputs) as
// loaded, the section overrides, and the bytes of every file a section names with `file:`.
// Comments and formatting of the YAML files do not change it.
//
// The digest is recorded in the run's `done` marker ("inputs: <digest>"); a run counts as
// finished only when its marker holds the digest of the inputs as they are now.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace nicsim::sweep {

// 16 hex digits (FNV-1a, 64 bits) of `nicsim run base --set <assignments>`'s resolved inputs.
// Relative `file:` paths are resolved as the run resolves them: in a file, relative to that
// file's folder; in an override, relative to the current folder. Throws config::ConfigError
// if the scenario does not load (validate_points() reports that first).
std::string run_inputs_digest(const std::filesystem::path& base, const std::vector<std::string>& assignments);

}  // namespace nicsim::sweep
