#include "sim/sweep/sweep_layout.h"

#include <fstream>
#include <stdexcept>

#include <yaml-cpp/yaml.h>

namespace nicsim::sweep {

namespace fs = std::filesystem;

void write_point_file(const fs::path& run_dir, const SweepSpec& spec, const SweepPoint& point) {
    fs::create_directories(run_dir);
    YAML::Emitter e;
    e << YAML::BeginMap;
    e << YAML::Key << "id" << YAML::Value << point.id;
    e << YAML::Key << "index" << YAML::Value << point.index;
    e << YAML::Key << "sweep" << YAML::Value << spec.file;
    e << YAML::Key << "base" << YAML::Value << spec.base.string();
    e << YAML::Key << "inputs" << YAML::Value << point.inputs;
    e << YAML::Key << "swept" << YAML::Value << YAML::BeginMap;
    for (const Assignment& a : point.swept) e << YAML::Key << a.key << YAML::Value << YAML::DoubleQuoted << a.value;
    e << YAML::EndMap;
    e << YAML::Key << "overrides" << YAML::Value << YAML::BeginSeq;
    for (const Assignment& a : point.all) e << YAML::DoubleQuoted << a.text();
    e << YAML::EndSeq << YAML::EndMap;
    std::ofstream out(layout::point_file(run_dir));
    out << "# One point of a nicsim sweep: `nicsim run base --set <each override>`\n" << e.c_str() << '\n';
    if (!out) throw std::runtime_error("cannot write " + layout::point_file(run_dir).string());
}

bool run_finished(const fs::path& run_dir) {
    std::error_code ec;
    return fs::exists(layout::done(run_dir), ec);
}

std::string done_inputs_line(const std::string& inputs) { return "inputs: " + inputs; }

RunState run_state(const fs::path& run_dir, const std::string& inputs) {
    std::ifstream in(layout::done(run_dir), std::ios::binary);
    if (!in) return RunState::NotFinished;
    std::string first;
    std::getline(in, first);
    return first == done_inputs_line(inputs) ? RunState::Finished : RunState::FinishedOtherInputs;
}

}  // namespace nicsim::sweep
