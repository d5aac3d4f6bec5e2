#include "file_util.hpp"

#include <atomic>

#include "faltung/files.hpp"

namespace faltungd {

namespace {
std::atomic<int> g_failing_directory_syncs{0};
std::atomic<std::int64_t> g_directory_sync_failures{0};

std::string sync_directory_once(const std::string& dir) {
  if (g_failing_directory_syncs.load() > 0 && g_failing_directory_syncs.fetch_sub(1) > 0)
    return "fsync: Input/output error (made by a test)";
  return faltung::files::sync_directory(dir);
}
}  // namespace

std::string sync_directory(const std::string& dir) {
  std::string error = sync_directory_once(dir);
  if (!error.empty()) g_directory_sync_failures.fetch_add(1);
  return error;
}

std::int64_t directory_sync_failures() { return g_directory_sync_failures.load(); }

void fail_directory_syncs_for_test(int count) { g_failing_directory_syncs.store(count); }

}  // namespace faltungd
