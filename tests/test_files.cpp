// faltung::files (include/faltung/files.hpp): whole-or-nothing replacement,
// reads, syncs and numbered names, on real files in a fresh folder.
#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "faltung/errors.hpp"
#include "faltung/files.hpp"
#include "support/expect_error.hpp"

namespace faltung::test {
namespace {

namespace fs = std::filesystem;

// A folder of its own under gtest's temporary directory, removed after.
class FilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ("faltung-files-" + std::to_string(::getpid()) + "-" +
                                             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  fs::path dir_;
};

TEST_F(FilesTest, ReplaceThenReadGivesTheNewContentAndLeavesNoTemporary) {
  const std::string file = path("wisdom.txt");
  files::replace_file(file, "first\n", /*sync=*/true);
  EXPECT_EQ(files::read_file(file), "first\n");
  std::string big(300000, 'x');  // more than one read(2) of the reader's buffer
  big[123457] = '\0';            // and bytes, not text
  files::replace_file(file, big, /*sync=*/false);
  EXPECT_EQ(files::read_file(file), big);
  EXPECT_FALSE(fs::exists(file + ".tmp"));
  files::replace_file(file, "", /*sync=*/true);
  EXPECT_EQ(files::read_file(file), "");
}

TEST_F(FilesTest, AFailedReplaceLeavesWhatWasThereAndNamesTheStep) {
  // The rename cannot go over a folder of that name: the step is named and
  // the temporary removed.
  const std::string folder = path("taken");
  fs::create_directories(fs::path(folder) / "inside");
  expect_error_mentioning([&] { files::replace_file(folder, "new", true); },
                          "cannot rename " + folder + ".tmp to " + folder);
  EXPECT_FALSE(fs::exists(folder + ".tmp"));
  EXPECT_TRUE(fs::is_directory(fs::path(folder) / "inside"));
  // No such folder: the temporary cannot be created.
  const std::string nowhere = path("missing/file.txt");
  expect_error_mentioning([&] { files::replace_file(nowhere, "new", true); }, "cannot create " + nowhere + ".tmp");
  try {
    files::replace_file(nowhere, "new", true);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::io);
  }
}

TEST_F(FilesTest, ReadingWhatIsNotThereNamesThePath) {
  const std::string missing = path("nothing.txt");
  expect_error_mentioning([&] { (void)files::read_file(missing); }, "cannot read " + missing + ": No such file");
  expect_error_mentioning([&] { (void)files::read_file(dir_.string()); }, "cannot read " + dir_.string());
}

TEST_F(FilesTest, WriteAllWritesEveryByteAndSaysWhyNot) {
  const std::string file = path("log");
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  const std::string bytes(1 << 20, 'a');
  EXPECT_EQ(files::write_all(fd, bytes), "");
  ::close(fd);
  EXPECT_EQ(files::read_file(file), bytes);
  const int read_only = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  EXPECT_EQ(files::write_all(read_only, "b"), "Bad file descriptor");
  ::close(read_only);
}

TEST_F(FilesTest, DirectorySyncSaysWhyNot) {
  EXPECT_EQ(files::sync_directory(dir_.string()), "");
  EXPECT_EQ(files::sync_directory(path("missing")).rfind("open: ", 0), 0u);
}

TEST(Files, NumberedNamesSortAsTheirNumbers) {
  EXPECT_EQ(files::numbered_name("checkpoint-", 42, ".ckpt"), "checkpoint-00000000000000000042.ckpt");
  EXPECT_LT(files::numbered_name("", 9, ".wal"), files::numbered_name("", 10, ".wal"));
  EXPECT_EQ(files::numbered_name("", UINT64_MAX, ""), "18446744073709551615");
}

}  // namespace
}  // namespace faltung::test
