#include "sim/config/yaml_loader.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "sim/config/overrides.h"
#include "sim/config/suggest.h"
#include "sim/config/value_parse.h"

namespace nicsim::config {

namespace fs = std::filesystem;

namespace {

constexpr int kMaxBaseDepth = 16;

Location at(const std::string& file, const YAML::Mark& m) { return yaml_location(file, m); }
const char* kind_of(const YAML::Node& n) { return yaml_kind_name(n); }

// A scalar written in quotes (or tagged !!str) is a string in YAML.
bool is_quoted(const YAML::Node& n) {
    const std::string& tag = n.Tag();
    return tag == "!" || (tag.size() >= 4 && tag.compare(tag.size() - 4, 4, ":str") == 0);
}

bool looks_like_path(const std::string& ref) {
    auto ends = [&](const char* ext) {
        const std::string e(ext);
        return ref.size() > e.size() && ref.compare(ref.size() - e.size(), e.size(), e) == 0;
    };
    return ref.find('/') != std::string::npos || ends(".yaml") || ends(".yml");
}

const std::vector<std::string>& document_keys() {
    static const std::vector<std::string> keys = {"base", "nic_config", "name", "description"};
    return keys;
}

class Loader {
public:
    Loader(const LoadOptions& opts, const ParamRegistry& registry, Scenario& out)
        : opts_(opts), registry_(registry), out_(out) {}

    // `from`: where the `base:` that named this file is (for "not found" errors), if any.
    void load_file(const fs::path& path, const Location* from);

    std::vector<Diagnostic> diags;

private:
    void error(Location where, std::string key, std::string message) {
        diags.push_back(Diagnostic{std::move(where), std::move(key), std::move(message)});
    }
    bool read_root(const fs::path& path, const Location* from, YAML::Node* root);
    void load_base(const YAML::Node& value, const std::string& file, const fs::path& dir, const std::string& key);
    void walk(const YAML::Node& key, const YAML::Node& value, const std::string& prefix, const std::string& file);
    void set_param(const ParamSpec& spec, const YAML::Node& value, const std::string& file);
    std::string top_level_suggestion(const std::string& key) const;

