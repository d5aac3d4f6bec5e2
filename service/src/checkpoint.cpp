#include "checkpoint.hpp"

#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "faltung/errors.hpp"
#include "faltung/files.hpp"
#include "file_util.hpp"
#include "le_bytes.hpp"

namespace faltungd {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kMagic = "faltungd checkpoint 1\n";

std::string file_name(std::uint64_t sequence) {
  return faltung::files::numbered_name("checkpoint-", sequence, ".ckpt");
}

std::vector<fs::path> checkpoints_newest_first(const std::string& dir) {
  std::vector<fs::path> out;
  if (!fs::exists(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".ckpt" && e.path().filename().string().rfind("checkpoint-", 0) == 0)
      out.push_back(e.path());
  std::sort(out.rbegin(), out.rend());
  return out;
}

}  // namespace

void write_checkpoint(const std::string& dir, const state::Checkpoint& checkpoint, int keep) {
  fs::create_directories(dir);
  const std::string payload = checkpoint.SerializeAsString();
  std::string bytes(kMagic);
  put_le(bytes, crc32(0L, reinterpret_cast<const Bytef*>(payload.data()), static_cast<uInt>(payload.size())), 4);
  put_le(bytes, payload.size(), 8);
  bytes += payload;
  const std::string final_path = (fs::path(dir) / file_name(checkpoint.sequence())).string();
  const std::string temp_path = final_path + ".tmp";  // replace_file's temporary
  try {
    faltung::files::replace_file(final_path, bytes, /*sync=*/true);
  } catch (const faltung::Error& e) {
    throw std::runtime_error(std::string("checkpoint: ") + e.what());
  }
  // Until the directory is synced the rename may not survive a crash: the
  // checkpoint does not count (the log it covers is kept).
  if (const std::string why = sync_directory(dir); !why.empty())
    throw std::runtime_error("checkpoint: cannot sync the directory " + dir + " after renaming " + final_path + ": " +
                             why);
  const auto all = checkpoints_newest_first(dir);
  for (std::size_t i = static_cast<std::size_t>(keep); i < all.size(); ++i) fs::remove(all[i]);
  for (const auto& e : fs::directory_iterator(dir))  // temporaries a crash left behind
    if (e.path().extension() == ".tmp" && e.path() != temp_path) fs::remove(e.path());
}

LoadedCheckpoint load_newest_checkpoint(const std::string& dir) {
  LoadedCheckpoint out;
  for (const auto& path : checkpoints_newest_first(dir)) {
    std::string data, problem;
    try {
      data = faltung::files::read_file(path.string());
    } catch (const faltung::Error& e) {
      out.skipped.push_back(e.what());
      continue;
    }
    const std::size_t header = kMagic.size() + 12;
    if (data.size() < header || data.compare(0, kMagic.size(), kMagic) != 0) {
      problem = "not a faltungd checkpoint";
    } else {
      const auto crc = get_le(data.data() + kMagic.size(), 4);
      const auto length = get_le(data.data() + kMagic.size() + 4, 8);
      if (length != data.size() - header) {
        problem = "length " + std::to_string(length) + " but " + std::to_string(data.size() - header) + " bytes";
      } else if (crc32(0L, reinterpret_cast<const Bytef*>(data.data() + header), static_cast<uInt>(length)) != crc) {
        problem = "checksum does not match";
      } else {
        state::Checkpoint c;
        if (!c.ParseFromArray(data.data() + header, static_cast<int>(length)))
          problem = "payload does not parse";
        else {
          out.checkpoint = std::move(c);
          out.path = path.string();
          return out;
        }
      }
    }
    out.skipped.push_back(path.string() + ": " + problem);
  }
  return out;
}

}  // namespace faltungd
