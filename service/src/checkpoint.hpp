// Checkpoint files: the pipelines' state tagged with the write-ahead-log
// position it covers. Written to a temporary file, synced, renamed over,
// and the directory synced: a crash leaves the old checkpoint or the new
// one, never half of one. Each file holds a magic line, the CRC-32 and
// length of the payload, then the payload (checkpoint.proto); a file that
// fails any check is skipped (and reported), never trusted.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "proto/checkpoint.pb.h"

namespace faltungd {

// Writes checkpoint-<sequence>.ckpt into dir and removes all but the
// newest `keep`. Throws std::runtime_error on an I/O failure (the previous
// checkpoints stay).
void write_checkpoint(const std::string& dir, const state::Checkpoint& checkpoint, int keep = 2);

struct LoadedCheckpoint {
  std::optional<state::Checkpoint> checkpoint;  // the newest valid one
  std::string path;
  std::vector<std::string> skipped;  // "path: reason" for each damaged newer file
};

LoadedCheckpoint load_newest_checkpoint(const std::string& dir);

}  // namespace faltungd
