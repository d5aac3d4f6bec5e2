// One faltungd per state directory and per port, and a stop that always
// ends: a second instance on the same --state-dir or port is refused with a
// clear error (with SO_REUSEPORT it used to start silently and split the
// writes), and SIGTERM right after ready, with a remote-write sender
// running, ends the real binary within 5 s every time (the signal thread and
// ~Server used to race on joining the sender's thread); an error during
// recovery is printed and exits 2.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "child_process.hpp"
#include "loopback.hpp"
#include "stand_ins.hpp"

namespace faltungd {
namespace {

namespace fs = std::filesystem;

// A fresh, existing directory for a test's files.
std::string test_dir(const std::string& name) {
  const auto dir = temp_dir(name);
  fs::create_directories(dir);
  return dir;
}

const char* const kConfig = R"yaml(pipelines:
  - name: p
    select: 'load'
    stages:
      - detect: {}
)yaml";

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

TEST(Instances, ASecondOnOneStateDirectoryIsRefused) {
  const auto dir = test_dir("one-dir");
  {
    Loopback first(parse_config(kConfig, "t.yml"), test_options(dir));
    const auto said = error_of([&] { Server second(parse_config(kConfig, "t.yml"), Limits{}, test_options(dir)); });
    EXPECT_NE(said.find("the state directory " + dir + " is in use by another faltungd (pid " +
                        std::to_string(::getpid()) + ")"),
              std::string::npos)
        << said;
    // the first goes on serving
    httplib::Client c("127.0.0.1", first.port());
    EXPECT_EQ(c.Get("/-/healthy")->status, 200);
  }
  // once the first is gone the directory is free again
  EXPECT_EQ(error_of([&] { Loopback again(parse_config(kConfig, "t.yml"), test_options(dir)); }), "");
  fs::remove_all(dir);
}

TEST(Instances, ASecondOnOnePortIsRefused) {
  const auto a = test_dir("port-a"), b = test_dir("port-b");
  Loopback first(parse_config(kConfig, "t.yml"), test_options(a));
  Server second(parse_config(kConfig, "t.yml"), Limits{}, test_options(b));
  const auto said = error_of([&] { second.bind("127.0.0.1", first.port()); });
  EXPECT_NE(said.find("cannot listen on 127.0.0.1:" + std::to_string(first.port())), std::string::npos) << said;
  fs::remove_all(a);
  fs::remove_all(b);
}

TEST(Instances, TheBinaryRefusesASecondOnItsStateDirectory) {
  const auto dir = test_dir("bin-dir");
  std::ofstream(dir + "/faltungd.yml") << kConfig;
  const Child first = spawn(dir);
  ASSERT_GT(first.port, 0) << read_file(dir + "/faltungd.log");
  const Child second = spawn(dir);
  EXPECT_EQ(second.exited >= 0 ? second.exited : wait_exit(second.pid, 5), 2);
  EXPECT_NE(read_file(dir + "/faltungd.log").find("is in use by another faltungd (pid " + std::to_string(first.pid)),
            std::string::npos)
      << read_file(dir + "/faltungd.log");
  ::kill(first.pid, SIGTERM);
  EXPECT_EQ(wait_exit(first.pid, 5), 0);
  fs::remove_all(dir);
}

TEST(Instances, AnErrorInRecoveryIsPrintedAndExitsTwo) {
  // checkpoints/ is a file, so recovery cannot read it: a clear error and
  // exit status 2 (it used to unwind past the joinable serving thread and
  // abort: "terminate called without an active exception", 134)
  const auto dir = test_dir("bad-state");
  std::ofstream(dir + "/faltungd.yml") << kConfig;
  fs::create_directories(dir + "/state");
  std::ofstream(dir + "/state/checkpoints") << "not a directory";
  const Child c = spawn(dir);
  const int status = c.exited >= 0 ? c.exited : wait_exit(c.pid, 5);
  const std::string log = read_file(dir + "/faltungd.log");
  EXPECT_EQ(status, 2) << log;
  EXPECT_NE(log.find("faltungd: error: "), std::string::npos) << log;
  EXPECT_NE(log.find("checkpoints"), std::string::npos) << log;
  EXPECT_EQ(log.find("terminate called"), std::string::npos) << log;
  fs::remove_all(dir);
}

TEST(Instances, SigtermRightAfterReadyAlwaysEnds) {
  // A slow receiver keeps the sender inside a request when the stop comes,
  // so the signal thread is still joining it while main destroys the server.
  FakeReceiver receiver;
  receiver.answer = [](int) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    return 204;
  };
  const auto dir = test_dir("sigterm");
  std::ofstream(dir + "/faltungd.yml") << kConfig << "remote_write:\n  - url: " << receiver.url()
                                       << "\n    name: receiver\n";
  for (int run = 0; run < 6; ++run) {
    const Child c = spawn(dir);
    ASSERT_GT(c.port, 0) << read_file(dir + "/faltungd.log");
    httplib::Client client("127.0.0.1", c.port);
    for (int i = 0; i < 500; ++i) {
      auto r = client.Get("/-/ready");
      if (r && r->status == 200) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    for (int t = 1; t <= 3; ++t) {
      const auto body =
          encode_remote_write({{{{"__name__", "load"}, {"host", "h"}}, {{1000LL * (100 * run + t), 1.0}}}});
      client.Post("/api/v1/write", {{"Content-Encoding", "snappy"}}, body, "application/x-protobuf");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // the sender has taken a batch
    ::kill(c.pid, SIGTERM);
    ASSERT_EQ(wait_exit(c.pid, 5), 0) << "run " << run << ": " << read_file(dir + "/faltungd.log");
  }
  // and at once after the port is bound, before serving may have begun
  // (cpp-httplib drops a stop that comes before it listens)
  for (int run = 0; run < 6; ++run) {
    const Child c = spawn(dir);
    ASSERT_GT(c.port, 0) << read_file(dir + "/faltungd.log");
    ::kill(c.pid, SIGTERM);
    ASSERT_EQ(wait_exit(c.pid, 5), 0) << "early run " << run << ": " << read_file(dir + "/faltungd.log");
  }
  fs::remove_all(dir);
}

TEST(Instances, AReadOnlyStateDirectoryIsAClearErrorAndExitsTwo) {
  const auto dir = test_dir("read-only");
  std::ofstream(dir + "/faltungd.yml") << kConfig;
  fs::create_directories(dir + "/state");
  fs::permissions(dir + "/state", fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                                      fs::perms::group_exec | fs::perms::others_read | fs::perms::others_exec);
  fs::permissions(dir, fs::perms::all, fs::perm_options::add);  // the log file, for an unprivileged child
  // root writes anywhere: as root the child runs as nobody, for whom the
  // permissions hold
  const Child child = spawn(dir, {0, ::geteuid() == 0 ? static_cast<uid_t>(65534) : 0, {}});
  const int status = child.exited >= 0 ? child.exited : wait_exit(child.pid, 5);
  EXPECT_EQ(status, 2) << read_file(dir + "/faltungd.log");
  EXPECT_NE(read_file(dir + "/faltungd.log").find("the state directory " + dir + "/state must be writable"),
            std::string::npos)
      << read_file(dir + "/faltungd.log");
  fs::remove_all(dir);
}

TEST(Instances, AFullDiskIsLoggedOnceAMinuteNotPerRequest) {
  const auto dir = test_dir("disk-full");
  std::ofstream(dir + "/faltungd.yml") << kConfig;
  const Child child = spawn(dir, {64 << 10, 0, {}});  // files stop at 64 KiB
  ASSERT_GT(child.port, 0) << read_file(dir + "/faltungd.log");
  httplib::Client c("127.0.0.1", child.port);
  for (int i = 0; i < 200 && c.Get("/-/ready")->status != 200; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  std::vector<SeriesSamples> batch;
  for (int s = 0; s < 200; ++s)
    batch.push_back({{{"__name__", "load"}, {"host", "h" + std::to_string(s)}}, {{1000, 1.0}}});
  int refused = 0;
  for (int r = 0; r < 100; ++r) {
    for (auto& s : batch) s.samples[0] = {1000 * (r + 1), 1.0 * r};
    const auto answer =
        c.Post("/api/v1/write", {{"Content-Encoding", "snappy"}}, encode_remote_write(batch), "application/x-protobuf");
    ASSERT_TRUE(answer);
    refused += answer->status == 503;
  }
  EXPECT_GT(refused, 10);
  ::kill(child.pid, SIGTERM);
  wait_exit(child.pid, 5);
  const std::string log = read_file(dir + "/faltungd.log");
  const std::string line = "the write-ahead log could not be written (";
  const auto first = log.find(line);
  ASSERT_NE(first, std::string::npos) << log;
  EXPECT_NE(log.find("File too large", first), std::string::npos) << log;
  EXPECT_EQ(log.find(line, first + 1), std::string::npos) << "one line, not one per refused request:\n" << log;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace faltungd
