// The write-ahead log: records come back in order across reopenings and
// segments; a torn or corrupt tail is cut, never fatal; a failed write
// fails its batch and leaves nothing behind; group commit under threads.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "../src/wal.hpp"

namespace faltungd {
namespace {

namespace fs = std::filesystem;

struct TempDir {
  std::string path;
  TempDir() {
    path = (fs::temp_directory_path() / ("faltungd-wal-" + std::to_string(::getpid()) + "-" +
                                         std::to_string(reinterpret_cast<std::uintptr_t>(this))))
               .string();
    fs::remove_all(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

std::vector<std::pair<std::uint64_t, std::string>> read_all(const std::string& dir, WalReplay* report = nullptr,
                                                            std::uint64_t segment_bytes = 64ull << 20) {
  Wal wal({dir, segment_bytes});
  std::vector<std::pair<std::uint64_t, std::string>> out;
  const auto r = wal.replay(0, [&](std::uint64_t seq, std::string_view p) { out.push_back({seq, std::string(p)}); });
  if (report) *report = r;
  return out;
}

std::vector<std::string> segment_files(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

TEST(Wal, RecordsComeBackInOrderAcrossSegments) {
  TempDir dir;
  {
    Wal wal({dir.path, 100});  // tiny segments: a few records each
    wal.replay(0, [](auto, auto) {});
    for (int i = 0; i < 20; ++i) {
      const auto seq = wal.append("record " + std::to_string(i));
      ASSERT_TRUE(wal.wait_durable(seq));
      EXPECT_EQ(seq, static_cast<std::uint64_t>(i + 1));
    }
    EXPECT_GT(wal.segments(), 3u);
    EXPECT_EQ(wal.bytes_on_disk(), 20 * 16 + 10 * 8 + 10 * 9);
  }
  const auto all = read_all(dir.path);
  ASSERT_EQ(all.size(), 20u);
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(all[i].first, static_cast<std::uint64_t>(i + 1));
    EXPECT_EQ(all[i].second, "record " + std::to_string(i));
  }
  // reopened: sequences continue; a checkpoint at 12 lets older segments go
  Wal wal({dir.path, 100});
  std::uint64_t replayed = 0;
  wal.replay(15, [&](std::uint64_t seq, auto) { replayed += seq > 15; });
  EXPECT_EQ(replayed, 5u);
  EXPECT_EQ(wal.append("more"), 21u);
  ASSERT_TRUE(wal.wait_durable(21));
  const auto before = wal.segments();
  wal.remove_through(12);
  EXPECT_LT(wal.segments(), before);
  std::uint64_t first = 0;
  Wal again({dir.path, 100});
  again.replay(0, [&](std::uint64_t seq, auto) { first = first ? first : seq; });
  EXPECT_LE(first, 13u);
  EXPECT_GT(first, 1u);
}

TEST(Wal, ATornTailIsCutAndWritingGoesOn) {
  TempDir dir;
  {
    Wal wal({dir.path});
    wal.replay(0, [](auto, auto) {});
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(wal.wait_durable(wal.append("abc" + std::to_string(i))));
  }
  const auto file = segment_files(dir.path).back();
  const auto full = fs::file_size(file);
  fs::resize_file(file, full - 2);  // a crash in the middle of the last record
  WalReplay report;
  auto all = read_all(dir.path, &report);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_NE(report.cut_reason.find("a torn record"), std::string::npos) << report.cut_reason;
  EXPECT_EQ(report.cut_bytes, 16u + 4 - 2);
  {
    Wal wal({dir.path});
    wal.replay(0, [](auto, auto) {});
    ASSERT_TRUE(wal.wait_durable(wal.append("after the cut")));
  }
  all = read_all(dir.path, &report);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[2].first, 3u);
  EXPECT_EQ(all[2].second, "after the cut");
  EXPECT_TRUE(report.cut_reason.empty());
  // garbage after the last record: cut too
  std::ofstream(file, std::ios::app | std::ios::binary) << "\x05\x00\x00";
  read_all(dir.path, &report);
  EXPECT_NE(report.cut_reason.find("torn record header"), std::string::npos) << report.cut_reason;
}

TEST(Wal, ACorruptRecordCutsTheRestOfTheLog) {
  TempDir dir;
  {
    Wal wal({dir.path, 60});
    wal.replay(0, [](auto, auto) {});
    for (int i = 0; i < 12; ++i) ASSERT_TRUE(wal.wait_durable(wal.append("payload-" + std::to_string(i))));
  }
  const auto files = segment_files(dir.path);
  ASSERT_GT(files.size(), 3u);
  {  // flip one payload byte in the second segment
    std::fstream f(files[1], std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(16 + 3);
    f.put('X');
  }
  WalReplay report;
  const auto all = read_all(dir.path, &report, 60);
  EXPECT_NE(report.cut_reason.find("checksum"), std::string::npos) << report.cut_reason;
  EXPECT_EQ(segment_files(dir.path).size(), 2u);  // later segments removed
  for (std::size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].second, "payload-" + std::to_string(i));
  // an absurd length reads as corruption, not as a 4 GB allocation
  {
    std::fstream f(files[0], std::ios::in | std::ios::out | std::ios::binary);
    f.write("\xff\xff\xff\x7f", 4);
  }
  read_all(dir.path, &report, 60);
  EXPECT_NE(report.cut_reason.find("record length"), std::string::npos) << report.cut_reason;
}

TEST(Wal, AFailedWriteFailsItsBatchAndLeavesNothing) {
  TempDir dir;
  {
    Wal wal({dir.path});
    wal.replay(0, [](auto, auto) {});
    ASSERT_TRUE(wal.wait_durable(wal.append("kept")));
    wal.fail_next_sync_for_test();
    const auto lost = wal.append("lost");
    EXPECT_FALSE(wal.wait_durable(lost));
    ASSERT_TRUE(wal.wait_durable(wal.append("kept too")));
  }
  const auto all = read_all(dir.path);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].second, "kept");
  EXPECT_EQ(all[1].second, "kept too");
}

TEST(Wal, GroupCommitUnderThreads) {
  TempDir dir;
  {
    Wal wal({dir.path, 4096});
    wal.replay(0, [](auto, auto) {});
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t)
      threads.emplace_back([&, t] {
        for (int i = 0; i < 100; ++i)
          ASSERT_TRUE(wal.wait_durable(wal.append(std::to_string(t) + ":" + std::to_string(i))));
      });
    for (auto& th : threads) th.join();
  }
  const auto all = read_all(dir.path, nullptr, 4096);
  ASSERT_EQ(all.size(), 800u);
  std::vector<int> next(8, 0);
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].first, i + 1);
    const int t = std::stoi(all[i].second.substr(0, all[i].second.find(':')));
    EXPECT_EQ(all[i].second, std::to_string(t) + ":" + std::to_string(next[t]++));  // each thread's order kept
  }
}

}  // namespace
}  // namespace faltungd
