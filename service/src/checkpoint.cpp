#include "checkpoint.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "file_util.hpp"
#include "le_bytes.hpp"

namespace faltungd {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kMagic = "faltungd checkpoint 1\n";

std::string file_name(std::uint64_t sequence) { return numbered_name("checkpoint-", sequence, ".ckpt"); }

std::vector<fs::path> checkpoints_newest_first(const std::string& dir) {
  std::vector<fs::path> out;
  if (!fs::exists(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".ckpt" && e.path().filename().string().rfind("checkpoint-", 0) == 0)
      out.push_back(e.path());
  std::sort(out.rbegin(), out.rend());
  return out;
}

void write_all_and_sync(const std::string& path, const std::string& bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("checkpoint: cannot create " + path + ": " + std::strerror(errno));
  if (const std::string why = write_all(fd, bytes); !why.empty()) {
    ::close(fd);
    ::unlink(path.c_str());
    throw std::runtime_error("checkpoint: cannot write " + path + ": " + why);
  }
  if (::fsync(fd) != 0) {
    const std::string why = std::strerror(errno);
    ::close(fd);
    ::unlink(path.c_str());
    throw std::runtime_error("checkpoint: cannot sync " + path + ": " + why);
  }
  ::close(fd);
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
  const std::string temp_path = final_path + ".tmp";
  write_all_and_sync(temp_path, bytes);
  if (::rename(temp_path.c_str(), final_path.c_str()) != 0)
    throw std::runtime_error("checkpoint: cannot rename " + temp_path + ": " + std::strerror(errno));
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
    std::ifstream in(path, std::ios::binary);
    const std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::string problem;
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
