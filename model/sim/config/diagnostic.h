// Where a configuration problem is, and what it is: `file:line:column: key.path: message`.
//
// The loader collects every problem of a file before giving up, so a user fixes a file in one
// pass; ConfigError carries all of them.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace nicsim::config {

struct Location {
    std::string file;  // a path, or "--set" for command-line overrides; empty if unknown
    int line = 0;      // 1-based; 0 = no position
    int column = 0;    // 1-based
    std::string format() const;  // "file:line:column", "file" or ""
};

struct Diagnostic {
    Location where;
    std::string key;  // dotted key path, may be empty
    std::string message;
    std::string format() const;  // "file:line:column: key: message"
};

class ConfigError : public std::runtime_error {
public:
    explicit ConfigError(std::vector<Diagnostic> diags);
    const std::vector<Diagnostic>& diagnostics() const { return diags_; }

private:
    std::vector<Diagnostic> diags_;
};

}  // namespace nicsim::config
