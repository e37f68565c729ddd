#include "sim/sweep/sweep_spec.h"

#include <fstream>
#include <map>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "sim/config/param_registry.h"
#include "sim/config/suggest.h"
#include "sim/config/yaml_loader.h"
#include "sim/sweep/workload_overrides.h"

namespace nicsim::sweep {

namespace fs = std::filesystem;
using config::Diagnostic;
using config::Location;

namespace {

Location at(const std::string& file, const YAML::Mark& m) { return config::yaml_location(file, m); }
const char* kind_of(const YAML::Node& n) { return config::yaml_kind_name(n); }

// Lists and maps in flow style, so one --set argument carries them ("[64, 4096]").
std::string value_text(const YAML::Node& n) {
    if (n.IsScalar()) return n.Scalar();
    YAML::Emitter e;
    e << YAML::Flow << n;
    return e.c_str();
}

class SpecReader {
public:
    SpecReader(const std::string& file, SweepSpec& spec) : file_(file), spec_(spec) {}

    void read(const YAML::Node& root);
    void add_cli_sets(const std::vector<std::string>& sets);
    std::vector<Diagnostic> diags;

private:
    void error(Location where, std::string key, std::string message) {
        diags.push_back(Diagnostic{std::move(where), std::move(key), std::move(message)});
    }
    // Empty when `key` may be overridden, else why not (with a suggestion).
    std::string check_key(const std::string& key) const;
    bool claim(const std::string& key, const Location& where, const std::string& path);
    void read_fixed(const YAML::Node& map);
    void read_axes(const YAML::Node& map, const std::string& section, std::vector<Axis>& axes);
    void read_base(const YAML::Node& value);

