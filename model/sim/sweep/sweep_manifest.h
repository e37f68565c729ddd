// DIR/points.yaml: the points of the sweep last run or emitted into DIR, so `--merge-only`
// merges exactly those runs (in index order, with their swept values) without re-expanding
// the sweep file, and whatever --set was given then.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "sim/sweep/sweep_points.h"

namespace nicsim::sweep {

struct ManifestEntry {
    std::string id;
    std::vector<std::string> values;  // one per Manifest::swept_keys
    std::string inputs;               // run_inputs.h digest ("" in manifests of older nicsims)
};

struct Manifest {
    std::string sweep_file;
    std::string base;
    std::vector<std::string> swept_keys;
    std::vector<ManifestEntry> points;  // in index order
};

Manifest make_manifest(const SweepSpec& spec, const std::vector<SweepPoint>& points);

// Throws std::runtime_error if the file cannot be written.
void write_manifest(const std::filesystem::path& out_dir, const Manifest& m);

// Throws std::runtime_error naming the file when it is missing or malformed.
Manifest read_manifest(const std::filesystem::path& out_dir);

}  // namespace nicsim::sweep
