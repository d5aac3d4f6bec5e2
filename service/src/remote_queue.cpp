#include "remote_queue.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "faltung/errors.hpp"
#include "faltung/files.hpp"
#include "le_bytes.hpp"

#include <snappy.h>

namespace faltungd {

namespace {

// A record: [u64 input sequence][u32 samples][u8 complete][i64 first ms]
// [i64 last ms][snappy-compressed WriteRequest bytes].
constexpr std::size_t kRecordHeader = 29;

struct RecordHeader {
  std::uint64_t input_sequence;
  std::int64_t samples;
  bool complete;  // the request's last part
  std::int64_t min_ms, max_ms;
};

RecordHeader header_of(std::string_view payload) {
  if (payload.size() < kRecordHeader) return {0, 0, false, 0, 0};
  return {get_le(payload.data(), 8), static_cast<std::int64_t>(get_le(payload.data() + 8, 4)), payload[12] != 0,
          static_cast<std::int64_t>(get_le(payload.data() + 13, 8)),
          static_cast<std::int64_t>(get_le(payload.data() + 21, 8))};
}

constexpr const char* kPositionMagic = "faltungd-outbox-position 1";

// Segments small enough that dropping the oldest frees a fraction of the
// cap, large enough that a busy queue does not churn files.
std::uint64_t segment_bytes_for(std::uint64_t max_bytes) {
  return std::clamp<std::uint64_t>(max_bytes / 8, 1 << 20, 64 << 20);
}

}  // namespace

RemoteQueue::RemoteQueue(std::string dir, std::uint64_t max_bytes, bool drop_when_full)
    : dir_(std::move(dir)),
      max_bytes_(max_bytes),
      drop_when_full_(drop_when_full),
      log_({dir_, segment_bytes_for(max_bytes), 1u << 30, /*sync_each_batch=*/false}) {}

RemoteQueue::Recovered RemoteQueue::recover() {
  MutexLock lock(mu_);
  // A missing or damaged position file means position 0: everything still
  // queued is sent again (receivers take repeated samples as duplicates).
  acknowledged_ = 0;
  {
    std::ifstream in(std::filesystem::path(dir_) / "position");
    std::string magic;
    std::uint64_t at = 0;
    if (std::getline(in, magic) && magic == kPositionMagic && (in >> at)) acknowledged_ = at;
  }
  Recovered out;
  pending_.clear();
  pending_samples_ = 0;
  const auto report = log_.replay(0, [&](std::uint64_t sequence, std::string_view payload) REQUIRES(mu_) {
    const auto h = header_of(payload);
    if (h.complete) out.last_input_sequence = std::max(out.last_input_sequence, h.input_sequence);
    newest_ms_ = std::max(newest_ms_, h.max_ms);
    if (sequence > acknowledged_ && h.samples > 0) {
      pending_.push_back({sequence, h.samples, h.min_ms});
      pending_samples_ += h.samples;
    }
  });
  out.log = report;
  log_.advance_to(acknowledged_);
  log_.remove_through(acknowledged_);
  written_ = log_.last_sequence();
  cursor_ = Wal::Cursor{acknowledged_, 0, 0};
  return out;
}

void RemoteQueue::append(std::uint64_t input_sequence, const OutputBatch& outputs, bool complete) {
  MutexLock order(write_mu_);
  // An empty batch needs no record, unless it closes a request whose
  // first parts are here.
  const bool closes_parts = complete && parts_of_ == input_sequence;
  if (outputs.samples == 0 && !closes_parts) return;
  parts_of_ = complete ? 0 : input_sequence;
  std::string& record = record_;  // reused: a request's outputs can be megabytes
  record.clear();
  put_le(record, input_sequence, 8);
  put_le(record, static_cast<std::uint64_t>(outputs.samples), 4);
  record += static_cast<char>(complete ? 1 : 0);
  put_le(record, static_cast<std::uint64_t>(outputs.min_ms), 8);
  put_le(record, static_cast<std::uint64_t>(outputs.max_ms), 8);
  snappy::Compress(outputs.write_request.data(), outputs.write_request.size(), &compressed_);
  record.append(compressed_);
  if (backlog_.empty() && write(record, outputs.samples, outputs.min_ms, outputs.max_ms)) return;
  backlog_bytes_ += record.size();
  backlog_samples_ += outputs.samples;
  backlog_.push_back({record, outputs.samples, outputs.min_ms, outputs.max_ms});
  if (backlog_.size() == 1) return;  // it just failed: the next append or flush tries again
  flush_locked();
}

bool RemoteQueue::flush() {
  MutexLock order(write_mu_);
  return flush_locked();
}

bool RemoteQueue::flush_locked() {
  while (!backlog_.empty()) {
    const auto& w = backlog_.front();
    if (!write(w.record, w.samples, w.min_ms, w.max_ms)) return false;
    backlog_bytes_ -= w.record.size();
    backlog_samples_ -= w.samples;
    backlog_.pop_front();
  }
  return true;
}

std::uint64_t RemoteQueue::backlog_bytes() const { return backlog_bytes_; }

bool RemoteQueue::write(const std::string& record, std::int64_t samples, std::int64_t min_ms, std::int64_t max_ms) {
  const std::uint64_t sequence = log_.append(record);
  if (!log_.wait_durable(sequence)) return false;  // written (not synced: sync_each_batch off), or cut back
  MutexLock lock(mu_);
  if (samples > 0) {  // (a record closing a request's parts may hold none)
    pending_.push_back({sequence, samples, min_ms});
    pending_samples_ += samples;
    newest_ms_ = std::max(newest_ms_, max_ms);
  }
  written_ = sequence;
  while (drop_when_full_ && log_.bytes_on_disk() > max_bytes_) {
    const std::uint64_t through = log_.remove_oldest();
    if (through == 0) break;  // only the segment being written is left
    while (!pending_.empty() && pending_.front().sequence <= through) {
      dropped_samples_ += pending_.front().samples;
      pending_samples_ -= pending_.front().samples;
      pending_.pop_front();
    }
    acknowledged_ = std::max(acknowledged_, through);
  }
  cv_.notify_all();
  return true;
}

bool RemoteQueue::full() const { return log_.bytes_on_disk() > max_bytes_; }

bool RemoteQueue::sync() { return log_.sync(); }

bool RemoteQueue::next(std::int64_t max_samples, Batch& out, std::chrono::duration<double> wait) {
  out.clear();
  {
    MutexLock lock(mu_);
    cursor_.after = std::max(cursor_.after, acknowledged_);
    lock.wait_for(cv_, wait, [&]() REQUIRES(mu_) { return woken_ || written_ > cursor_.after; });
    if (woken_ || written_ <= cursor_.after) return false;
  }
  // One record goes as it is; several are joined uncompressed (protobuf
  // reads concatenated WriteRequests as one) and compressed again. (A
  // record passed its checksum at recovery, so it decompresses; if a
  // damaged one did not, the receiver would refuse the batch with a 400.)
  int records = 0;
  std::string one;
  log_.read(cursor_, [&](std::uint64_t sequence, std::string_view payload) {
    const auto h = header_of(payload);
    if (out.samples > 0 && out.samples + h.samples > max_samples) return false;
    if (h.samples == 0) {  // closes a request's parts: nothing to send
      out.last = sequence;
      return true;
    }
    const std::string_view block = payload.substr(std::min(payload.size(), kRecordHeader));
    if (++records == 1) {
      out.body.assign(block);
    } else {
      if (records == 2) snappy::Uncompress(out.body.data(), out.body.size(), &joined_);
      snappy::Uncompress(block.data(), block.size(), &one);
      joined_.append(one);
    }
    out.samples += h.samples;
    out.last = sequence;
    return true;
  });
  if (records > 1) {
    out.body.clear();
    snappy::Compress(joined_.data(), joined_.size(), &out.body);
  }
  return !out.empty();
}

void RemoteQueue::acknowledge(const Batch& batch) {
  std::uint64_t position;
  {
    MutexLock lock(mu_);
    acknowledged_ = std::max(acknowledged_, batch.last);
    while (!pending_.empty() && pending_.front().sequence <= acknowledged_) {
      pending_samples_ -= pending_.front().samples;
      pending_.pop_front();
    }
    position = acknowledged_;
  }
  save_position(position);  // outside the lock: the apply thread takes it per request
  if (log_.segments() > 1) log_.remove_through(batch.last);
}

void RemoteQueue::save_position(std::uint64_t position) {
  // Not synced: after a power loss an older position only sends some
  // batches again. (Only the sender's thread writes it.)
  try {
    faltung::files::replace_file((std::filesystem::path(dir_) / "position").string(),
                                 std::string(kPositionMagic) + "\n" + std::to_string(position) + "\n", /*sync=*/false);
  } catch (const faltung::Error&) {
    // the position stays older: a resend, never a loss
  }
}

void RemoteQueue::wake() {
  MutexLock lock(mu_);
  woken_ = true;
  cv_.notify_all();
}

RemoteQueue::Stats RemoteQueue::stats() const {
  MutexLock lock(mu_);
  Stats s;
  s.pending_samples = pending_samples_ + backlog_samples_;
  s.backlog_bytes = backlog_bytes_;
  s.dropped_samples = dropped_samples_;
  s.bytes = log_.bytes_on_disk();
  if (!pending_.empty())
    s.lag_seconds = std::max<double>(0, static_cast<double>(newest_ms_ - pending_.front().min_ms) / 1000);
  return s;
}

}  // namespace faltungd