    const LoadOptions& opts_;
    const ParamRegistry& registry_;
    Scenario& out_;
    std::vector<std::string> chain_;             // canonical paths being loaded (cycle check)
    std::map<std::string, Location> seen_keys_;  // per file: full key -> where first set
};

bool Loader::read_root(const fs::path& path, const Location* from, YAML::Node* root) {
    const std::string file = path.string();
    std::error_code ec;
    if (!fs::exists(path, ec) || !fs::is_regular_file(path, ec)) {
        const std::string why = fs::exists(path, ec) ? "is not a regular file" : "no such file";
        if (from)
            error(*from, "base", "cannot open base config " + file + ": " + why);
        else
            error(Location{file, 0, 0}, "", "cannot open: " + why);
        return false;
    }
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (!in.good() && !in.eof()) {
        error(Location{file, 0, 0}, "", "cannot read the file");
        return false;
    }
    try {
        *root = YAML::Load(text.str());
    } catch (const YAML::Exception& e) {
        error(at(file, e.mark), "", "YAML syntax error: " + e.msg);
        return false;
    } catch (const std::exception& e) {
        error(Location{file, 0, 0}, "", std::string("cannot parse: ") + e.what());
        return false;
    }
    return true;
}

void Loader::load_file(const fs::path& path, const Location* from) {
    const std::string file = path.lexically_normal().string();
    std::error_code ec;
    const std::string canonical = fs::weakly_canonical(path, ec).string();
    for (const std::string& c : chain_) {
        if (c == canonical) {
            error(from ? *from : Location{file, 0, 0}, "base", "base configs form a loop through " + file);
            return;
        }
    }
    if (static_cast<int>(chain_.size()) >= kMaxBaseDepth) {
        error(from ? *from : Location{file, 0, 0}, "base", "base configs nest deeper than 16 files");
        return;
    }
    YAML::Node root;
    if (!read_root(path, from, &root)) return;
    if (root.IsNull()) {  // an empty file sets nothing
        out_.files.push_back(file);
        return;
    }
    if (!root.IsMap()) {
        error(at(file, root.Mark()), "", std::string("the top level must be a map of keys, got ") + kind_of(root));
        return;
    }
    chain_.push_back(canonical);

    // The base goes first so that this file's values land on top of it.
    std::string base_given;  // "base" or "nic_config", once seen
    std::vector<std::pair<YAML::Node, YAML::Node>> entries;
    for (auto it = root.begin(); it != root.end(); ++it) {
        // A copy: it->first is a reference into a temporary that dies with the expression.
        const YAML::Node k = it->first;
        if (k.IsScalar() && (k.Scalar() == "base" || k.Scalar() == "nic_config")) {
            if (!base_given.empty()) {
                error(at(file, k.Mark()), k.Scalar(),
                      "a file names at most one base config (" + base_given + " is already given)");
                continue;
            }
            base_given = k.Scalar();
            load_base(it->second, file, path.has_parent_path() ? path.parent_path() : fs::path("."), k.Scalar());
            continue;
        }
        entries.emplace_back(it->first, it->second);
    }

    seen_keys_.clear();
    for (const auto& [k, v] : entries) {
        if (!k.IsScalar()) {
            error(at(file, k.Mark()), "", "keys must be plain names");
            continue;
        }
        const std::string& name = k.Scalar();
        const bool reserved = name == "name" || name == "description" ||
                              std::find(section_names().begin(), section_names().end(), name) != section_names().end();
        if (reserved) {
            auto [it, fresh] = seen_keys_.emplace(name, at(file, k.Mark()));
            if (!fresh) {
                error(at(file, k.Mark()), name, "set twice in this file (first at line " + std::to_string(it->second.line) + ")");
                continue;
            }
        }
        if (name == "name" || name == "description") {
            if (!v.IsScalar()) {
                error(at(file, v.Mark()), name, std::string("expected text, got ") + kind_of(v));
                continue;
            }
            // Only the loaded file names the scenario, not its base configs.
            if (chain_.size() == 1) (name == "name" ? out_.name : out_.description) = v.Scalar();
            continue;
        }
        const auto& sections = section_names();
        if (std::find(sections.begin(), sections.end(), name) != sections.end() && !registry_.is_group(name)) {
            // faults: a list; workload: a map, or a list of maps run one after the other.
            const bool list = name == "faults", either = name == "workload";
            const bool ok = v.IsNull() || (either ? v.IsMap() || v.IsSequence() : list ? v.IsSequence() : v.IsMap());
            if (!ok) {
                error(at(file, v.Mark()), name,
                      std::string("expected ") + (either ? "a map or a list of maps" : list ? "a list" : "a map") +
                          ", got " + kind_of(v));
                continue;
            }
            out_.sections[name] = Section{v, file};
            continue;
        }
        walk(k, v, "", file);
    }
    out_.files.push_back(file);
    chain_.pop_back();
}

void Loader::load_base(const YAML::Node& value, const std::string& file, const fs::path& dir,
                       const std::string& key) {
    const Location where = at(file, value.Mark());
    if (!value.IsScalar() || value.Scalar().empty()) {
        error(where, key, std::string("expected the name or path of a NIC config, got ") + kind_of(value));
        return;
    }
    const std::string ref = value.Scalar();
    if (looks_like_path(ref)) {
        const fs::path p = fs::path(ref).is_absolute() ? fs::path(ref) : dir / ref;
        load_file(p, &where);
        return;
    }
    std::vector<fs::path> dirs = {dir, dir / ".." / "nic"};
    dirs.insert(dirs.end(), opts_.nic_config_dirs.begin(), opts_.nic_config_dirs.end());
    std::error_code ec;
    for (const fs::path& d : dirs) {
        const fs::path p = d / (ref + ".yaml");
        if (fs::is_regular_file(p, ec)) {
            load_file(p, &where);
            return;
        }
    }
    std::vector<std::string> known;
    std::string searched;
    for (const fs::path& d : dirs) {
        searched += (searched.empty() ? "" : ", ") + d.lexically_normal().string();
        for (const auto& entry : fs::directory_iterator(d, ec)) {
            if (entry.path().extension() == ".yaml") known.push_back(entry.path().stem().string());
        }
    }
    std::string msg = "base config '" + ref + "' not found (searched " + searched + ")";
    const std::string near = closest(ref, known);
    if (!near.empty()) msg += "; did you mean " + near + "?";
    error(where, key, msg);
}

std::string Loader::top_level_suggestion(const std::string& key) const {
    std::string near = registry_.suggest(key);
    if (!near.empty()) return near;
    std::vector<std::string> reserved = document_keys();
    reserved.insert(reserved.end(), section_names().begin(), section_names().end());
    return closest(key, reserved);
}

void Loader::walk(const YAML::Node& key, const YAML::Node& value, const std::string& prefix,
                  const std::string& file) {
    if (!key.IsScalar()) {
        error(at(file, key.Mark()), prefix, "keys must be plain names");
        return;
    }
    const std::string full = prefix.empty() ? key.Scalar() : prefix + "." + key.Scalar();
    const Location key_at = at(file, key.Mark());
    if (const ParamSpec* spec = registry_.find(full)) {
        auto [it, fresh] = seen_keys_.emplace(full, key_at);
        if (!fresh) {
            error(key_at, full, "set twice in this file (first at line " + std::to_string(it->second.line) + ")");
            return;
        }
        set_param(*spec, value, file);
        return;
    }
    if (registry_.is_group(full)) {
        if (value.IsNull()) return;  // an empty group sets nothing
        if (!value.IsMap()) {
            error(at(file, value.Mark()), full,
                  std::string("is a group of parameters; expected a map, got ") + kind_of(value));
            return;
        }
        for (auto it = value.begin(); it != value.end(); ++it) walk(it->first, it->second, full, file);
        return;
    }
    std::string msg = "unknown key";
    const std::string near = prefix.empty() ? top_level_suggestion(full) : registry_.suggest(full);
    if (!near.empty()) msg += " (did you mean " + near + "?)";
    error(key_at, full, msg);
}

void Loader::set_param(const ParamSpec& spec, const YAML::Node& value, const std::string& file) {
    const Location where = at(file, value.Mark());
    if (value.IsNull()) {
        error(where, spec.name, "missing value (expected " + spec.type_name() + ")");
        return;
    }
    if (!value.IsScalar()) {
        error(where, spec.name, "expected a " + spec.type_name() + " value, got " + kind_of(value));
        return;
    }
    const ParseResult r = parse_value(spec, value.Scalar(), is_quoted(value));
    if (!r.ok) {
        error(where, spec.name, r.error);
        return;
    }
    std::string err = out_.config.set(spec.name, r.value, ValueSource{SourceKind::File, where});
    if (!err.empty()) error(where, spec.name, err);
}

}  // namespace

Location yaml_location(const std::string& file, const YAML::Mark& m) {
    if (m.is_null()) return Location{file, 0, 0};
    return Location{file, m.line + 1, m.column + 1};
}

const char* yaml_kind_name(const YAML::Node& n) {
    switch (n.Type()) {
        case YAML::NodeType::Map: return "a map";
        case YAML::NodeType::Sequence: return "a list";
        case YAML::NodeType::Null: return "nothing";
        case YAML::NodeType::Scalar: return "a scalar";
        default: return "an undefined node";
    }
}

std::vector<fs::path> LoadOptions::default_nic_config_dirs() {
    std::vector<fs::path> dirs;
    if (const char* env = std::getenv("NICSIM_CONFIG_DIR"); env && *env) dirs.emplace_back(env);
#ifdef NICSIM_DEFAULT_NIC_CONFIG_DIR
    dirs.emplace_back(NICSIM_DEFAULT_NIC_CONFIG_DIR);
#endif
    return dirs;
}

const std::vector<std::string>& section_names() {
    static const std::vector<std::string> names = {"topology", "workload", "faults", "outputs"};
    return names;
}

Location section_location(const Section& s, const YAML::Node& node) { return at(s.file, node.Mark()); }

Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides, const LoadOptions& opts,
                       const ParamRegistry& registry) {
    Scenario sc{Config(registry), {}, {}, {}, {}, {}};
    Loader loader(opts, registry, sc);
    loader.load_file(fs::path(path), nullptr);
    std::vector<Diagnostic> diags = std::move(loader.diags);
    // `--set workload.sizes=[64]` belongs to a section: kept for the section's own check.
    std::vector<std::string> params;
    for (const std::string& a : overrides) {
        const size_t eq = a.find('='), dot = a.find('.');
        const std::string head = dot < eq ? a.substr(0, dot) : std::string();
        const auto& sections = section_names();
        if (eq != std::string::npos && !head.empty() && !registry.is_group(head) &&
            std::find(sections.begin(), sections.end(), head) != sections.end())
            sc.section_overrides.push_back({head, a.substr(dot + 1, eq - dot - 1), a.substr(eq + 1)});
        else
            params.push_back(a);
    }
    for (Diagnostic& d : apply_overrides(sc.config, params)) diags.push_back(std::move(d));
    // Cross-parameter rules only make sense once every value is valid on its own.
    if (diags.empty()) diags = sc.config.check_constraints();
    if (!diags.empty()) throw ConfigError(std::move(diags));
    if (sc.name.empty()) sc.name = fs::path(path).stem().string();
    return sc;
}

}  // namespace nicsim::config
