// Who may write: a bearer token or HTTP basic auth checked against bcrypt
// hashes (as Prometheus' own web config does). Comparisons take the same
// time whatever the input, so timing says nothing about the secret.
#pragma once

#include <string>

#include "config.hpp"

namespace faltungd {

// `authorization`: the request's Authorization header ("" if none); no
// credentials configured means open.
bool authorized(const Credentials& credentials, const std::string& authorization);

// A bcrypt hash of `password` (cost 2^cost), for tests and tooling.
std::string bcrypt_hash(const std::string& password, int cost = 10);

}  // namespace faltungd
