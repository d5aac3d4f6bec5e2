// Wisdom: what method=measure learned, kept for the process and optionally
// in a file, so later plans of the same problem skip the timing. Plans with
// method=auto take a remembered method too (when it can compute the problem
// under their options), ahead of the cost model.
//
// The text is versioned, one choice per line:
//   faltung-wisdom 1
//   <problem string>\t<cpu target>\t<threads>\t<method>
// A choice applies only on the CPU target (the SIMD target the kernels run
// on, e.g. AVX3) and thread count it was measured with; lines for others are
// kept when merging and saving, and ignored when planning. A file that is not
// wisdom, of another version, or with broken lines is never fatal: those
// lines are skipped with a warning and planning falls back to auto.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "faltung/plan.hpp"
#include "faltung/problem.hpp"

namespace faltung::wisdom {

// The current process's wisdom as text (sorted lines; stable for diffing).
std::string export_text();
// Merges text into the process's wisdom (a line for the same problem, CPU and
// threads replaces the older one). Returns one warning per skipped line, or
// one for the whole text if its header is not "faltung-wisdom 1".
std::vector<std::string> import_text(std::string_view text);
// File forms of the above. save throws faltung::Error(io) when the file cannot
// be written; load throws it when the file cannot be read.
void save(const std::string& path);
std::vector<std::string> load(const std::string& path);
// Forgets everything the process learned.
void forget();

}  // namespace faltung::wisdom
