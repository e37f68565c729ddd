#include "sim/sweep/run_inputs.h"

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "sim/config/yaml_loader.h"

namespace nicsim::sweep {

namespace fs = std::filesystem;

namespace {

class Fnv64 {
public:
    void add(const std::string& s) {
        for (char c : s) mix(static_cast<unsigned char>(c));
        mix('\n');  // so that ("ab", "c") != ("a", "bc")
    }
    std::string hex() const {
        char buf[17];
        std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h_));
        return buf;
    }

private:
    void mix(unsigned char c) {
        h_ ^= c;
        h_ *= 1099511628211ull;
    }
    uint64_t h_ = 14695981039346656037ull;
};

// The bytes of a file a run reads, or a note that it cannot be read (then the run fails, and
// a later fix of the file changes the digest).
void add_file(Fnv64& h, const fs::path& p) {
    h.add("file " + p.lexically_normal().string());
    std::ifstream in(p, std::ios::binary);
    if (!in) {
        h.add("(unreadable)");
        return;
    }
    std::stringstream bytes;
    bytes << in.rdbuf();
    h.add(bytes.str());
}

// Every `file:` scalar anywhere in a section (trace_replay's trace, in a map or a list entry).
void add_named_files(Fnv64& h, const YAML::Node& n, const fs::path& dir) {
    if (n.IsMap()) {
        for (auto it = n.begin(); it != n.end(); ++it) {
            if (it->first.IsScalar() && it->first.Scalar() == "file" && it->second.IsScalar()) {
                const fs::path p(it->second.Scalar());
                add_file(h, p.is_absolute() ? p : dir / p);
            } else {
                add_named_files(h, it->second, dir);
            }
        }
    } else if (n.IsSequence()) {
        for (const YAML::Node& e : n) add_named_files(h, e, dir);
    }
}

bool names_a_file(const std::string& key) {
    return key == "file" || (key.size() > 5 && key.compare(key.size() - 5, 5, ".file") == 0);
}

}  // namespace

std::string run_inputs_digest(const fs::path& base, const std::vector<std::string>& assignments) {
    const config::Scenario sc = config::load_scenario(base.string(), assignments);
    Fnv64 h;
    for (const config::ParamSpec& p : sc.config.registry().params()) h.add(p.name + "=" + sc.config.text(p.name));
    for (const auto& [name, section] : sc.sections) {
        YAML::Emitter e;
        e << section.node;
        h.add("section " + name);
        h.add(e.c_str());
        const fs::path file(section.file);
        add_named_files(h, section.node, file.has_parent_path() ? file.parent_path() : fs::path("."));
    }
    for (const config::SectionOverride& o : sc.section_overrides) {
        h.add("set " + o.section + "." + o.key + "=" + o.value);
        if (names_a_file(o.key)) {
            try {
                const YAML::Node v = YAML::Load(o.value);
                if (v.IsScalar()) add_file(h, fs::path(v.Scalar()));
            } catch (const YAML::Exception&) {
                // Not a path: the run rejects it; the override text is in the digest already.
            }
        }
    }
    return h.hex();
}

}  // namespace nicsim::sweep
