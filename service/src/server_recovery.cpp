// Server's crash safety: recovery at the start (the newest valid
// checkpoint, then the log after it, each remote's queue brought up to
// date) and checkpoints while running. server.hpp says what is promised.
#include <filesystem>

#include "checkpoint.hpp"
#include "proto/checkpoint.pb.h"
#include "server.hpp"

namespace faltungd {

namespace {

std::string checkpoint_dir(const ServerOptions& o) {
  return (std::filesystem::path(o.state_dir) / "checkpoints").string();
}

state::Alert to_message(const Alert& a) {
  state::Alert m;
  for (const auto& [k, v] : a.labels) (*m.mutable_labels())[k] = v;
  for (const auto& [k, v] : a.annotations) (*m.mutable_annotations())[k] = v;
  m.set_starts_ms(a.starts_ms);
  m.set_ends_ms(a.ends_ms);
  return m;
}

Alert from_message(const state::Alert& m) {
  Alert a;
  a.labels.insert(m.labels().begin(), m.labels().end());
  a.annotations.insert(m.annotations().begin(), m.annotations().end());
  a.starts_ms = m.starts_ms();
  a.ends_ms = m.ends_ms();
  return a;
}

}  // namespace

std::string Server::log_damage(const std::string& which, Counter& damaged, Counter& covered, const WalReplay& report) {
  damaged.add(static_cast<std::int64_t>(report.damaged_spans));
  covered.add(static_cast<std::int64_t>(report.damaged_covered_spans));
  std::string said;
  for (const auto& d : report.damage) said += which + ": passed over a damaged record: " + d + "; ";
  for (const auto& k : report.kept_aside) said += which + ": damaged segment kept for inspection: " + k + "; ";
  return said;
}

std::string Server::recover() {
  const auto loaded = load_newest_checkpoint(checkpoint_dir(options_));
  std::uint64_t from = 0;
  std::string said;
  MutexLock lock(mu_);
  counters_.checkpoints_skipped.add(static_cast<std::int64_t>(loaded.skipped.size()));
  for (const auto& s : loaded.skipped) said += "skipped " + s + "; ";
  if (loaded.checkpoint) {
    std::vector<Alert> resolved;
    for (const auto& a : loaded.checkpoint->resolved_alerts()) resolved.push_back(from_message(a));
    alerts_.add_resolved(std::move(resolved));
    const auto reset = engine_->restore(*loaded.checkpoint);
    counters_.state_resets.add(static_cast<std::int64_t>(reset.size()));
    for (const auto& name : reset) said += "pipeline " + name + " changed: its state starts empty; ";
    from = loaded.checkpoint->sequence();
    said += "checkpoint " + loaded.path + " (log position " + std::to_string(from) + "); ";
  }
  // Replay with the widest limits: these bodies were accepted once.
  Limits replay_limits;
  replay_limits.max_body_bytes = replay_limits.max_decoded_bytes = std::size_t{1} << 31;
  replay_limits.max_labels = replay_limits.max_label_name_bytes = replay_limits.max_label_value_bytes = 1 << 20;
  // Each remote's queue holds the outputs of the requests up to some
  // sequence: replay queues the outputs of the requests after it.
  std::uint64_t queued_through = UINT64_MAX, newest_queued = 0;
  for (auto& r : remotes_) {
    const auto rec = r.queue->recover();
    r.queued_through = rec.last_input_sequence;
    queued_through = std::min(queued_through, rec.last_input_sequence);
    newest_queued = std::max(newest_queued, rec.last_input_sequence);
    counters_.wal_cut_bytes.add(static_cast<std::int64_t>(rec.log.cut_bytes));
    said += log_damage("outbox of " + r.sender->target().name, counters_.outbox_damaged,
                       counters_.outbox_damaged_covered, rec.log);
  }
  const auto report = wal_.replay(from, [&](std::uint64_t sequence, std::string_view body) REQUIRES(mu_) {
    try {
      outputs_.clear();
      outputs_for_ = sequence;
      engine_->ingest(decode_remote_write(body, replay_limits), sequence > queued_through ? &outputs_ : nullptr);
      queue_outputs(sequence, outputs_, true);
      counters_.replayed.add();
    } catch (const BadRequest&) {
      counters_.replay_skipped.add();
    }
  });
  wal_.advance_to(from);
  // New requests' sequences come after every one a queue holds (the log's
  // tail may have been cut below them), so queue_outputs takes them all.
  wal_.advance_to(newest_queued);
  counters_.wal_cut_bytes.add(static_cast<std::int64_t>(report.cut_bytes));
  if (!report.cut_reason.empty()) said += "cut the log's torn tail: " + report.cut_reason + "; ";
  said += log_damage("input log", counters_.input_damaged, counters_.input_damaged_covered, report);
  applied_through_ = wal_.last_sequence();
  said += "replayed " + std::to_string(report.records) + " log records";
  ready_ = true;
  if (options_.checkpoint_seconds > 0 && !checkpointer_.joinable())
    checkpointer_ = std::thread([this] { checkpoint_loop(); });
  alerts_.start();
  for (auto& r : remotes_) r.sender->start();
  return said;
}

void Server::checkpoint_now() {
  state::Checkpoint cp;
  for (auto& r : remotes_) r.queue->flush();
  {
    MutexLock lock(mu_);
    // Outputs waiting in memory (their queue could not be written) can only
    // be made again from the log after this point: no checkpoint until
    // they are on disk.
    for (const auto& r : remotes_)
      if (r.queue->backlog_bytes() > 0) {
        counters_.checkpoints_failed.add();
        checkpoint_problems_.note("no checkpoint: outputs for remote_write " + r.sender->target().name +
                                  " wait in memory (their queue cannot be written to disk)");
        return;
      }
    cp.set_sequence(applied_through_);
    engine_->save(cp);
    // resolved alerts not delivered yet are part of the state
    alerts_.add_resolved(engine_->take_resolved());
    for (const auto& a : alerts_.unsent_resolved()) *cp.add_resolved_alerts() = to_message(a);
  }
  try {
    // The outputs of every request the checkpoint covers are queued; they
    // must be on disk before the log that could make them again is trimmed.
    for (auto& r : remotes_)
      if (!r.queue->sync()) throw std::runtime_error("remote-write queue " + r.sender->target().name + " not synced");
    write_checkpoint(checkpoint_dir(options_), cp);
    wal_.remove_through(cp.sequence());
    counters_.checkpoints_ok.add();
    MutexLock lock(mu_);
    last_checkpoint_ = std::chrono::steady_clock::now();
  } catch (const std::exception& e) {
    checkpoint_problems_.note(std::string("a checkpoint could not be written: ") + e.what());
    counters_.checkpoints_failed.add();
  }
}

void Server::checkpoint_loop() {
  MutexLock lock(stop_mu_);
  while (!stopping_) {
    lock.wait_for(stop_cv_, std::chrono::duration<double>(options_.checkpoint_seconds));
    if (stopping_) break;
    lock.unlock();
    checkpoint_now();
    lock.lock();
  }
}

}  // namespace faltungd
