#include "sim/config/resolved_writer.h"

#include <map>
#include <memory>

namespace nicsim::config {

namespace {

// The dotted names as a tree whose children keep declaration order, so related keys stay
// together and every group is written exactly once.
struct Tree {
    std::vector<std::pair<std::string, std::unique_ptr<Tree>>> children;
    int param = -1;  // leaf: index into the registry

    Tree& child(const std::string& name) {
        for (auto& [n, t] : children) {
            if (n == name) return *t;
        }
        children.emplace_back(name, std::make_unique<Tree>());
        return *children.back().second;
    }
};

void emit(const Tree& t, const Config& cfg, int depth, std::ostream& out) {
    const auto& specs = cfg.registry().params();
    for (const auto& [name, sub] : t.children) {
        out << std::string(static_cast<size_t>(depth) * 2, ' ') << name << ':';
        if (sub->param >= 0) {
            const ParamSpec& spec = specs[static_cast<size_t>(sub->param)];
            out << ' ' << format_value(spec, cfg.value(spec.name)) << "  # " << cfg.source(spec.name).describe()
                << '\n';
        } else {
            out << '\n';
            emit(*sub, cfg, depth + 1, out);
        }
    }
}

}  // namespace

void write_resolved_yaml(const Config& cfg, std::ostream& out, const std::vector<std::string>& header) {
    Tree root;
    const auto& specs = cfg.registry().params();
    for (size_t i = 0; i < specs.size(); ++i) {
        Tree* t = &root;
        const std::string& n = specs[i].name;
        size_t start = 0;
        for (size_t dot = n.find('.'); dot != std::string::npos; dot = n.find('.', start)) {
            t = &t->child(n.substr(start, dot - start));
            start = dot + 1;
        }
        t->child(n.substr(start)).param = static_cast<int>(i);
    }
    out << "# Resolved configuration: every parameter, defaults included; each comment gives the\n"
           "# value's source (default, file:line:column, or override --set). Loadable as a config.\n";
    for (const std::string& h : header) out << "# " << h << '\n';
    emit(root, cfg, 0, out);
}

}  // namespace nicsim::config
