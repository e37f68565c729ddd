#include "sim/sweep/job_list.h"

#include <fstream>
#include <stdexcept>

#include "sim/sweep/sweep_layout.h"

namespace nicsim::sweep {

namespace fs = std::filesystem;

std::vector<std::string> run_argv(const std::string& exe, const SweepSpec& spec, const SweepPoint& point,
                                  const fs::path& run_dir) {
    std::vector<std::string> argv = {exe, "run", spec.base.string()};
    for (const Assignment& a : point.all) {
        argv.push_back("--set");
        argv.push_back(a.text());
    }
    argv.push_back("--out");
    argv.push_back(run_dir.string());
    return argv;
}

std::string shell_quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

std::string job_line(const std::string& exe, const SweepSpec& spec, const SweepPoint& point, const fs::path& out_dir) {
    const fs::path dir = fs::absolute(layout::run(out_dir, point.id)).lexically_normal();
    std::string cmd;
    for (const std::string& a : run_argv(exe, spec, point, dir)) cmd += (cmd.empty() ? "" : " ") + shell_quote(a);
    const std::string d = shell_quote(dir.string());
    const std::string marker = shell_quote(done_inputs_line(point.inputs));
    // In the folder `nicsim sweep` ran in, as the local pool runs it; finished means a done
    // marker recording these inputs, as for --resume.
    return "cd " + shell_quote(fs::current_path().string()) + " && { grep -qxF " + marker + " " + d +
           "/done 2>/dev/null || { rm -f " + d + "/done && " + cmd + " >" + d + "/stdout.txt 2>" + d +
           "/stderr.txt && echo " + marker + " >" + d + "/done; }; }";
}

void write_job_list(const fs::path& file, const std::string& exe, const SweepSpec& spec,
                    const std::vector<SweepPoint>& points, const fs::path& out_dir) {
    const fs::path list = fs::absolute(file).lexically_normal();
    if (list.has_parent_path()) fs::create_directories(list.parent_path());
    std::ofstream out(list);
    for (const SweepPoint& p : points) out << job_line(exe, spec, p, out_dir) << '\n';
    if (!out) throw std::runtime_error("cannot write " + list.string());

    const fs::path sbatch = list.string() + ".sbatch";
    std::ofstream s(sbatch);
    s << "#!/bin/bash\n"
      << "# Slurm array: task i runs line i of the job list (1-based). Submit with\n"
      << "#   sbatch " << sbatch.string() << "\n"
      << "# then merge: nicsim sweep " << fs::absolute(spec.file).lexically_normal().string() << " --merge-only --out "
      << fs::absolute(out_dir).lexically_normal().string() << "\n"
      << "#SBATCH --job-name=nicsim-" << spec.name << "\n"
      << "#SBATCH --array=1-" << points.size() << "\n"
      << "#SBATCH --ntasks=1\n"
      << "#SBATCH --cpus-per-task=1\n"
      << "#SBATCH --output=" << fs::absolute(layout::runs(out_dir)).lexically_normal().string() << "/slurm-%A_%a.out\n"
      << "set -euo pipefail\n"
      << "line=$(sed -n \"${SLURM_ARRAY_TASK_ID}p\" " << shell_quote(list.string()) << ")\n"
      << "[ -n \"$line\" ] || { echo \"no line ${SLURM_ARRAY_TASK_ID} in " << list.string() << "\" >&2; exit 2; }\n"
      << "exec bash -c \"$line\"\n";
    if (!s) throw std::runtime_error("cannot write " + sbatch.string());
    fs::permissions(sbatch, fs::perms::owner_exec | fs::perms::group_exec, fs::perm_options::add);
}

}  // namespace nicsim::sweep
