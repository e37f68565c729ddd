// `nicsim validate FILE...`: loads scenarios and NIC configs exactly as a run would, reports
// every problem as file:line:column: key: message, and writes nothing. Exit 2 if any is bad.
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "sim/config/resolved_writer.h"
#include "sim/config/section_checks.h"
#include "sim/config/yaml_loader.h"

namespace nicsim::app {

namespace {
struct ValidateOptions {
    std::vector<std::string> files;
    std::vector<std::string> sets;
    bool print_resolved = false;
};
}  // namespace

Command add_validate_command(CLI::App& app) {
    auto opt = std::make_shared<ValidateOptions>();
    CLI::App* cmd = app.add_subcommand("validate", "Check scenarios and NIC configs without running them (writes nothing)");
    cmd->add_option("files", opt->files, "scenario or NIC config YAML files")->required();
    // One key=value per --set, so the files may follow it.
    cmd->add_option("--set", opt->sets, "override key=value, as for run (repeatable)")->allow_extra_args(false);
    cmd->add_flag("--print-resolved", opt->print_resolved, "print each file's resolved configuration to stdout");

    return [cmd, opt]() {
        if (!cmd->parsed()) return -1;
        int rc = 0;
        for (const std::string& file : opt->files) {
            try {
                config::Scenario sc = config::load_scenario(file, opt->sets);
                // Sections (workload, ...) are checked by whichever command registered a check.
                if (auto diags = config::check_sections(sc); !diags.empty()) throw config::ConfigError(std::move(diags));
                std::cout << file << ": ok (" << sc.config.explicit_count() << " of " << sc.config.registry().size()
                          << " parameters set";
                if (sc.files.size() > 1) {
                    std::cout << "; base";
                    for (size_t i = 0; i + 1 < sc.files.size(); ++i) std::cout << ' ' << sc.files[i];
                }
                std::cout << ")\n";
                if (opt->print_resolved) config::write_resolved_yaml(sc.config, std::cout, {"from " + file});
            } catch (const config::ConfigError& e) {
                for (const config::Diagnostic& d : e.diagnostics()) std::cerr << d.format() << '\n';
                std::cerr << file << ": invalid (" << e.diagnostics().size() << " problem"
                          << (e.diagnostics().size() == 1 ? "" : "s") << ")\n";
                rc = 2;
            }
        }
        return rc;
    };
}

}  // namespace nicsim::app
