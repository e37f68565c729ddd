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

#include "sim/config/yaml_loader.h"

namespace cfgtest {

namespace fs = std::filesystem;

// A fresh folder under the system temp dir, removed with its contents at scope exit.
class TempDir {
public:
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "nicsim_cfg_XXXXXX").string();
        if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
        path_ = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const fs::path& path() const { return path_; }
    // Writes `text` to `name` inside the folder; returns the full path.
    std::string write(const std::string& name, const std::string& text) const {
        const fs::path p = path_ / name;
        fs::create_directories(p.parent_path());
        std::ofstream(p, std::ios::binary) << text;
        return p.string();
    }

private:
    fs::path path_;
};

inline std::string source_dir() {
    if (const char* env = std::getenv("NICSIM_SOURCE_DIR"); env && *env) return env;
    return NICSIM_TEST_SOURCE_DIR;
}

inline std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

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
