// Helpers for the configuration tests: scratch folders, files, loading that captures the
// ConfigError text, and running the nicsim binary.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "scratch_files.h"
#include "sim/config/yaml_loader.h"

namespace cfgtest {

namespace fs = std::filesystem;

using nicsim::testfiles::read_file;
using nicsim::testfiles::source_dir;
using nicsim::testfiles::TempDir;

// The diagnostics load_scenario() throws for `path`, one per line; "" if it loads.
inline std::string load_errors(const std::string& path, const std::vector<std::string>& sets = {}) {
    try {
        nicsim::config::load_scenario(path, sets);
        return "";
    } catch (const nicsim::config::ConfigError& e) {
        return e.what();
    }
}

struct RunResult {
    int exit_code = -1;
    std::string output;  // stdout and stderr, interleaved
};

// Runs a shell command line; `cwd` (if not empty) is its working folder.
inline RunResult run(const std::string& args, const std::string& cwd = "") {
    std::string cmd;
    if (!cwd.empty()) cmd = "cd '" + cwd + "' && ";
    cmd += std::string("'") + NICSIM_BINARY + "' " + args + " 2>&1";
    RunResult r;
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) return r;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
    const int status = pclose(p);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

}  // namespace cfgtest
