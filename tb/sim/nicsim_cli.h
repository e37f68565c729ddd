// Running the nicsim binary from a test: exit code, stdout and stderr apart, scratch folders.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "scratch_files.h"

namespace clitest {

namespace fs = std::filesystem;

using nicsim::testfiles::read_file;
using nicsim::testfiles::source_dir;
using nicsim::testfiles::TempDir;

inline std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

// The fields of one CSV line (summary.csv, results.csv: no quoting).
inline std::vector<std::string> split_csv(const std::string& line) {
    std::vector<std::string> out;
    size_t start = 0;
    for (;;) {
        const size_t c = line.find(',', start);
        out.push_back(line.substr(start, c - start));
        if (c == std::string::npos) return out;
        start = c + 1;
    }
}

struct Run {
    int exit_code = -1;
    std::string out, err;
};

// `args` are shell words (quote them yourself); runs in `cwd` if given.
inline Run run_nicsim(const std::string& args, const fs::path& scratch, const std::string& cwd = "") {
    const fs::path o = scratch / "stdout.txt", e = scratch / "stderr.txt";
    std::string cmd;
    if (!cwd.empty()) cmd = "cd '" + cwd + "' && ";
    cmd += std::string("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 '") + NICSIM_BINARY + "' " + args + " >'" + o.string() +
           "' 2>'" + e.string() + "'";
    const int status = std::system(cmd.c_str());
    Run r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = read_file(o);
    r.err = read_file(e);
    return r;
}

}  // namespace clitest
