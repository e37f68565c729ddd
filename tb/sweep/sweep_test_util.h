// Helpers for the sweep tests: a scratch folder, writing and reading files.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

#include "scratch_files.h"

namespace sweeptest {

namespace fs = std::filesystem;

using nicsim::testfiles::read_file;
using nicsim::testfiles::source_dir;
using nicsim::testfiles::TempDir;

// A minimal valid scenario to use as a sweep's base.
inline std::string write_base(const TempDir& d) {
    return d.write("base.yaml", "base: t5_40g\nworkload:\n  kind: write_lat\n  sizes: [64]\n  iterations: 10\n");
}

}  // namespace sweeptest
