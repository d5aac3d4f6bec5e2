// Files written so that a crash leaves the old content or the new, never a
// part: the planner's wisdom (wisdom.hpp) and faltungd's log, checkpoints,
// positions and configuration use these, so the retry of short writes, the
// syncs and the rename live in one place.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace faltung::files {

// Writes all of `bytes` to the open descriptor fd, retrying short writes and
// EINTR. Returns "" or the error's text.
std::string write_all(int fd, std::string_view bytes);

// fsync of the directory itself, so that an entry created, renamed or
// removed in it survives a crash. Returns "" or the error's text ("open: ..."
// or "fsync: ...").
std::string sync_directory(const std::string& dir);

// prefix + the number in 20 digits + suffix: names that sort as numbers.
std::string numbered_name(std::string_view prefix, std::uint64_t number, std::string_view suffix);

// The whole content of the file at `path`. Throws Error (ErrorKind::io)
// naming the path and the reason.
std::string read_file(const std::string& path);

// Replaces the file at `path` by `bytes` whole: they are written to
// `path` + ".tmp" (with `sync`, fsynced), which is then renamed over `path`,
// so a reader or a crash sees the old content or the new. The directory is
// not synced: where the rename itself must survive a power loss, the caller
// syncs it (sync_directory). Throws Error (ErrorKind::io) naming the step,
// the path and the reason; the temporary file is removed on failure.
void replace_file(const std::string& path, std::string_view bytes, bool sync);

}  // namespace faltung::files
