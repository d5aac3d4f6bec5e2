#include "wal_record.hpp"

#include <zlib.h>

#include "le_bytes.hpp"

namespace faltungd {

WalRecordHeader wal_header_at(const char* bytes) {
  return {get_le(bytes, 4), static_cast<std::uint32_t>(get_le(bytes + 4, 4)), get_le(bytes + 8, 8)};
}

std::uint32_t wal_checksum(std::uint64_t sequence, std::string_view payload) {
  std::string seq;
  put_le(seq, sequence, 8);
  uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(seq.data()), 8);
  crc = crc32(crc, reinterpret_cast<const Bytef*>(payload.data()), static_cast<uInt>(payload.size()));
  return static_cast<std::uint32_t>(crc);
}

void append_wal_record(std::string& out, std::uint64_t sequence, std::string_view payload) {
  put_le(out, payload.size(), 4);
  put_le(out, wal_checksum(sequence, payload), 4);
  put_le(out, sequence, 8);
  out.append(payload);
}

namespace {

// Why the record at `at` is not a good record after `last` (empty: it is).
// `torn` says the record runs past the end of the bytes.
std::string record_problem(std::string_view bytes, std::size_t at, std::uint64_t last, std::uint64_t max_record_bytes,
                           bool* torn) {
  *torn = false;
  if (bytes.size() - at < kWalHeaderBytes) {
    *torn = true;
    return "a torn record header";
  }
  const auto [length, crc, sequence] = wal_header_at(bytes.data() + at);
  if (length > max_record_bytes) return "a record length of " + std::to_string(length) + " bytes";
  if (bytes.size() - at - kWalHeaderBytes < length) {
    *torn = true;
    return "a torn record";
  }
  if (sequence <= last) return "sequence " + std::to_string(sequence) + " after " + std::to_string(last);
  if (wal_checksum(sequence, bytes.substr(at + kWalHeaderBytes, length)) != crc)
    return "a record whose checksum does not match";
  return {};
}

// The first offset from `from` at which a good record lies whose sequence
// is within the resync window above `last`; bytes.size() if none.
std::size_t next_good_record(std::string_view bytes, std::size_t from, std::uint64_t last,
                             std::uint64_t max_record_bytes) {
  for (std::size_t at = from; at + kWalHeaderBytes <= bytes.size(); ++at) {
    const auto [length, crc, sequence] = wal_header_at(bytes.data() + at);
    // The cheap checks first: the checksum is computed only for a
    // plausible header.
    if (sequence <= last || sequence - last > kWalResyncWindow) continue;
    if (length > max_record_bytes || bytes.size() - at - kWalHeaderBytes < length) continue;
    if (wal_checksum(sequence, bytes.substr(at + kWalHeaderBytes, length)) == crc) return at;
  }
  return bytes.size();
}

// A file system may leave zeros where a crash cut a write short.
bool only_zeros(std::string_view bytes) { return bytes.find_first_not_of('\0') == std::string_view::npos; }

}  // namespace

WalSegmentScan scan_wal_segment(std::string_view bytes, std::uint64_t sequence_before, std::uint64_t max_record_bytes) {
  WalSegmentScan scan;
  std::uint64_t last = sequence_before;
  std::size_t at = 0;
  while (at < bytes.size()) {
    bool torn = false;
    std::string problem = record_problem(bytes, at, last, max_record_bytes, &torn);
    if (problem.empty()) {
      const auto header = wal_header_at(bytes.data() + at);
      scan.records.push_back({at, header.sequence, bytes.substr(at + kWalHeaderBytes, header.length)});
      last = header.sequence;
      at += kWalHeaderBytes + header.length;
      continue;
    }
    WalDamagedSpan span;
    span.begin = at;
    span.problem = std::move(problem);
    span.sequence_before = last;
    const std::size_t next = next_good_record(bytes, at + 1, last, max_record_bytes);
    span.end = next;
    if (next < bytes.size())
      span.sequence_after = wal_header_at(bytes.data() + next).sequence;
    else
      span.torn_tail = torn || only_zeros(bytes.substr(at));
    scan.damage.push_back(std::move(span));
    at = next;
  }
  return scan;
}

}  // namespace faltungd
