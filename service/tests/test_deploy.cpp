// deploy/'s dashboard and rules name only metrics faltungd serves (so a
// renamed metric cannot leave a blank panel or a silent alert), and every
// alert has its runbook.
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <thread>

#include "loopback.hpp"

namespace faltungd {
namespace {

std::string read(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::set<std::string> metric_names(const std::string& text) {
  std::set<std::string> out;
  const std::regex name("faltungd_[a-z_]+");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), name); it != std::sregex_iterator(); ++it) {
    std::string n = it->str();
    for (const char* suffix : {"_bucket", "_sum", "_count"})
      if (n.size() > std::strlen(suffix) && n.compare(n.size() - std::strlen(suffix), std::string::npos, suffix) == 0)
        n.resize(n.size() - std::strlen(suffix));
    out.insert(n);
  }
  return out;
}

TEST(Deploy, DashboardAndRulesUseServedMetricsAndRunbooksExist) {
  const std::string dir =
      (std::filesystem::temp_directory_path() / ("faltungd-deploy-" + std::to_string(::getpid()))).string();
  const std::string root = DEPLOY_DIR;
  std::string served;
  {
    Loopback faltungd(load_config(root + "/faltungd.yml"), test_options(dir));
    served = httplib::Client("127.0.0.1", faltungd.port()).Get("/metrics")->body;
  }
  std::filesystem::remove_all(dir);
  const auto available = metric_names(served);
  for (const char* file : {"/grafana-dashboard.json", "/faltungd-rules.yml"}) {
    const auto used = metric_names(read(root + file));
    EXPECT_GT(used.size(), 3u) << file;
    for (const auto& name : used) EXPECT_TRUE(available.count(name)) << file << " uses " << name;
  }
  const std::string rules = read(root + "/faltungd-rules.yml");
  const std::regex alert("- alert: ([A-Za-z]+)");
  int alerts = 0;
  for (auto it = std::sregex_iterator(rules.begin(), rules.end(), alert); it != std::sregex_iterator(); ++it, ++alerts)
    EXPECT_TRUE(std::filesystem::exists(root + "/../docs/runbooks/" + (*it)[1].str() + ".md")) << (*it)[1].str();
  EXPECT_EQ(alerts, 11);
}

}  // namespace
}  // namespace faltungd
