#include "wal.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "faltung/files.hpp"
#include "file_util.hpp"
#include "wal_record.hpp"

namespace faltungd {

namespace fs = std::filesystem;

namespace {

std::runtime_error io_error(const std::string& what, const std::string& path) {
  return std::runtime_error("write-ahead log: " + what + " " + path + ": " + std::strerror(errno));
}

std::string segment_name(std::uint64_t first_sequence) {
  return faltung::files::numbered_name("", first_sequence, ".wal");
}

}  // namespace

Wal::Wal(Options options) : options_(std::move(options)) { fs::create_directories(options_.dir); }

Wal::~Wal() {
  if (fd_ >= 0) ::close(fd_);
}

namespace {

// Keeps a copy of a damaged segment in <dir>/damaged/ (once: a copy is
// never rewritten). Returns what was done, for the report.
std::string keep_aside(const std::string& dir, const std::string& segment_path) {
  const fs::path aside = fs::path(dir) / "damaged";
  const fs::path copy = aside / fs::path(segment_path).filename();
  std::error_code error;
  fs::create_directories(aside, error);
  if (!error && !fs::exists(copy, error)) fs::copy_file(segment_path, copy, error);
  if (error) return "could not keep a copy of " + segment_path + " in " + aside.string() + ": " + error.message();
  return copy.string();
}

}  // namespace

WalReplay Wal::replay(std::uint64_t after, const std::function<void(std::uint64_t, std::string_view)>& apply) {
  MutexLock lock(mu_);
  WalReplay report;
  std::vector<Segment> found;
  for (const auto& entry : fs::directory_iterator(options_.dir)) {
    const auto name = entry.path().filename().string();
    if (entry.path().extension() != ".wal" || name.size() != 24 || !entry.is_regular_file()) continue;
    found.push_back({std::stoull(name.substr(0, 20)), entry.path().string(), entry.file_size(), {}});
  }
  std::sort(found.begin(), found.end(),
            [](const Segment& a, const Segment& b) { return a.first_sequence < b.first_sequence; });
  std::uint64_t last = 0;
  bool newest_damaged = false;
  for (std::size_t i = 0; i < found.size(); ++i) {
    Segment& segment = found[i];
    const bool newest = i + 1 == found.size();
    // The last sequence this segment can hold (the next one's first - 1).
    const std::uint64_t through = newest ? UINT64_MAX : found[i + 1].first_sequence - 1;
    if (segment.first_sequence > 0) last = std::max(last, segment.first_sequence - 1);
    if (through <= after) {  // the checkpoint covers all of it: not read
      last = std::max(last, through);
      continue;
    }
    // A segment that cannot be read stops the replay (faltung::Error naming
    // it): read as empty, its acknowledged records would be lost unsaid.
    const std::string data = faltung::files::read_file(segment.path);
    const auto scan = scan_wal_segment(data, last, options_.max_record_bytes);
    for (const auto& record : scan.records) {
      last = record.sequence;
      if (record.sequence > after) {
        apply(record.sequence, record.payload);
        ++report.records;
      }
    }
    bool damaged = false;
    for (const auto& span : scan.damage) {
      const std::string where = segment.path + ": " + span.problem + " at byte " + std::to_string(span.begin);
      if (span.torn_tail && newest) {
        report.cut_reason = where;
        report.cut_bytes += span.end - span.begin;
        if (::truncate(segment.path.c_str(), static_cast<off_t>(span.begin)) != 0)
          throw io_error("cannot cut", segment.path);
        segment.bytes = span.begin;
        continue;
      }
      damaged = true;
      const std::uint64_t span_through = span.sequence_after ? span.sequence_after - 1 : through;
      ++(span_through <= after ? report.damaged_covered_spans : report.damaged_spans);
      report.damaged_bytes += span.end - span.begin;
      report.damage.push_back(where + " (" + std::to_string(span.end - span.begin) + " bytes passed over" +
                              (span_through <= after ? ", all covered by the checkpoint)" : ")"));
      segment.damaged.emplace_back(span.begin, span.end);
    }
    if (damaged) {
      report.kept_aside.push_back(keep_aside(options_.dir, segment.path));
      newest_damaged = newest;
    }
  }
  report.last_sequence = last;
  segments_ = found;
  next_sequence_ = last + 1;
  done_through_ = last;
  old_bytes_ = 0;
  for (std::size_t i = 0; i + 1 < segments_.size(); ++i) old_bytes_ += segments_[i].bytes;
  if (segments_.empty() || newest_damaged) {
    // A damaged newest segment is not written to again: a new one starts,
    // named above it.
    if (!segments_.empty()) {
      next_sequence_ = std::max(next_sequence_, segments_.back().first_sequence + 1);
      old_bytes_ += segments_.back().bytes;
    }
    open_segment(next_sequence_);
  } else {
    fd_ = ::open(segments_.back().path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd_ < 0) throw io_error("cannot open", segments_.back().path);
    file_bytes_ = segments_.back().bytes;
  }
  return report;
}

void Wal::open_segment(std::uint64_t first_sequence) {
  const std::string path = (fs::path(options_.dir) / segment_name(first_sequence)).string();
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) throw io_error("cannot create", path);
  // Until the directory is synced the new segment's name may not survive a
  // crash: no batch written to it counts as durable before (write_batch
  // tries again).
  directory_unsynced_ = !sync_directory(options_.dir).empty();
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
  file_bytes_ = 0;
  segments_.push_back({first_sequence, path, 0, {}});
}

