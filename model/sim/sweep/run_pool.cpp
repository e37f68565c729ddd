#include "sim/sweep/run_pool.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iomanip>
#include <map>
#include <sstream>

#include "sim/sweep/sweep_layout.h"

extern char** environ;

namespace nicsim::sweep {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

// Starts one child; returns its pid, or -1 with `error` set.
pid_t spawn(const RunJob& job, std::string& error) {
    const std::string out = (job.dir / "stdout.txt").string(), err = (job.dir / "stderr.txt").string();
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<char*> argv;
    for (const std::string& a : job.argv) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    pid_t pid = -1;
    const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        error = std::strerror(rc);
        return -1;
    }
    return pid;
}

std::string describe_status(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status) == 0 ? "ok" : "exit " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return "signal " + std::to_string(WTERMSIG(status));
    return "status " + std::to_string(status);
}

}  // namespace

std::vector<RunOutcome> run_jobs(const std::vector<RunJob>& jobs, unsigned max_parallel, std::ostream& progress) {
    if (max_parallel == 0) max_parallel = 1;
    std::vector<RunOutcome> outcomes(jobs.size());
    struct Running {
        size_t job;
        Clock::time_point start;
    };
    std::map<pid_t, Running> running;
    size_t next = 0, finished = 0;
    auto report = [&](size_t j) {
        ++finished;
        const RunOutcome& o = outcomes[j];
        progress << '[' << finished << '/' << jobs.size() << "] " << o.id << ' ' << o.status << ' ' << std::fixed
                 << std::setprecision(2) << o.wall_s << " s\n"
                 << std::defaultfloat << std::flush;
    };
    while (finished < jobs.size()) {
        while (next < jobs.size() && running.size() < max_parallel) {
            const RunJob& job = jobs[next];
            outcomes[next].id = job.id;
            std::error_code ec;
            fs::remove(layout::done(job.dir), ec);
            std::string error;
            const pid_t pid = spawn(job, error);
            if (pid < 0) {
                outcomes[next].status = "cannot start " + job.argv.front() + ": " + error;
                std::ofstream(job.dir / "stderr.txt") << outcomes[next].status << '\n';
                report(next++);
                continue;
            }
            running.emplace(pid, Running{next++, Clock::now()});
        }
        if (running.empty()) continue;
        int status = 0;
        const pid_t pid = waitpid(-1, &status, 0);
        if (pid < 0) {
            if (errno == EINTR) continue;
            throw std::runtime_error(std::string("waitpid: ") + std::strerror(errno));
        }
        auto it = running.find(pid);
        if (it == running.end()) continue;  // not ours
        const size_t j = it->second.job;
        RunOutcome& o = outcomes[j];
        o.wall_s = std::chrono::duration<double>(Clock::now() - it->second.start).count();
        o.status = describe_status(status);
        o.ok = o.status == "ok";
        running.erase(it);
        if (o.ok) {
            std::ofstream done(layout::done(jobs[j].dir));
            done << done_inputs_line(jobs[j].inputs) << "\nwall_s: " << o.wall_s << '\n';
            if (!done) {
                o.ok = false;
                o.status = "cannot write " + layout::done(jobs[j].dir).string();
            }
        }
        report(j);
    }
    return outcomes;
}

std::string stderr_tail(const fs::path& run_dir, size_t lines) {
    std::ifstream in(run_dir / "stderr.txt", std::ios::binary);
    std::vector<std::string> all;
    for (std::string line; std::getline(in, line);) all.push_back(line);
    std::string tail;
    for (size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i) tail += all[i] + '\n';
    return tail;
}

}  // namespace nicsim::sweep
