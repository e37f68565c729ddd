#include "sim/workload/progress_meter.h"

#include <algorithm>
#include <cstdio>

namespace nicsim::sim {

std::string human_duration_us(double us) {
    char buf[32];
    if (us < 1000) std::snprintf(buf, sizeof buf, "%.1f us", us);
    else if (us < 1e6) std::snprintf(buf, sizeof buf, "%.2f ms", us / 1e3);
    else std::snprintf(buf, sizeof buf, "%.2f s", us / 1e6);
    return buf;
}

ProgressMeter::ProgressMeter(std::ostream& out, uint64_t total, bool terminal, double quiet_for)
    : out_(out), total_(std::max<uint64_t>(total, 1)), terminal_(terminal), quiet_for_(quiet_for) {}

void ProgressMeter::advance(uint64_t n, double sim_us) {
    done_ = std::min(total_, done_ + n);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    if (wall < quiet_for_) return;
    if (terminal_) {
        if (wall - last_draw_ < 0.2) return;  // a redraw every 0.2 s is plenty
        last_draw_ = wall;
        show(sim_us, wall);
        return;
    }
    const int decile = int(done_ * 10 / total_);
    if (decile > last_decile_ && decile < 10) {
        last_decile_ = decile;
        show(sim_us, wall);
    }
}

void ProgressMeter::show(double sim_us, double wall) {
    const double frac = double(done_) / double(total_);
    const double eta = frac > 0 ? wall * (1 - frac) / frac : 0;
    char tail[128];
    std::snprintf(tail, sizeof tail, "%3.0f%%  %llu/%llu ops  simulated %s  ETA %s", frac * 100,
                  static_cast<unsigned long long>(done_), static_cast<unsigned long long>(total_),
                  human_duration_us(sim_us).c_str(), human_duration_us(eta * 1e6).c_str());
    if (terminal_) {
        const int width = 30, fill = int(frac * width);
        out_ << "\r[" << std::string(size_t(fill), '#') << std::string(size_t(width - fill), '.') << "] " << tail
             << "\033[K" << std::flush;
    } else {
        out_ << "# progress " << tail << '\n' << std::flush;
    }
    shown_ = true;
}

void ProgressMeter::finish(double sim_us) {
    if (!shown_) return;
    if (terminal_) {
        out_ << "\r\033[K" << std::flush;
    } else {
        done_ = total_;
        const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
        show(sim_us, wall);
    }
}

}  // namespace nicsim::sim
