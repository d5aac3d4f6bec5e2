#include "cases.hpp"

#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace faltung::bench {
BenchCase case_for(const Problem& p0) {
  const Problem p = canonical(p0);
  const bool plain = p.op == Op::conv && p.boundary.empty() && p.cval == 0 && p.origin.empty() &&
                     p.nan == NanPolicy::propagate && !is_complex(p.dtype);
  const std::string dt(numpy_name(p.dtype));
  if (plain && p.x.size() == 1 && p.k.size() == 1)
    return {
        "1d",
        "1d n=" + std::to_string(p.x[0]) + " m=" + std::to_string(p.k[0]) + " " + dt + " " + std::string(name(p.mode)),
        p};
  if (plain && p.mode == Mode::same && p.x.size() == 2 && p.k.size() == 2 && p.axes.empty())
    return {"2d", "2d " + shape_to_string(p.x) + " k=" + shape_to_string(p.k) + " " + dt + " same", p};
  if (plain && p.mode == Mode::same && p.x.size() == 2 && p.k.size() == 1 && p.axes.empty())
    return {"batched", "batched " + shape_to_string(p.x) + " m=" + std::to_string(p.k[0]) + " " + dt + " same", p};
  return {"problem", to_string(p), p};
}

std::vector<Problem> read_problem_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open problem file " + path);
  std::vector<Problem> out;
  std::string line;
  while (std::getline(in, line)) {
    const auto hash = line.find('#');
    if (hash != std::string::npos) line.erase(hash);
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    out.push_back(parse_problem(line));
  }
  return out;
}

std::vector<Problem> grid_problems(const std::string& grid_json, const std::string& filter) {
  std::ifstream in(grid_json);
  if (!in) throw std::runtime_error("cannot open grid " + grid_json);
  const auto grid = nlohmann::json::parse(in);
  std::vector<Problem> out;
  auto want = [&](const std::string& g) { return g.find(filter) != std::string::npos; };
  if (want("1d"))
    for (const auto& c : grid["1d"])
      out.push_back(
          parse_problem("op=conv dtype=" + std::string(name(parse_numpy_dtype(c["dtype"].get<std::string>()))) +
                        " x=" + std::to_string(c["n"].get<long>()) + " k=" + std::to_string(c["m"].get<long>()) +
                        " mode=" + c["mode"].get<std::string>()));
  if (want("2d"))
    for (const auto& c : grid["2d"])
      out.push_back(parse_problem(
          "op=conv dtype=" + std::string(name(parse_numpy_dtype(c["dtype"].get<std::string>()))) +
          " x=" + std::to_string(c["H"].get<long>()) + "x" + std::to_string(c["W"].get<long>()) +
          " k=" + std::to_string(c["kh"].get<long>()) + "x" + std::to_string(c["kw"].get<long>()) + " mode=same"));
  if (want("batched"))
    for (const auto& c : grid["batched"])
      out.push_back(parse_problem(
          "op=conv dtype=" + std::string(name(parse_numpy_dtype(c["dtype"].get<std::string>()))) +
          " x=" + std::to_string(c["series"].get<long>()) + "x" + std::to_string(c["length"].get<long>()) +
          " k=" + std::to_string(c["m"].get<long>()) + " mode=same"));
  return out;
}

}  // namespace faltung::bench
