// nicsim: the command line of the T5-class iWARP NIC model.
// Exit codes: 0 success, 1 run failure, 2 bad input (command line, files, configuration).
#include <cstdio>
#include <exception>
#include <vector>

#include "commands.h"

int main(int argc, char** argv) {
    CLI::App app{"nicsim: a cycle-accurate model of a Chelsio T5-class iWARP RDMA NIC"};
    app.require_subcommand(1);
    std::vector<nicsim::app::Command> commands;
    commands.push_back(nicsim::app::add_golden_capture_command(app));
    commands.push_back(nicsim::app::add_params_command(app));
    commands.push_back(nicsim::app::add_validate_command(app));
    commands.push_back(nicsim::app::add_sweep_command(app));
#ifdef NICSIM_HAVE_RUN
    commands.push_back(nicsim::app::add_run_command(app));
#endif
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        return 2;
    }
    try {
        for (auto& run : commands) {
            int rc = run();
            if (rc >= 0) return rc;
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "nicsim: error: %s\n", e.what());
        return 1;
    }
    return 2;
}
