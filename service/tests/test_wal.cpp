// The write-ahead log: records come back in order across reopenings and
// segments; a torn tail is cut, never fatal; a damaged record costs that
// record alone and its segment is kept aside, never rewritten; replay
// starts at the checkpoint's position; a failed write fails its batch and
// leaves nothing behind; group commit under threads.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <thread>

#include "../src/checkpoint.hpp"
#include "../src/file_util.hpp"
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
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".wal") out.push_back(e.path().string());
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

void write_records(const std::string& dir, int count, std::uint64_t segment_bytes) {
  Wal wal({dir, segment_bytes});
  wal.replay(0, [](auto, auto) {});
  for (int i = 0; i < count; ++i) ASSERT_TRUE(wal.wait_durable(wal.append("payload-" + std::to_string(i))));
}

void overwrite(const std::string& file, std::uint64_t offset, std::string_view bytes) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(static_cast<std::streamoff>(offset));
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string contents(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Every record 1..count except those in `lost`, in order, with its payload.
void expect_all_but(const std::vector<std::pair<std::uint64_t, std::string>>& got, int count,
                    const std::set<std::uint64_t>& lost, const std::string& problem) {
  std::size_t k = 0;
  for (std::uint64_t seq = 1; seq <= static_cast<std::uint64_t>(count); ++seq) {
    if (lost.count(seq)) continue;
    ASSERT_LT(k, got.size()) << problem << ": record " << seq << " missing";
    EXPECT_EQ(got[k].first, seq) << problem;
    EXPECT_EQ(got[k].second, "payload-" + std::to_string(seq - 1)) << problem;
    ++k;
  }
  EXPECT_EQ(k, got.size()) << problem;
}

TEST(Wal, ADamagedRecordCostsThatRecordAloneAndItsSegmentIsKeptAside) {
  TempDir dir;
  write_records(dir.path, 12, 60);  // two records per segment
  const auto files = segment_files(dir.path);
  ASSERT_EQ(files.size(), 6u);
  overwrite(files[1], 16 + 3, "X");  // a payload byte of record 3
  const std::string damaged_before = contents(files[1]);
  WalReplay report;
  const auto all = read_all(dir.path, &report, 60);
  expect_all_but(all, 12, {3}, "payload byte flipped");
  EXPECT_EQ(report.damaged_spans, 1u);
  EXPECT_EQ(report.damaged_covered_spans, 0u);
  ASSERT_EQ(report.damage.size(), 1u);
  EXPECT_NE(report.damage[0].find("checksum does not match at byte 0"), std::string::npos) << report.damage[0];
  EXPECT_TRUE(report.cut_reason.empty());
  EXPECT_EQ(segment_files(dir.path).size(), 6u) << "no segment removed";
  EXPECT_EQ(contents(files[1]), damaged_before) << "a damaged segment is never rewritten";
  ASSERT_EQ(report.kept_aside.size(), 1u);
  EXPECT_EQ(contents(report.kept_aside[0]), damaged_before) << report.kept_aside[0];
  // an absurd length in another segment: that record alone too, no 4 GB allocation
  overwrite(files[3], 0, "\xff\xff\xff\x7f");
  const auto again = read_all(dir.path, &report, 60);
  expect_all_but(again, 12, {3, 7}, "absurd length");
  EXPECT_EQ(report.damaged_spans, 2u);
  EXPECT_NE(report.damage[1].find("record length"), std::string::npos) << report.damage[1];
}

TEST(Wal, ReplayStartsAtTheCheckpointAndCountsCoveredDamageApart) {
  TempDir dir;
  write_records(dir.path, 12, 60);
  const auto files = segment_files(dir.path);
  overwrite(files[0], 16 + 3, "X");  // record 1: in a segment the checkpoint at 8 covers
  overwrite(files[4], 16 + 3, "X");  // record 9: after it
  {
    Wal wal({dir.path, 60});
    std::vector<std::uint64_t> applied;
    const auto report = wal.replay(8, [&](std::uint64_t seq, auto) { applied.push_back(seq); });
    EXPECT_EQ(applied, (std::vector<std::uint64_t>{10, 11, 12}));
    EXPECT_EQ(report.damaged_spans, 1u) << "segments the checkpoint covers are not read";
    EXPECT_EQ(report.damaged_covered_spans, 0u);
    EXPECT_EQ(wal.append("payload-12"), 13u);
    ASSERT_TRUE(wal.wait_durable(13));
  }
  // a checkpoint at 9 inside the damaged segment: its damage costs nothing
  Wal wal({dir.path, 60});
  std::vector<std::uint64_t> applied;
  const auto report = wal.replay(9, [&](std::uint64_t seq, auto) { applied.push_back(seq); });
  EXPECT_EQ(applied, (std::vector<std::uint64_t>{10, 11, 12, 13}));
  EXPECT_EQ(report.damaged_spans, 0u);
  EXPECT_EQ(report.damaged_covered_spans, 1u);
  ASSERT_EQ(report.damage.size(), 1u);
  EXPECT_NE(report.damage[0].find("covered by the checkpoint"), std::string::npos) << report.damage[0];
}

TEST(Wal, ADamagedLastRecordIsKeptAndWritingGoesOnInANewSegment) {
  TempDir dir;
  write_records(dir.path, 5, 64ull << 20);
  const auto file = segment_files(dir.path).back();
  const auto size = fs::file_size(file);
  overwrite(file, size - 1, "X");  // the last record is whole but wrong: not a torn write
  {
    Wal wal({dir.path});
    WalReplay report = wal.replay(0, [](auto, auto) {});
    EXPECT_EQ(report.damaged_spans, 1u);
    EXPECT_TRUE(report.cut_reason.empty());
    EXPECT_EQ(fs::file_size(file), size) << "kept, not cut";
    EXPECT_EQ(wal.append("payload-4"), 5u) << "sequences go on after the last good record";
    ASSERT_TRUE(wal.wait_durable(5));
  }
  EXPECT_EQ(segment_files(dir.path).size(), 2u);
  EXPECT_EQ(fs::file_size(file), size) << "not written to again";
  WalReplay report;
  expect_all_but(read_all(dir.path, &report), 5, {}, "last record damaged, one written after");
  EXPECT_EQ(report.damaged_spans, 1u) << "found again, still there";
}

TEST(Wal, ReadPassesOverDamageFoundAtReplay) {
  TempDir dir;
  write_records(dir.path, 6, 64ull << 20);
  overwrite(segment_files(dir.path)[0], 2 * (16 + 9) + 16 + 2, "X");  // record 3
  Wal wal({dir.path, 64ull << 20, 1024, false});
  wal.replay(0, [](auto, auto) {});
  Wal::Cursor cursor;
  std::vector<std::uint64_t> read;
  wal.read(cursor, [&](std::uint64_t seq, std::string_view) {
    read.push_back(seq);
    return true;
  });
  EXPECT_EQ(read, (std::vector<std::uint64_t>{1, 2, 4, 5, 6}));
}

// Seeded sweep: one damaged byte anywhere in a log costs at most the record
// it lies in (or, in the newest segment's last record, that record).
TEST(Wal, AnyOneDamagedByteCostsAtMostItsRecord) {
  const unsigned seed = std::random_device{}();
  std::mt19937 rng(seed);
  for (int round = 0; round < 60; ++round) {
    TempDir dir;
    const int count = 5 + static_cast<int>(rng() % 30);
    const std::uint64_t segment_bytes = 40 + rng() % 300;
    write_records(dir.path, count, segment_bytes);
    const auto files = segment_files(dir.path);
    const auto& file = files[rng() % files.size()];
    const auto offset = rng() % fs::file_size(file);
    std::string byte = contents(file).substr(offset, 1);
    byte[0] = static_cast<char>(byte[0] ^ static_cast<char>(1 + rng() % 255));
    overwrite(file, offset, byte);
    const std::string problem = "seed " + std::to_string(seed) + " round " + std::to_string(round) + ": " +
                                std::to_string(count) + " records, segments of " + std::to_string(segment_bytes) +
                                " bytes, byte " + std::to_string(offset) + " of " + file;
    const auto all = read_all(dir.path, nullptr, segment_bytes);
    ASSERT_GE(all.size() + 1, static_cast<std::size_t>(count)) << problem;
    std::set<std::uint64_t> lost;
    for (std::uint64_t seq = 1, k = 0; seq <= static_cast<std::uint64_t>(count); ++seq)
      if (k < all.size() && all[k].first == seq)
        ++k;
      else
        lost.insert(seq);
    expect_all_but(all, count, lost, problem);
  }
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

TEST(Wal, ARecordCountsOnlyOnceItsSegmentsDirectoryEntryIsSynced) {
  TempDir dir;
  const auto failures_before = directory_sync_failures();
  {
    fail_directory_syncs_for_test(2);  // the new segment's, then the first batch's retry
    Wal wal({dir.path});
    wal.replay(0, [](auto, auto) {});
    EXPECT_FALSE(wal.wait_durable(wal.append("refused: its segment's name may not survive a crash")));
    EXPECT_NE(wal.last_write_error().find("fsync: Input/output error"), std::string::npos) << wal.last_write_error();
    EXPECT_TRUE(wal.wait_durable(wal.append("kept")));  // the directory synced this time
  }
  EXPECT_EQ(directory_sync_failures() - failures_before, 2);
  const auto all = read_all(dir.path);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].second, "kept");
}

TEST(Checkpoint, ACheckpointWhoseDirectoryCannotBeSyncedDoesNotCount) {
  TempDir dir;
  state::Checkpoint cp;
  cp.set_sequence(7);
  write_checkpoint(dir.path, cp);
  cp.set_sequence(9);
  fail_directory_syncs_for_test(1);
  try {
    write_checkpoint(dir.path, cp);
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot sync the directory"), std::string::npos) << e.what();
  }
  fail_directory_syncs_for_test(0);
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
