// Who may write: bearer tokens, bcrypt basic auth, TLS with and without
// client certificates; and the configuration's checks of them.
#include <gtest/gtest.h>
#include <httplib.h>
#include <openssl/evp.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "../src/auth.hpp"
#include "loopback.hpp"

namespace faltungd {
namespace {

namespace fs = std::filesystem;

const std::string kPipelines = R"yaml(kernels:
  k: "box:width=3"
pipelines:
  - name: p
    select: 'up'
    stages: [{filter: k}]
)yaml";

std::string basic(const std::string& user, const std::string& password) {
  const std::string pair = user + ":" + password;
  std::string out(4 * ((pair.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(pair.data()), static_cast<int>(pair.size()));
  out.resize(static_cast<std::size_t>(n));
  return "Basic " + out;
}

struct Dir {
  std::string path = (fs::temp_directory_path() / ("faltungd-auth-" + std::to_string(::getpid()))).string();
  Dir() {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~Dir() { fs::remove_all(path); }
  std::string operator/(const std::string& name) const { return path + "/" + name; }
};

TEST(Auth, BearerAndBcryptBasic) {
  Credentials s;
  EXPECT_TRUE(authorized(s, ""));  // nothing configured: open
  s.bearer_token = "0123456789abcdef-token";
  s.basic_auth_users["prometheus"] = bcrypt_hash("s3cret", 4);
  EXPECT_TRUE(authorized(s, "Bearer 0123456789abcdef-token"));
  EXPECT_FALSE(authorized(s, "Bearer 0123456789abcdef-tokeN"));
  EXPECT_FALSE(authorized(s, ""));
  EXPECT_TRUE(authorized(s, basic("prometheus", "s3cret")));
  EXPECT_FALSE(authorized(s, basic("prometheus", "s3cre")));
  EXPECT_FALSE(authorized(s, basic("grafana", "s3cret")));
  EXPECT_FALSE(authorized(s, "Basic !!!not-base64"));
  EXPECT_EQ(s.basic_auth_users["prometheus"].substr(0, 7), "$2b$04$");
}

TEST(Auth, ConfigurationIsChecked) {
  Dir dir;
  std::ofstream(dir / "token") << "a-token-long-enough-for-us\n";
  auto with = [&](const std::string& server) { return parse_config(kPipelines + server, "f.yml"); };
  EXPECT_EQ(with("server:\n  write_auth: {bearer_token_file: " + (dir / "token") + "}\n").server.write.bearer_token,
            "a-token-long-enough-for-us");
  auto refused = [&](const std::string& server, const std::string& words) {
    try {
      with(server);
      ADD_FAILURE() << "accepted " << server;
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
    }
  };
  refused("server:\n  write_auth: {bearer_token: short}\n", "shorter than 16");
  refused("server:\n  write_auth: {basic_auth_users: {a: plaintext}}\n", "not a bcrypt hash");
  refused("server:\n  write_auth: {bearer_token_file: /nonexistent/token}\n", "cannot read /nonexistent/token");
  refused("server:\n  tls: {cert_file: a.crt}\n", "needs cert_file and key_file");
  refused("server:\n  tls: {cert_file: /nonexistent.crt, key_file: /nonexistent.key}\n",
          "cannot read /nonexistent.crt");
  refused("server:\n  listen: x\n", "server.listen: unknown field");
  refused("server:\n  admin_auth: {}\n", "give a bearer token or basic_auth_users");
}

// faltungd with `config` over dir/state, served on loopback.
struct Serving : Loopback {
  Serving(const std::string& config, const std::string& dir)
      : Loopback(parse_config(config, "t.yml"), test_options(dir + "/state")) {}
};

template <class Client>
int post(Client& c, const httplib::Headers& extra = {}) {
  httplib::Headers h = {{"Content-Encoding", "snappy"}};
  h.insert(extra.begin(), extra.end());
  auto r = c.Post("/api/v1/write", h, encode_remote_write({{{{"__name__", "up"}}, {{1000, 1.0}}}}),
                  "application/x-protobuf");
  return r ? r->status : -1;
}

TEST(Auth, TheWriteEndpointAsksForCredentials) {
  Dir dir;
  const std::string hash = bcrypt_hash("pw", 4);
  Serving s(kPipelines + "server:\n  write_auth:\n    bearer_token: 0123456789abcdef\n    basic_auth_users: {prom: \"" +
                hash + "\"}\n",
            dir.path);
  httplib::Client c("127.0.0.1", s.port());
  auto r = c.Post("/api/v1/write", {{"Content-Encoding", "snappy"}}, "x", "application/x-protobuf");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(r->get_header_value("WWW-Authenticate"), "Basic realm=\"faltungd\"");
  EXPECT_EQ(post(c, {{"Authorization", "Bearer 0123456789abcdef"}}), 204);
  EXPECT_EQ(post(c, {{"Authorization", basic("prom", "pw")}}), 204);
  EXPECT_EQ(post(c, {{"Authorization", basic("prom", "wrong")}}), 401);
  EXPECT_EQ(c.Get("/-/healthy")->status, 200);  // health and metrics stay open
}

TEST(Auth, ReloadEndpointNeedsAdminCredentials) {
  Dir dir;
  const std::string admin = "server:\n  admin_auth: {bearer_token: admin-token-0123456789}\n";
  std::ofstream(dir / "f.yml") << kPipelines + admin;
  ServerOptions o = test_options(dir / "state");
  o.config_path = dir / "f.yml";
  Loopback faltungd(load_config(o.config_path), o);
  httplib::Client c("127.0.0.1", faltungd.port());
  EXPECT_EQ(c.Post("/-/reload", "", "text/plain")->status, 401);
  const httplib::Headers token = {{"Authorization", "Bearer admin-token-0123456789"}};
  auto r = c.Post("/-/reload", token, "", "text/plain");
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->body.find("reloaded: 1 pipelines"), std::string::npos) << r->body;
  std::ofstream(dir / "f.yml") << kPipelines + admin + "oops: 1\n";
  r = c.Post("/-/reload", token, "", "text/plain");
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("config.oops: unknown field"), std::string::npos) << r->body;
  EXPECT_EQ(post(c), 204);  // still running the old configuration
}

void openssl(const std::string& args) {
  ASSERT_EQ(std::system(("openssl " + args + " >/dev/null 2>&1").c_str()), 0) << args;
}

// A CA, and a server and a client certificate for 127.0.0.1 signed by it.
void make_certificates(const Dir& dir) {
  openssl("req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=test-ca -keyout " + (dir / "ca.key") + " -out " +
          (dir / "ca.crt"));
  for (const std::string who : {"server", "client"}) {
    openssl("req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout " + (dir / (who + ".key")) + " -out " +
            (dir / (who + ".csr")));
    std::ofstream(dir / "ext") << "subjectAltName=IP:127.0.0.1\n";
    openssl("x509 -req -days 2 -in " + (dir / (who + ".csr")) + " -CA " + (dir / "ca.crt") + " -CAkey " +
            (dir / "ca.key") + " -CAcreateserial -extfile " + (dir / "ext") + " -out " + (dir / (who + ".crt")));
  }
}

TEST(Auth, TlsAndClientCertificates) {
  Dir dir;
  make_certificates(dir);
  {
    Serving s(kPipelines + "server:\n  tls: {cert_file: " + (dir / "server.crt") +
                  ", key_file: " + (dir / "server.key") + "}\n",
              dir.path);
    httplib::SSLClient c("127.0.0.1", s.port());
    c.set_ca_cert_path((dir / "ca.crt").c_str());
    c.enable_server_certificate_verification(true);
    EXPECT_EQ(post(c), 204);
    httplib::Client plain("127.0.0.1", s.port());
    EXPECT_NE(post(plain), 204);
  }
  {
    Serving s(kPipelines + "server:\n  tls: {cert_file: " + (dir / "server.crt") +
                  ", key_file: " + (dir / "server.key") + ", client_ca_file: " + (dir / "ca.crt") + "}\n",
              dir.path);
    httplib::SSLClient anonymous("127.0.0.1", s.port());
    anonymous.set_ca_cert_path((dir / "ca.crt").c_str());
    EXPECT_EQ(post(anonymous), -1);  // the handshake fails without a client certificate
    httplib::SSLClient known("127.0.0.1", s.port(), dir / "client.crt", dir / "client.key");
    known.set_ca_cert_path((dir / "ca.crt").c_str());
    EXPECT_EQ(post(known), 204);
  }
}

// faltungd's remote-write output over mutual TLS with a bearer token, into
// another faltungd that asks for all three: every output arrives.
TEST(Auth, RemoteWriteOutputOverMutualTls) {
  Dir dir;
  make_certificates(dir);
  const std::string token = "0123456789abcdef-remote";
  Serving receiver(kPipelines + "server:\n  write_auth: {bearer_token: " + token +
                       "}\n  tls: {cert_file: " + (dir / "server.crt") + ", key_file: " + (dir / "server.key") +
                       ", client_ca_file: " + (dir / "ca.crt") + "}\n",
                   dir / "receiver");
  const std::string remote = "remote_write:\n  - url: https://127.0.0.1:" + std::to_string(receiver.port()) +
                             "/api/v1/write\n    bearer_token: " + token +
                             "\n    tls_config: {ca_file: " + (dir / "ca.crt") +
                             ", cert_file: " + (dir / "client.crt") + ", key_file: " + (dir / "client.key") +
                             "}\n    queue_config: {min_backoff: 0.01, max_backoff: 0.05}\n";
  Serving sender(kPipelines + remote, dir / "sender");
  httplib::Client c("127.0.0.1", sender.port());
  for (int t = 1; t <= 20; ++t) {
    auto r = c.Post("/api/v1/write", {{"Content-Encoding", "snappy"}},
                    encode_remote_write({{{{"__name__", "up"}, {"job", "a"}}, {{1000LL * t, 1.0 * t}}}}),
                    "application/x-protobuf");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 204);
  }
  bool arrived = false;
  for (int i = 0; i < 400 && !arrived; ++i) {
    const auto s = sender.server().remote_stats()[0].sender;
    arrived = s.sent_samples == 20;
    if (!arrived) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(arrived) << "sent " << sender.server().remote_stats()[0].sender.sent_samples << " of 20 outputs";
  EXPECT_EQ(sender.server().remote_stats()[0].sender.requests_rejected, 0);
  httplib::SSLClient reader("127.0.0.1", receiver.port(), dir / "client.crt", dir / "client.key");
  reader.set_ca_cert_path((dir / "ca.crt").c_str());
  const auto metrics = reader.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("faltungd_samples_received_total 20\n"), std::string::npos)
      << "the receiving faltungd took the 20 smoothed samples";
}

}  // namespace
}  // namespace faltungd