    const std::string& file_;
    SweepSpec& spec_;
    std::map<std::string, std::string> claimed_;  // key -> the path that set it first
};

std::string SpecReader::check_key(const std::string& key) const {
    const config::ParamRegistry& reg = config::default_registry();
    if (reg.find(key)) return {};
    if (is_section_key(key)) return {};
    std::string msg = reg.is_group(key) ? "is a group of parameters, not a parameter" : "unknown key";
    std::string near = reg.suggest(key);
    if (const size_t dot = key.find('.'); near.empty() && dot != std::string::npos) {
        // "workloda.sizes" -> "workload.sizes"
        const std::string head = key.substr(0, dot);
        if (head != "workload" && config::closest(head, {"workload"}) == "workload") near = "workload" + key.substr(dot);
    }
    if (!near.empty() && near != key) msg += " (did you mean " + near + "?)";
    return msg + "; sweep keys are parameters (nicsim params), workload.<key>, topology.<key> or outputs.<key>";
}

bool SpecReader::claim(const std::string& key, const Location& where, const std::string& path) {
    auto [it, fresh] = claimed_.emplace(key, path);
    if (!fresh) error(where, path, "the key is already given as " + it->second + "; a key is fixed or swept once");
    return fresh;
}

void SpecReader::read_base(const YAML::Node& value) {
    const Location where = at(file_, value.Mark());
    spec_.base_where = where;
    if (!value.IsScalar() || value.Scalar().empty()) {
        error(where, "base", std::string("expected the path of a scenario file, got ") + kind_of(value));
        return;
    }
    fs::path p(value.Scalar());
    if (p.is_relative()) p = fs::path(file_).parent_path() / p;
    std::error_code ec;
    p = fs::absolute(p, ec).lexically_normal();
    if (!fs::is_regular_file(p, ec)) {
        error(where, "base", "scenario file " + p.string() + " not found (a path relative to the sweep file)");
        return;
    }
    spec_.base = p;
}

void SpecReader::read_fixed(const YAML::Node& map) {
    if (map.IsNull()) return;
    if (!map.IsMap()) {
        error(at(file_, map.Mark()), "set", std::string("expected a map of key: value, got ") + kind_of(map));
        return;
    }
    for (auto it = map.begin(); it != map.end(); ++it) {
        const YAML::Node k = it->first, v = it->second;
        const std::string key = k.IsScalar() ? k.Scalar() : "";
        const std::string path = "set." + key;
        if (key.empty()) {
            error(at(file_, k.Mark()), "set", "keys must be plain names");
            continue;
        }
        if (std::string why = check_key(key); !why.empty()) {
            error(at(file_, k.Mark()), path, why);
            continue;
        }
        if (!claim(key, at(file_, k.Mark()), path)) continue;
        if (v.IsNull()) {
            error(at(file_, v.Mark()), path, "missing value");
            continue;
        }
        spec_.fixed.push_back({key, value_text(v), at(file_, v.Mark()), path});
    }
}

void SpecReader::read_axes(const YAML::Node& map, const std::string& section, std::vector<Axis>& axes) {
    if (map.IsNull()) return;
    if (!map.IsMap()) {
        error(at(file_, map.Mark()), section, std::string("expected a map of key: [values], got ") + kind_of(map));
        return;
    }
    for (auto it = map.begin(); it != map.end(); ++it) {
        const YAML::Node k = it->first, v = it->second;
        const std::string key = k.IsScalar() ? k.Scalar() : "";
        const std::string path = section + "." + key;
        const Location key_at = at(file_, k.Mark());
        if (key.empty()) {
            error(key_at, section, "keys must be plain names");
            continue;
        }
        if (std::string why = check_key(key); !why.empty()) {
            error(key_at, path, why);
            continue;
        }
        if (!claim(key, key_at, path)) continue;
        if (!v.IsSequence() || v.size() == 0) {
            error(at(file_, v.Mark()), path, std::string("expected a non-empty list of values, got ") +
                                                 (v.IsSequence() ? "an empty list" : kind_of(v)));
            continue;
        }
        Axis axis{key, key_at, {}};
        for (size_t i = 0; i < v.size(); ++i) {
            const YAML::Node e = v[i];
            const std::string epath = path + "[" + std::to_string(i) + "]";
            if (e.IsNull()) {
                error(at(file_, e.Mark()), epath, "missing value");
                continue;
            }
            axis.values.push_back({key, value_text(e), at(file_, e.Mark()), epath});
        }
        axes.push_back(std::move(axis));
    }
}

void SpecReader::read(const YAML::Node& root) {
    if (!root.IsMap()) {
        error(at(file_, root.Mark()), "", std::string("the top level must be a map (base, set, matrix, zip), got ") +
                                              kind_of(root));
        return;
    }
    static const std::vector<std::string> known = {"name", "description", "base", "set", "matrix", "zip"};
    std::map<std::string, int> seen;
    bool has_base = false;
    for (auto it = root.begin(); it != root.end(); ++it) {
        const YAML::Node k = it->first, v = it->second;
        const std::string key = k.IsScalar() ? k.Scalar() : "";
        if (++seen[key] > 1) {
            error(at(file_, k.Mark()), key, "given twice");
            continue;
        }
        if (key == "name" || key == "description") {
            if (!v.IsScalar()) error(at(file_, v.Mark()), key, std::string("expected text, got ") + kind_of(v));
            else (key == "name" ? spec_.name : spec_.description) = v.Scalar();
        } else if (key == "base") {
            has_base = true;
            read_base(v);
        } else if (key == "set") {
            read_fixed(v);
        } else if (key == "matrix") {
            read_axes(v, "matrix", spec_.matrix);
        } else if (key == "zip") {
            read_axes(v, "zip", spec_.zip);
        } else {
            std::string msg = "unknown key";
            if (std::string near = config::closest(key, known); !near.empty()) msg += " (did you mean " + near + "?)";
            error(at(file_, k.Mark()), key, msg + "; a sweep file has name, description, base, set, matrix, zip");
        }
    }
    if (!has_base) error(Location{file_, 1, 1}, "base", "missing: the scenario every point runs");
    for (const Axis& a : spec_.zip) {
        const Axis& first = spec_.zip.front();
        if (a.values.size() != first.values.size())
            error(a.where, "zip." + a.key,
                  std::to_string(a.values.size()) + " values, but zip." + first.key + " has " +
                      std::to_string(first.values.size()) + " (zip lists vary together: equal lengths)");
    }
}

void SpecReader::add_cli_sets(const std::vector<std::string>& sets) {
    const Location where{"--set", 0, 0};
    for (const std::string& s : sets) {
        const size_t eq = s.find('=');
        if (eq == std::string::npos || eq == 0) {
            error(where, "", "expected key=value, got \"" + s + "\"");
            continue;
        }
        const std::string key = s.substr(0, eq);
        const std::string path = key;
        if (std::string why = check_key(key); !why.empty()) {
            error(where, key, why);
            continue;
        }
        // The command line may replace a fixed value of the file, not a swept one.
        auto claimed = claimed_.find(key);
        if (claimed != claimed_.end() && claimed->second.rfind("set.", 0) != 0) {
            error(where, key, "is swept by " + claimed->second + "; it cannot also be fixed");
            continue;
        }
        bool replaced = false;
        for (Assignment& a : spec_.fixed) {
            if (a.key == key) {
                a = Assignment{key, s.substr(eq + 1), where, path};
                replaced = true;
            }
        }
        if (!replaced) spec_.fixed.push_back({key, s.substr(eq + 1), where, path});
        claimed_.emplace(key, "set." + key);
    }
}

}  // namespace

std::vector<std::string> SweepSpec::swept_keys() const {
    std::vector<std::string> keys;
    for (const Axis& a : matrix) keys.push_back(a.key);
    for (const Axis& a : zip) keys.push_back(a.key);
    return keys;
}

SweepSpec load_sweep_spec(const std::string& path, const std::vector<std::string>& cli_sets) {
    SweepSpec spec;
    spec.file = path;
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
        throw config::ConfigError({Diagnostic{Location{path, 0, 0}, "", "cannot open the sweep file: no such file"}});
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    YAML::Node root;
    try {
        root = YAML::Load(text.str());
    } catch (const YAML::Exception& e) {
        throw config::ConfigError({Diagnostic{at(path, e.mark), "", "YAML syntax error: " + e.msg}});
    }
    SpecReader reader(path, spec);
    reader.read(root);
    reader.add_cli_sets(cli_sets);
    if (!reader.diags.empty()) throw config::ConfigError(std::move(reader.diags));
    if (spec.name.empty()) spec.name = fs::path(path).stem().string();
    return spec;
}

}  // namespace nicsim::sweep
