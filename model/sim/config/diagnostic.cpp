#include "sim/config/diagnostic.h"

namespace nicsim::config {

namespace {
std::string join_all(const std::vector<Diagnostic>& diags) {
    std::string s;
    for (const Diagnostic& d : diags) {
        if (!s.empty()) s += '\n';
        s += d.format();
    }
    return s;
}
}  // namespace

std::string Location::format() const {
    if (file.empty()) return {};
    if (line <= 0) return file;
    return file + ':' + std::to_string(line) + ':' + std::to_string(column);
}

std::string Diagnostic::format() const {
    std::string s = where.format();
    if (!s.empty()) s += ": ";
    if (!key.empty()) s += key + ": ";
    return s + message;
}

ConfigError::ConfigError(std::vector<Diagnostic> diags)
    : std::runtime_error(join_all(diags)), diags_(std::move(diags)) {}

}  // namespace nicsim::config
