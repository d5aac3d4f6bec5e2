// faltungd's directory syncs: faltung::files::sync_directory (the one file
// module, include/faltung/files.hpp), counted for
// faltungd_directory_sync_failures_total, with a hook by which the tests
// make them fail as an I/O error would.
#pragma once

#include <cstdint>
#include <string>

namespace faltungd {

// faltung::files::sync_directory, a failure counted; returns "" or the
// error's text. A failure means a new, renamed or removed entry in the
// directory may not survive a crash.
std::string sync_directory(const std::string& dir);

// Directory syncs that failed in this process (every caller's).
std::int64_t directory_sync_failures();

// Test hook: the next `count` directory syncs fail as an I/O error would.
void fail_directory_syncs_for_test(int count);

}  // namespace faltungd
