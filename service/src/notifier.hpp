// Alerts to Alertmanager (API v2: POST /api/v2/alerts, a JSON list). Firing
// alerts are sent again every resend interval with endsAt four intervals
// ahead, so they resolve on their own if faltungd stops sending; resolved
// alerts are sent with their end until one Alertmanager has taken them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine.hpp"

namespace faltungd {

// The JSON body of a POST /api/v2/alerts for these alerts; firing ones
// (ends_ms 0) end at now_ms + firing_for_ms.
std::string alerts_json(const std::vector<Alert>& alerts, std::int64_t now_ms, std::int64_t firing_for_ms);

// Posts to base_url + "/api/v2/alerts"; true on a 2xx answer.
bool post_alerts(const std::string& base_url, const std::string& body);

}  // namespace faltungd
