#include "sim/report/budget_svg.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

namespace nicsim::sim {

namespace {

// `n` distinguishable colours: hues evenly spaced, neighbours alternating in lightness.
std::string colour_for(size_t i, size_t n) {
    const double h = 360.0 * double(i) / double(std::max<size_t>(n, 1)), l = i % 2 ? 0.68 : 0.45, sat = 0.6;
    auto f = [&](double k0) {
        const double k = std::fmod(k0 + h / 30.0, 12.0);
        const double a = sat * std::min(l, 1.0 - l);
        return l - a * std::max(-1.0, std::min({k - 3.0, 9.0 - k, 1.0}));
    };
    char b[16];
    std::snprintf(b, sizeof b, "#%02x%02x%02x", int(std::lround(255 * f(0))), int(std::lround(255 * f(8))),
                  int(std::lround(255 * f(4))));
    return b;
}

std::string xml_escape(const std::string& s) {
    std::string o;
    for (char c : s) {
        if (c == '<') o += "&lt;";
        else if (c == '>') o += "&gt;";
        else if (c == '&') o += "&amp;";
        else if (c == '"') o += "&quot;";
        else o += c;
    }
    return o;
}

std::string fmt(const char* f, double v) {
    char b[64];
    std::snprintf(b, sizeof b, f, v);
    return b;
}

}  // namespace

std::string budget_stage_key(const std::string& stage) {
    for (const char* leg : {"request: ", "response: "})
        if (stage.rfind(leg, 0) == 0) return stage.substr(std::string(leg).size());
    return stage;
}

std::string budget_svg(const LatencyBudget& b) {
    // One colour and legend key per stage, the Read's request and response legs sharing them
    // (budget_stage_key), in order of first appearance.
    std::vector<std::string> names;
    for (const BudgetGroup& g : b.groups)
        for (const BudgetStage& s : g.stages)
            if (std::find(names.begin(), names.end(), budget_stage_key(s.stage)) == names.end())
                names.push_back(budget_stage_key(s.stage));
    std::map<std::string, std::string> colour;
    for (size_t i = 0; i < names.size(); ++i) colour[names[i]] = colour_for(i, names.size());
    const double label_w = 150, bar_w = 600, bar_h = 22, gap = 10, top = 40, total_w = 110;
    const double legend_x = label_w + bar_w + total_w + 20, legend_row = 16;
    const double bars_h = top + double(b.groups.size()) * (bar_h + gap);
    const double legend_h = top + double(names.size()) * legend_row;
    const double width = legend_x + 420, height = std::max(bars_h, legend_h) + 20;

    std::string o = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    o += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + fmt("%.0f", width) + "\" height=\"" +
         fmt("%.0f", height) + "\" font-family=\"sans-serif\" font-size=\"12\">\n";
    o += "<text x=\"10\" y=\"22\" font-size=\"15\">Latency budget: share of the mean critical path per stage "
         "(total at the right)</text>\n";
    double y = top;
    for (const BudgetGroup& g : b.groups) {
        const std::string label = std::string(op_kind_name(g.kind)) + " " + std::to_string(g.size) + " B" +
                                  (g.per_flow() ? ", " + host_name(g.initiator) + " -> " + host_name(g.target) : "");
        o += "<text x=\"" + fmt("%.0f", label_w - 8) + "\" y=\"" + fmt("%.1f", y + bar_h * 0.7) +
             "\" text-anchor=\"end\">" + xml_escape(label) + "</text>\n";
        double x = label_w;
        for (const BudgetStage& s : g.stages) {
            const double w = bar_w * std::max(0.0, s.share);
            o += "<rect class=\"seg\" x=\"" + fmt("%.3f", x) + "\" y=\"" + fmt("%.1f", y) + "\" width=\"" +
                 fmt("%.3f", w) + "\" height=\"" + fmt("%.0f", bar_h) + "\" fill=\"" + colour[budget_stage_key(s.stage)] +
                 "\"><title>" + xml_escape(label + ": " + s.stage) + fmt(", %.1f ns", s.mean_ns) +
                 fmt(" (%.1f%%)", 100.0 * s.share) + "</title></rect>\n";
            x += w;
        }
        o += "<text x=\"" + fmt("%.0f", label_w + bar_w + 8) + "\" y=\"" + fmt("%.1f", y + bar_h * 0.7) + "\">" +
             fmt("%.1f ns", g.total_mean_ns) + "</text>\n";
        y += bar_h + gap;
    }
    for (size_t i = 0; i < names.size(); ++i) {
        const double ly = top + double(i) * legend_row;
        o += "<rect class=\"key\" x=\"" + fmt("%.0f", legend_x) + "\" y=\"" + fmt("%.0f", ly) +
             "\" width=\"12\" height=\"12\" fill=\"" + colour[names[i]] + "\"/>\n";
        o += "<text x=\"" + fmt("%.0f", legend_x + 18) + "\" y=\"" + fmt("%.0f", ly + 10) + "\">" +
             xml_escape(names[i]) + "</text>\n";
    }
    o += "</svg>\n";
    return o;
}

}  // namespace nicsim::sim
