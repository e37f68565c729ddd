#include "sim/config/suggest.h"

#include <algorithm>

namespace nicsim::config {

size_t edit_distance(std::string_view a, std::string_view b) {
    // Optimal string alignment distance, three rows.
    const size_t n = a.size(), m = b.size();
    std::vector<size_t> prev2(m + 1), prev(m + 1), cur(m + 1);
    for (size_t j = 0; j <= m; ++j) prev[j] = j;
    for (size_t i = 1; i <= n; ++i) {
        cur[0] = i;
        for (size_t j = 1; j <= m; ++j) {
            const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                cur[j] = std::min(cur[j], prev2[j - 2] + 1);
        }
        prev2.swap(prev);
        prev.swap(cur);
    }
    return prev[m];
}

std::string closest(std::string_view word, const std::vector<std::string>& candidates) {
    const size_t limit = std::max<size_t>(2, word.size() / 3);
    size_t best = limit + 1;
    std::string found;
    for (const std::string& c : candidates) {
        const size_t d = edit_distance(word, c);
        if (d < best) {
            best = d;
            found = c;
        }
    }
    return found;
}

}  // namespace nicsim::config
