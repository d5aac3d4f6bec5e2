// File operations the write-ahead log and the checkpoints share: writing
// all of a buffer, syncing a directory (so a created, renamed or removed
// entry survives a crash), and the zero-padded numbered file names that
// sort in order.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace faltungd {

// Writes all of `bytes` to fd (retrying short writes and EINTR); returns
// "" or the error's text.
std::string write_all(int fd, std::string_view bytes);

// fsync of the directory itself; returns "" or the error's text ("open:
// ..." or "fsync: ..."). A failure means a new, renamed or removed entry
// in it may not survive a crash.
std::string sync_directory(const std::string& dir);

// prefix + the number in 20 digits + suffix: names that sort as numbers.
std::string numbered_name(std::string_view prefix, std::uint64_t number, std::string_view suffix);

// Directory syncs that failed in this process (every caller's), for
// faltungd_directory_sync_failures_total.
std::int64_t directory_sync_failures();

// Test hook: the next `count` directory syncs fail as an I/O error would.
void fail_directory_syncs_for_test(int count);

}  // namespace faltungd
