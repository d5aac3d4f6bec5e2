#include "notifier.hpp"

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <ctime>

#include "url.hpp"

namespace faltungd {

namespace {

std::string rfc3339(std::int64_t ms) {
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &utc);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms % 1000));
  return out;
}

}  // namespace

std::string alerts_json(const std::vector<Alert>& alerts, std::int64_t now_ms, std::int64_t firing_for_ms) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& a : alerts) {
    nlohmann::json j;
    j["labels"] = a.labels;
    j["annotations"] = a.annotations;
    if (a.starts_ms) j["startsAt"] = rfc3339(a.starts_ms);
    j["endsAt"] = rfc3339(a.ends_ms ? a.ends_ms : now_ms + firing_for_ms);
    j["generatorURL"] = "faltungd:///pipeline/" + (a.labels.count("pipeline") ? a.labels.at("pipeline") : "");
    list.push_back(std::move(j));
  }
  return list.dump();
}

bool post_alerts(const std::string& base_url, const std::string& body) {
  const auto url = split_url(base_url);  // scheme://host[:port][/prefix]
  httplib::Client client(url.origin);
  client.set_connection_timeout(2, 0);
  client.set_read_timeout(5, 0);
  const auto r = client.Post(url.path + "/api/v2/alerts", body, "application/json");
  return r && r->status >= 200 && r->status < 300;
}

}  // namespace faltungd
