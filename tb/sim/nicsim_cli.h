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

namespace clitest {

namespace fs = std::filesystem;

class TempDir {
public:
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "nicsim_wl_XXXXXX").string();
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

inline std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
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