std::uint64_t Wal::append(std::string_view payload) {
  MutexLock lock(mu_);
  const std::uint64_t sequence = next_sequence_++;
  append_wal_record(pending_, sequence, payload);
  if (!pending_first_) pending_first_ = sequence;
  pending_last_ = sequence;
  return sequence;
}

bool Wal::write_batch(const std::string& bytes, std::uint64_t first_sequence) {
  // Called by the one leader; the segment list is shared, so changes to it
  // are made under the lock.
  if (file_bytes_ > 0 && file_bytes_ + bytes.size() > options_.segment_bytes) {
    if (options_.sync_each_batch) ::fdatasync(fd_);
    MutexLock lock(mu_);
    if (!options_.sync_each_batch) unsynced_.push_back(segments_.back().path);
    old_bytes_ += file_bytes_;
    segments_.back().bytes = file_bytes_;
    open_segment(first_sequence);
  }
  bool ok = !fail_next_;
  std::string error = fail_next_ ? "a failure made by a test" : "";
  fail_next_ = false;
  if (ok) {
    if (const std::string why = faltung::files::write_all(fd_, bytes); !why.empty()) {
      ok = false;
      error = "write: " + why;
    }
  }
  if (ok && options_.sync_each_batch && ::fdatasync(fd_) != 0) {
    ok = false;
    error = std::string("fdatasync: ") + std::strerror(errno);
  }
  if (ok && directory_unsynced_) {
    if (const std::string why = sync_directory(options_.dir); !why.empty()) {
      ok = false;
      error = "the directory " + options_.dir + ": " + why;
    } else {
      directory_unsynced_ = false;
    }
  }
  if (!ok) {
    {
      MutexLock lock(mu_);
      last_write_error_ = segments_.back().path + ": " + error;
    }
    // Nothing of a failed batch may come back at replay: cut it off.
    if (::ftruncate(fd_, static_cast<off_t>(file_bytes_)) != 0) return false;
    ::fdatasync(fd_);
    return false;
  }
  MutexLock lock(mu_);
  file_bytes_ += bytes.size();
  segments_.back().bytes = file_bytes_;
  return true;
}

bool Wal::wait_durable(std::uint64_t sequence) {
  MutexLock lock(mu_);
  while (done_through_ < sequence) {
    if (syncing_) {
      lock.wait(cv_);
      continue;
    }
    // Lead: write and sync everything pending, for every waiter at once.
    // The batch leaves with pending_'s bytes; pending_ goes on in the
    // spare buffer (large buffers are reused, not allocated per batch).
    std::string batch;
    batch.swap(pending_);
    pending_.swap(spare_);
    const std::uint64_t first = pending_first_, last = pending_last_;
    pending_first_ = pending_last_ = 0;
    syncing_ = true;
    lock.unlock();
    const bool ok = batch.empty() || write_batch(batch, first);
    lock.lock();
    batch.clear();
    spare_.swap(batch);
    syncing_ = false;
    if (!ok) failed_.push_back({first, last});
    done_through_ = std::max(done_through_, last);
    cv_.notify_all();
  }
  for (const auto& [first, last] : failed_)
    if (first <= sequence && sequence <= last) return false;
  return true;
}

void Wal::remove_through(std::uint64_t through) {
  MutexLock lock(mu_);
  while (segments_.size() > 1 && segments_[1].first_sequence - 1 <= through) {
    fs::remove(segments_.front().path);
    std::erase(unsynced_, segments_.front().path);
    old_bytes_ -= segments_.front().bytes;
    segments_.erase(segments_.begin());
  }
  failed_.erase(std::remove_if(failed_.begin(), failed_.end(), [&](const auto& f) { return f.second <= through; }),
                failed_.end());
  sync_directory(options_.dir);
}

