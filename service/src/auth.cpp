#include "auth.hpp"

#include <crypt.h>

#include <cctype>
#include <cstring>
#include <memory>
#include <stdexcept>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

namespace faltungd {

namespace {

bool same(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string base64_decode(const std::string& in) {
  std::string out(3 * (in.size() / 4) + 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  if (n < 0) return {};
  std::size_t len = static_cast<std::size_t>(n);
  for (std::size_t i = in.size(); i > 0 && in[i - 1] == '=' && len > 0; --i) --len;  // EVP keeps padding bytes
  out.resize(len);
  return out;
}

bool bcrypt_matches(const std::string& password, const std::string& hash) {
  auto data = std::make_unique<crypt_data>();
  std::memset(data.get(), 0, sizeof(crypt_data));
  const char* result = crypt_r(password.c_str(), hash.c_str(), data.get());
  return result && result[0] != '*' && same(result, hash);
}

// "Scheme credentials": the scheme's name is case-insensitive (RFC 7235),
// so "Bearer", "bearer" and "BEARER" are one scheme.
bool has_scheme(const std::string& authorization, const std::string& lower_scheme) {
  if (authorization.size() <= lower_scheme.size() || authorization[lower_scheme.size()] != ' ') return false;
  for (std::size_t i = 0; i < lower_scheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != lower_scheme[i]) return false;
  return true;
}

}  // namespace

bool authorized(const Credentials& server, const std::string& authorization) {
  if (!server.any()) return true;
  if (!server.bearer_token.empty() && has_scheme(authorization, "bearer"))
    return same(authorization.substr(7), server.bearer_token);
  if (!server.basic_auth_users.empty() && has_scheme(authorization, "basic")) {
    const std::string pair = base64_decode(authorization.substr(6));
    const auto colon = pair.find(':');
    if (colon == std::string::npos) return false;
    const auto user = server.basic_auth_users.find(pair.substr(0, colon));
    // an unknown user costs a bcrypt too, so timing does not reveal users
    static const std::string decoy = bcrypt_hash("decoy", 10);
    const bool ok =
        bcrypt_matches(pair.substr(colon + 1), user == server.basic_auth_users.end() ? decoy : user->second);
    return ok && user != server.basic_auth_users.end();
  }
  return false;
}

std::string bcrypt_hash(const std::string& password, int cost) {
  unsigned char random[16];
  if (RAND_bytes(random, sizeof random) != 1) throw std::runtime_error("bcrypt: no random bytes");
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  if (!crypt_gensalt_rn("$2b$", static_cast<unsigned long>(cost), reinterpret_cast<const char*>(random), sizeof random,
                        setting, sizeof setting))
    throw std::runtime_error("bcrypt: cannot make a salt");
  auto data = std::make_unique<crypt_data>();
  std::memset(data.get(), 0, sizeof(crypt_data));
  const char* result = crypt_r(password.c_str(), setting, data.get());
  if (!result || result[0] == '*') throw std::runtime_error("bcrypt: hashing failed");
  return result;
}

}  // namespace faltungd
