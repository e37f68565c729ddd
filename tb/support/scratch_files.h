// Files for tests: a scratch folder removed at scope exit, reading a file whole, and the
// source tree (NICSIM_SOURCE_DIR in the environment, else the path compiled in by
// nicsim_add_test).
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

namespace nicsim::testfiles {

namespace fs = std::filesystem;

// A fresh folder under the system temp dir, removed with its contents at scope exit.
class TempDir {
public:
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "nicsim_test_XXXXXX").string();
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

inline std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline std::string source_dir() {
    if (const char* env = std::getenv("NICSIM_SOURCE_DIR"); env && *env) return env;
    return NICSIM_TEST_SOURCE_DIR;
}

}  // namespace nicsim::testfiles
