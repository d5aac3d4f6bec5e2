// faltungd's write-ahead log: every accepted request body is on disk
// (fdatasync) before faltungd answers 2xx, so a crash loses nothing that
// was acknowledged.
//
// Records (wal_record.hpp) are appended to segment files <first
// sequence>.wal in one directory; a new segment starts past
// `segment_bytes`. Group commit: the first writer to wait becomes the
// leader, writes everything pending and syncs once for all of them.
//
// A write that fails (disk full, I/O error) fails every record of its batch:
// the file is cut back to its last good length, wait_durable() returns
// false, and the caller answers 503 (the sender retries).
//
// replay(after) starts at the position a checkpoint covers: segments whose
// records are all <= after are not read at all. In the segments it reads, a
// damaged record costs that record alone: replay passes over it to the next
// good record, counts and names it, and keeps a copy of the segment in
// <dir>/damaged/ for inspection. A damaged segment is never rewritten; if it
// is the newest, writing goes on in a new one. Only a torn tail at the very
// end of the newest segment (a crash mid-write) is cut.
//
// The same log serves as the remote-write outbox (remote_queue.hpp) with
// sync_each_batch off: records are written (so a killed process keeps them)
// and synced only when sync() is called, and read() follows them from a
// cursor while they are appended.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "mutex.hpp"

namespace faltungd {

struct WalReplay {
  std::uint64_t records = 0;        // replayed
  std::uint64_t last_sequence = 0;  // the last valid record's (0: none)
  std::uint64_t cut_bytes = 0;      // torn tail removed from the newest segment
  std::string cut_reason;           // empty when nothing was cut
  // Damaged spans passed over, each costing the records in it: those that
  // may hold records after `after` (acknowledged data lost), and those
  // holding only records `after` already covers (nothing lost).
  std::uint64_t damaged_spans = 0;
  std::uint64_t damaged_covered_spans = 0;
  std::uint64_t damaged_bytes = 0;
  std::vector<std::string> damage;      // "path: problem at byte N (K bytes passed over)"
  std::vector<std::string> kept_aside;  // copies of damaged segments, or why one could not be made
};

class Wal {
 public:
  struct Options {
    std::string dir;
    std::uint64_t segment_bytes = 64ull << 20;
    std::uint32_t max_record_bytes = 256u << 20;  // larger lengths read back as corruption
    bool sync_each_batch = true;                  // false: wait_durable() writes without fdatasync
  };

  // Where read() goes on from: after record `after` (the position in
  // `segment` is a hint; a removed segment is found again by `after`).
  struct Cursor {
    std::uint64_t after = 0;
    std::uint64_t segment = 0;  // its first sequence
    std::uint64_t offset = 0;   // bytes into it
  };

  // Creates the directory if needed. Call replay() before the first append().
  explicit Wal(Options options);
  ~Wal();
  Wal(const Wal&) = delete;
  Wal& operator=(const Wal&) = delete;

  // Every valid record with sequence > after, in order (see above for
  // damage). Afterwards append() continues after the last valid record.
  WalReplay replay(std::uint64_t after, const std::function<void(std::uint64_t, std::string_view)>& apply);

  // Queues a record; returns its sequence (not durable yet).
  std::uint64_t append(std::string_view payload);
  // Blocks until the record is on disk (true) or its write failed (false).
  bool wait_durable(std::uint64_t sequence);

  // Removes the segments whose records all have sequences <= through (a
  // checkpoint covers them); never the segment being written.
  void remove_through(std::uint64_t through);
  // Removes the oldest segment unless it is the one being written; returns
  // the last sequence it held (0: nothing removed).
  std::uint64_t remove_oldest();
  // fdatasync of every segment written since the last sync
  // (sync_each_batch off); false if one failed.
  bool sync();

  // Calls take(sequence, payload) for the written records after the cursor,
  // in order, until take returns false (that record is not consumed) or
  // the written records run out. Returns the records taken. Safe while
  // another thread appends.
  std::size_t read(Cursor& cursor, const std::function<bool(std::uint64_t, std::string_view)>& take) const;

  // After a checkpoint newer than the log's last record: sequences go on
  // from there.
  void advance_to(std::uint64_t sequence);

  // Why the last failed write failed (the error's text), for the log.
  std::string last_write_error() const;

  std::uint64_t bytes_on_disk() const;
  std::uint64_t segments() const;
  std::uint64_t last_sequence() const;

  // Test hook: the next sync fails as a full disk would.
  void fail_next_sync_for_test() { fail_next_ = true; }

 private:
  struct Segment {
    std::uint64_t first_sequence;
    std::string path;
    std::uint64_t bytes;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> damaged;  // byte spans read() passes over
  };
  void open_segment(std::uint64_t first_sequence) REQUIRES(mu_);
  bool write_batch(const std::string& bytes, std::uint64_t first_sequence);

  Options options_;
  mutable Mutex mu_;
  std::condition_variable cv_;
  std::vector<Segment> segments_ GUARDED_BY(mu_);  // oldest first; the last is being written
  int fd_ = -1;
  std::uint64_t file_bytes_ = 0;  // of the current segment
  std::uint64_t old_bytes_ = 0;   // of the others
  std::uint64_t next_sequence_ GUARDED_BY(mu_) = 1;
  std::string pending_ GUARDED_BY(mu_);  // records not written yet
  std::string spare_;                    // a cleared buffer pending_ takes next
  std::uint64_t pending_first_ GUARDED_BY(mu_) = 0, pending_last_ GUARDED_BY(mu_) = 0;
  std::uint64_t done_through_ GUARDED_BY(mu_) = 0;  // every record <= this is durable or failed
  std::vector<std::pair<std::uint64_t, std::uint64_t>> failed_ GUARDED_BY(mu_);  // failed batches (first, last)
  std::vector<std::string> unsynced_;  // finished segments sync() has not synced (sync_each_batch off)
  bool syncing_ GUARDED_BY(mu_) = false;
  bool fail_next_ = false;
  bool directory_unsynced_ = false;  // the newest segment's name is not known durable yet
  std::string last_write_error_ GUARDED_BY(mu_);
};

}  // namespace faltungd
