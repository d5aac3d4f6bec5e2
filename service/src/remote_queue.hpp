// One remote-write receiver's outbox: the outputs of every applied write
// request, on disk in the order they were applied, until the receiver has
// taken them (docs/operations.md, "Remote-write output").
//
// Each record is the OutputBatch of one input request, snappy-compressed
// (a tenth of the bytes to checksum and write; a record alone is sent as it
// is), tagged with that request's write-ahead-log sequence: after a crash, log replay re-creates
// the outputs of the requests after the newest record here and no others,
// so nothing is lost and nothing queued twice. Records are written (not
// synced) as they are applied, and synced before each checkpoint, which is
// what lets the input log be trimmed.
//
// A record that cannot be written (disk full, I/O error) waits in memory,
// in order, and is written again with the next append or flush(); while any
// wait, the server writes no checkpoint (the log must still be able to make
// them again after a crash) and, past max_backlog_bytes, refuses writes.
//
// The receiver's position (the last record it acknowledged) is kept in a
// small file beside the log; after a crash at most the batch in flight is
// sent again (identical samples, which Prometheus-compatible receivers take
// as duplicates). Over max_bytes the oldest segments are dropped and counted
// (when_full: drop_oldest), or the server refuses writes until the queue
// drains (refuse_writes).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>

#include "mutex.hpp"
#include "wal.hpp"
#include "write_request_builder.hpp"

namespace faltungd {

class RemoteQueue {
 public:
  RemoteQueue(std::string dir, std::uint64_t max_bytes, bool drop_when_full);

  // Reads the queue back, cutting a torn tail, and the receiver's position.
  struct Recovered {
    // The input-log sequence of the newest record (0: none): replayed
    // requests up to it have their outputs here already.
    std::uint64_t last_input_sequence = 0;
    WalReplay log;  // what replay cut or passed over
  };
  Recovered recover();

  // The apply thread: an input request's outputs. A request's outputs may
  // come in parts (OutputBatch's spill): every part but the last with
  // complete = false. Recovery counts a request as queued only once its
  // complete part is here; the parts of one cut short by a crash are sent,
  // and replay queues all its outputs again (the same values: repeats).
  void append(std::uint64_t input_sequence, const OutputBatch& outputs, bool complete = true);
  // Writes the records waiting in memory; true if none is left waiting.
  bool flush();
  // Bytes of records waiting in memory to be written (0: all on disk).
  std::uint64_t backlog_bytes() const;
  static constexpr std::uint64_t max_backlog_bytes = 64 << 20;
  // Over max_bytes (with when_full: refuse_writes the server answers 503).
  bool full() const;
  // Makes every record written so far durable (before a checkpoint); false
  // if the disk would not.
  bool sync();

  // The sender: records after the receiver's position, joined into one
  // WriteRequest of about max_samples (at least one record), as the
  // snappy-compressed body to post. Waits up to `wait` for one; false if
  // none came (or wake() was called).
  struct Batch {
    std::string body;
    std::int64_t samples = 0;
    std::uint64_t last = 0;  // the last record in it
    bool empty() const { return samples == 0 && last == 0; }
    void clear() {  // keeps the body's buffer
      body.clear();
      samples = 0;
      last = 0;
    }
  };
  bool next(std::int64_t max_samples, Batch& out, std::chrono::duration<double> wait);
  // The receiver took the batch (or refused it for good): the position
  // moves past it, is saved, and segments wholly behind it are removed.
  void acknowledge(const Batch& batch);
  void wake();

  struct Stats {
    std::int64_t pending_samples = 0;  // queued (on disk or waiting to be written), not acknowledged
    std::uint64_t backlog_bytes = 0;   // waiting in memory to be written
    std::int64_t dropped_samples = 0;  // removed unsent (queue full)
    std::uint64_t bytes = 0;           // on disk
    double lag_seconds = 0;            // sample time from the oldest pending record to the newest queued
  };
  Stats stats() const;

  // Test hook: the next write fails as on a full disk.
  void fail_next_write_for_test() { log_.fail_next_sync_for_test(); }

 private:
  void save_position(std::uint64_t position);
  bool flush_locked() REQUIRES(write_mu_);
  bool write(const std::string& record, std::int64_t samples, std::int64_t min_ms, std::int64_t max_ms);

  std::string dir_;
  std::uint64_t max_bytes_;
  bool drop_when_full_;
  Wal log_;
  Wal::Cursor cursor_;  // the sender's read position

  mutable Mutex mu_;
  std::condition_variable cv_;
  struct Entry {
    std::uint64_t sequence;
    std::int64_t samples, min_ms;
  };
  std::deque<Entry> pending_ GUARDED_BY(mu_);  // records after the acknowledged position
  std::int64_t pending_samples_ GUARDED_BY(mu_) = 0, dropped_samples_ GUARDED_BY(mu_) = 0;
  std::int64_t newest_ms_ GUARDED_BY(mu_) = INT64_MIN;
  std::uint64_t acknowledged_ GUARDED_BY(mu_) = 0;  // the receiver's position (a log sequence)
  std::uint64_t written_ GUARDED_BY(mu_) = 0;       // the newest record written
  bool woken_ GUARDED_BY(mu_) = false;

  Mutex write_mu_;  // append() and flush() write in order
  struct Waiting {
    std::string record;
    std::int64_t samples, min_ms, max_ms;
  };
  std::deque<Waiting> backlog_ GUARDED_BY(write_mu_);
  std::string record_ GUARDED_BY(write_mu_);          // the record being written
  std::string compressed_ GUARDED_BY(write_mu_);      // its compressed outputs
  std::uint64_t parts_of_ GUARDED_BY(write_mu_) = 0;  // the input sequence whose first parts were appended
  std::string joined_;                                // the sender's uncompressed WriteRequest of several records
  std::atomic<std::uint64_t> backlog_bytes_{0};
  std::atomic<std::int64_t> backlog_samples_{0};
};

}  // namespace faltungd
