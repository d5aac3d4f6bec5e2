// Problems for the bench: from strings, files, or the anchor grid
// (../shared/bench/grid.json), with the case names anchors.py prints so that
// ../shared/bench/table.py joins faltung's lines with the anchors'.
#pragma once

#include <string>
#include <vector>

#include "faltung/problem.hpp"

namespace faltung::bench {

struct BenchCase {
  std::string group;  // 1d | 2d | batched | problem
  std::string name;   // the anchors' case string, or the problem string
  Problem problem;
};

// Names a problem as anchors.py would, when it is a grid-shaped problem.
BenchCase case_for(const Problem& p);
// Problem strings, one per line; blank lines and '#' comments skipped.
std::vector<Problem> read_problem_file(const std::string& path);
// The grid's 1d, 2d and batched groups whose name contains `filter`.
std::vector<Problem> grid_problems(const std::string& grid_json, const std::string& filter);

}  // namespace faltung::bench
