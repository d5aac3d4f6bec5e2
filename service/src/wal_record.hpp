// The write-ahead log's record format, and how a segment that may be
// damaged is read back.
//
// A record is [u32 payload bytes][u32 CRC-32 of sequence and payload][u64
// sequence][payload], little-endian. Sequences rise through a log.
//
// scan_segment() reads a segment's bytes. A record that fails a check (a
// length past the end or above the cap, a checksum that does not match, a
// sequence that does not rise) starts a damaged span; the scan looks for the
// next offset where a whole record holds (its checksum matches and its
// sequence lies a little above the last good one) and goes on from there.
// So one flipped byte costs the record it is in, not the log behind it. A
// span with no good record after it runs to the end of the segment; if it is
// only an unfinished record or zeros (a crash mid-write), it is a torn tail.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace faltungd {

constexpr std::size_t kWalHeaderBytes = 16;

struct WalRecordHeader {
  std::uint64_t length;
  std::uint32_t crc;
  std::uint64_t sequence;
};

WalRecordHeader wal_header_at(const char* bytes);
std::uint32_t wal_checksum(std::uint64_t sequence, std::string_view payload);
void append_wal_record(std::string& out, std::uint64_t sequence, std::string_view payload);

struct WalScannedRecord {
  std::uint64_t offset;
  std::uint64_t sequence;
  std::string_view payload;  // into the scanned bytes
};

struct WalDamagedSpan {
  std::uint64_t begin = 0, end = 0;   // bytes [begin, end) of the segment were passed over
  std::string problem;                // what the record at `begin` failed
  std::uint64_t sequence_before = 0;  // the last good record's sequence before the span (0: none)
  std::uint64_t sequence_after = 0;   // the first good record's after it (0: none in this segment)
  bool torn_tail = false;             // an unfinished last record, nothing good after it
};

struct WalSegmentScan {
  std::vector<WalScannedRecord> records;
  std::vector<WalDamagedSpan> damage;
};

// Sequences above `sequence_before` are expected; a good record found after
// damage must lie within kWalResyncWindow of the last good one, which makes
// a false match inside a payload practically impossible (2^-44 for random
// bytes before the checksum is even looked at).
constexpr std::uint64_t kWalResyncWindow = std::uint64_t{1} << 20;
WalSegmentScan scan_wal_segment(std::string_view bytes, std::uint64_t sequence_before, std::uint64_t max_record_bytes);

}  // namespace faltungd
