// libFuzzer target: any bytes as what one connection sends to faltungd
// (write credentials on), through the whole HTTP request path: cpp-httplib's
// parsing, the header gate (credentials, encodings, types, lengths), the
// body limit, remote-write decoding, the sample checks and the pipelines.
// Requests on one connection follow each other (keep-alive).
//
// Besides the sanitizers and libFuzzer's memory limit (a bomb that inflates
// shows as an out-of-memory finding), it checks: every answer is an HTTP
// response, and bytes that do not hold the write token never get a write
// accepted (204). Run by scripts/fuzz.sh.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "../src/config.hpp"
#include "../src/server.hpp"

namespace {

constexpr std::string_view kToken = "fuzz-write-token-0123456789";

const char* const kConfig = R"yaml(kernels:
  smooth5: "box:width=5"
pipelines:
  - name: smooth
    select: '{__name__=~".+"}'
    max_series: 64
    stages:
      - filter: smooth5
      - detect: {}
server:
  write_auth: {bearer_token: fuzz-write-token-0123456789}
  admin_auth: {bearer_token: fuzz-admin-token-0123456789}
)yaml";

std::string& state_dir() {
  // tmpfs where there is one: every accepted write is synced to the log
  static std::string dir = std::string(std::filesystem::exists("/dev/shm") ? "/dev/shm" : "/tmp") +
                           "/faltungd-http-fuzz-" + std::to_string(::getpid());
  return dir;
}

faltungd::Server& server() {
  static std::unique_ptr<faltungd::Server> s = [] {
    faltungd::ServerOptions options;
    options.state_dir = state_dir();
    std::filesystem::remove_all(options.state_dir);
    options.checkpoint_seconds = 0;
    options.wal_segment_bytes = 1 << 20;
    auto made =
        std::make_unique<faltungd::Server>(faltungd::parse_config(kConfig, "fuzz.yml"), faltungd::Limits{}, options);
    made->recover();
    std::atexit([] { std::filesystem::remove_all(state_dir()); });
    return made;
  }();
  return *s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view request(reinterpret_cast<const char*>(data), size);
  const std::string answer = server().answer_bytes(request);
  if (!answer.empty() && answer.rfind("HTTP/1.1 ", 0) != 0) std::abort();
  if (request.find(kToken) == std::string_view::npos && answer.find("HTTP/1.1 204") != std::string::npos)
    std::abort();  // a write accepted without the token
  return 0;
}