std::uint64_t Wal::remove_oldest() {
  MutexLock lock(mu_);
  if (segments_.size() < 2) return 0;
  const std::uint64_t last = segments_[1].first_sequence - 1;
  fs::remove(segments_.front().path);
  std::erase(unsynced_, segments_.front().path);
  old_bytes_ -= segments_.front().bytes;
  segments_.erase(segments_.begin());
  return last;
}

bool Wal::sync() {
  std::vector<std::string> closed;
  int current = -1;
  {
    // dup: the writer may move to a new segment (closing fd_) meanwhile
    MutexLock lock(mu_);
    closed.swap(unsynced_);
    if (fd_ >= 0) current = ::dup(fd_);
  }
  bool ok = true;
  for (const auto& path : closed) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;  // removed meanwhile
    ok = ::fdatasync(fd) == 0 && ok;
    ::close(fd);
  }
  if (current >= 0) {
    ok = ::fdatasync(current) == 0 && ok;
    ::close(current);
  }
  if (!ok) {  // try them again next time
    MutexLock lock(mu_);
    unsynced_.insert(unsynced_.end(), closed.begin(), closed.end());
  }
  return ok;
}

std::size_t Wal::read(Cursor& cursor, const std::function<bool(std::uint64_t, std::string_view)>& take) const {
  std::vector<Segment> segments;
  {
    MutexLock lock(mu_);
    segments = segments_;
    if (!segments.empty()) segments.back().bytes = file_bytes_;  // written, whole records only
  }
  if (segments.empty()) return 0;
  // The segment holding the record after the cursor: the hinted one if it
  // is still there, else the newest that starts at or before it (the
  // oldest if the records after the cursor were removed).
  std::size_t i = 0;
  while (i + 1 < segments.size() && segments[i + 1].first_sequence <= cursor.after + 1) ++i;
  if (segments[i].first_sequence != cursor.segment) {
    cursor.segment = segments[i].first_sequence;
    cursor.offset = 0;
  }
  std::size_t taken = 0;
  thread_local std::string payload;  // a reader's buffer, reused call after call
  for (;;) {
    const Segment& seg = segments[i];
    const int fd = cursor.offset < seg.bytes ? ::open(seg.path.c_str(), O_RDONLY | O_CLOEXEC) : -1;
    bool more = fd >= 0;
    while (more) {
      for (const auto& [begin, end] : seg.damaged)  // found at replay: passed over
        if (begin <= cursor.offset && cursor.offset < end) cursor.offset = end;
      if (cursor.offset + kWalHeaderBytes > seg.bytes) break;
      char header[kWalHeaderBytes];
      if (::pread(fd, header, kWalHeaderBytes, static_cast<off_t>(cursor.offset)) !=
          static_cast<ssize_t>(kWalHeaderBytes))
        break;
      const auto [length, crc, sequence] =
          wal_header_at(header);  // written by this process or checked at replay: crc unused
      if (cursor.offset + kWalHeaderBytes + length > seg.bytes) break;
      if (sequence > cursor.after) {
        payload.resize(length);
        if (::pread(fd, payload.data(), length, static_cast<off_t>(cursor.offset + kWalHeaderBytes)) !=
            static_cast<ssize_t>(length))
          break;
        if (!take(sequence, payload)) {
          more = false;
          break;
        }
        cursor.after = sequence;
        ++taken;
      }
      cursor.offset += kWalHeaderBytes + length;
    }
    if (fd >= 0) ::close(fd);
    if (!more && fd >= 0) return taken;
    if (cursor.offset < seg.bytes || i + 1 == segments.size()) return taken;  // unreadable now, or the end
    ++i;
    cursor.segment = segments[i].first_sequence;
    cursor.offset = 0;
  }
}

void Wal::advance_to(std::uint64_t sequence) {
  MutexLock lock(mu_);
  if (next_sequence_ <= sequence) next_sequence_ = sequence + 1;
  done_through_ = std::max(done_through_, sequence);
}

std::string Wal::last_write_error() const {
  MutexLock lock(mu_);
  return last_write_error_;
}

std::uint64_t Wal::bytes_on_disk() const {
  MutexLock lock(mu_);
  return old_bytes_ + file_bytes_;
}

std::uint64_t Wal::segments() const {
  MutexLock lock(mu_);
  return segments_.size();
}

std::uint64_t Wal::last_sequence() const {
  MutexLock lock(mu_);
  return next_sequence_ - 1;
}

}  // namespace faltungd
