#include "sim/sweep/sweep_manifest.h"

#include <fstream>
#include <stdexcept>

#include <yaml-cpp/yaml.h>

#include "sim/sweep/sweep_layout.h"

namespace nicsim::sweep {

namespace fs = std::filesystem;

Manifest make_manifest(const SweepSpec& spec, const std::vector<SweepPoint>& points) {
    Manifest m{fs::absolute(spec.file).lexically_normal().string(), spec.base.string(), spec.swept_keys(), {}};
    for (const SweepPoint& p : points) {
        ManifestEntry e{p.id, {}, p.inputs};
        for (const Assignment& a : p.swept) e.values.push_back(a.value);
        m.points.push_back(std::move(e));
    }
    return m;
}

void write_manifest(const fs::path& out_dir, const Manifest& m) {
    YAML::Emitter e;
    e << YAML::BeginMap;
    e << YAML::Key << "sweep" << YAML::Value << m.sweep_file;
    e << YAML::Key << "base" << YAML::Value << m.base;
    e << YAML::Key << "swept" << YAML::Value << YAML::Flow << m.swept_keys;
    e << YAML::Key << "points" << YAML::Value << YAML::BeginSeq;
    for (const ManifestEntry& p : m.points) {
        e << YAML::Flow << YAML::BeginMap << YAML::Key << "id" << YAML::Value << p.id;
        e << YAML::Key << "values" << YAML::Value << YAML::BeginSeq;
        for (const std::string& v : p.values) e << YAML::DoubleQuoted << v;
        e << YAML::EndSeq;
        e << YAML::Key << "inputs" << YAML::Value << p.inputs << YAML::EndMap;
    }
    e << YAML::EndSeq << YAML::EndMap;
    fs::create_directories(out_dir);
    std::ofstream out(layout::manifest(out_dir));
    out << "# The points of this sweep (nicsim sweep --merge-only merges these runs)\n" << e.c_str() << '\n';
    if (!out) throw std::runtime_error("cannot write " + layout::manifest(out_dir).string());
}

Manifest read_manifest(const fs::path& out_dir) {
    const fs::path file = layout::manifest(out_dir);
    std::error_code ec;
    if (!fs::is_regular_file(file, ec))
        throw std::runtime_error(file.string() + ": no such file (run the sweep or --emit-jobs into " +
                                 out_dir.string() + " first)");
    try {
        const YAML::Node root = YAML::LoadFile(file.string());
        Manifest m;
        m.sweep_file = root["sweep"].as<std::string>();
        m.base = root["base"].as<std::string>();
        m.swept_keys = root["swept"].as<std::vector<std::string>>();
        for (const YAML::Node& p : root["points"]) {
            ManifestEntry e{p["id"].as<std::string>(), p["values"].as<std::vector<std::string>>(),
                            p["inputs"] ? p["inputs"].as<std::string>() : std::string()};
            if (e.values.size() != m.swept_keys.size())
                throw std::runtime_error("point " + e.id + " has " + std::to_string(e.values.size()) +
                                         " values for " + std::to_string(m.swept_keys.size()) + " swept keys");
            m.points.push_back(std::move(e));
        }
        return m;
    } catch (const YAML::Exception& e) {
        throw std::runtime_error(file.string() + ": malformed: " + e.what());
    } catch (const std::runtime_error& e) {
        throw std::runtime_error(file.string() + ": malformed: " + e.what());
    }
}

}  // namespace nicsim::sweep
