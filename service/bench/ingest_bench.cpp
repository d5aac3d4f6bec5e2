// faltungd's ingest path in one process, timed: remote-write bodies of
// `series` series with `samples` samples each are decoded and applied to a
// 15-tap smoothing pipeline, request after request; then the same over HTTP
// on loopback (one client), through the write-ahead log (fdatasync per
// request: one client gives group commit nothing to group), with each
// request's latency.
//
//   ./build/service/faltungd-ingest-bench [series] [samples-per-series] [requests] [state-dir] [rate] [remote]
//   [senders]
//
// With `senders` > 1 that many clients send at once (as Prometheus' shards
// do), each its share of the requests over series of its own (so none is
// dropped as out of order); `rate` is then the total.
// With `rate` (samples per second, 0: as fast as it goes) the HTTP requests
// are paced to it, for latency at a given load (the issue's: p99 at half the
// peak). With `remote` 1 the outputs also go by remote write (through the
// queue on disk) to a receiver in this process that answers 204; the HTTP
// case then also reports when the receiver had every output.
//
// Prints JSON lines: {"case", "samples_per_second", "p50_ms", "p99_ms"}, and
// for the HTTP case the CPU seconds the server side used (the process's
// less the client threads') and samples per such second: the per-core rate.
#include <httplib.h>
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "../src/config.hpp"
#include "../src/engine.hpp"
#include "../src/remote_queue.hpp"
#include "../src/remote_write.hpp"
#include "../src/server.hpp"

namespace {

const char* kConfig = R"yaml(kernels:
  smooth15: "gaussian:sigma=2.5,radius=7"
pipelines:
  - name: smooth
    select: '{__name__=~"bench_.*"}'
    max_series: 10000000
    stages:
      - filter: smooth15
)yaml";

using Clock = std::chrono::steady_clock;

// Sender k's requests: series k*series ... (k+1)*series - 1.
std::vector<std::string> make_bodies(int series, int samples, int requests, int sender) {
  std::vector<std::string> bodies;
  for (int r = 0; r < requests; ++r) {
    std::vector<faltungd::SeriesSamples> batch;
    for (int s = 0; s < series; ++s) {
      faltungd::SeriesSamples one;
      one.labels = {{"__name__", "bench_metric"},
                    {"instance", "host-" + std::to_string(s % 1000)},
                    {"job", "bench"},
                    {"series", std::to_string(sender * series + s)}};
      for (int k = 0; k < samples; ++k) {
        const std::int64_t t = (static_cast<std::int64_t>(r) * samples + k + 1) * 1000;
        one.samples.push_back({t, static_cast<double>((s * 7919 + t / 1000 * 104729) % 1000) * 0.01});
      }
      batch.push_back(std::move(one));
    }
    bodies.push_back(faltungd::encode_remote_write(batch));
  }
  return bodies;
}

double thread_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

double process_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

void report(const char* name, int series, int samples, double seconds, std::int64_t total, std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  auto pct = [&](double p) {
    return ms.empty() ? 0.0 : ms[static_cast<std::size_t>(p * static_cast<double>(ms.size() - 1))];
  };
  std::printf(
      "{\"case\": \"%s series=%d samples=%d\", \"samples_per_second\": %.4g, \"p50_ms\": %.3f, "
      "\"p99_ms\": %.3f}\n",
      name, series, samples, static_cast<double>(total) / seconds, pct(0.5), pct(0.99));
}

}  // namespace

int main(int argc, char** argv) {
  const int series = argc > 1 ? std::atoi(argv[1]) : 1000;
  const int samples = argc > 2 ? std::atoi(argv[2]) : 10;
  const int requests = argc > 3 ? std::atoi(argv[3]) : 200;
  const bool remote = argc > 6 && std::atoi(argv[6]) != 0;
  httplib::Server sink;  // the remote-write receiver: takes every request
  sink.Post("/api/v1/write", [](const httplib::Request&, httplib::Response& res) { res.status = 204; });
  const int sink_port = sink.bind_to_any_port("127.0.0.1");
  std::thread sinking([&] { sink.listen_after_bind(); });
  const std::string remote_write =
      "remote_write:\n  - url: http://127.0.0.1:" + std::to_string(sink_port) + "/api/v1/write\n    name: sink\n";
  const auto config = faltungd::parse_config(kConfig + (remote ? remote_write : ""), "(bench)");
  const int senders = std::max(1, argc > 7 ? std::atoi(argv[7]) : 1);
  std::vector<std::vector<std::string>> per_sender;
  for (int k = 0; k < senders; ++k) per_sender.push_back(make_bodies(series, samples, requests / senders, k));
  std::vector<std::string> bodies;  // all of them, sender after sender (the in-process case)
  for (const auto& list : per_sender) bodies.insert(bodies.end(), list.begin(), list.end());
  const std::int64_t total = static_cast<std::int64_t>(series) * samples * (requests / senders) * senders;
  {
    // With remote: the outputs are also encoded and written to a queue on
    // disk (no sender): faltungd's own cost of the output path.
    const std::string queue_dir = std::string(argc > 4 ? argv[4] : "/tmp/faltungd-ingest-bench") + "-queue";
    std::filesystem::remove_all(queue_dir);
    faltungd::RemoteQueue queue(queue_dir, 64ull << 30, true);
    queue.recover();
    faltungd::Engine engine(config, remote);
    faltungd::OutputBatch outputs;
    std::vector<double> ms;
    const auto start = Clock::now();
    std::uint64_t sequence = 0;
    for (const auto& body : bodies) {
      const auto t0 = Clock::now();
      outputs.clear();
      engine.ingest(faltungd::decode_remote_write(body, {}), &outputs);
      queue.append(++sequence, outputs);
      ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    }
    report(remote ? "decode+ingest+queue" : "decode+ingest", series, samples,
           std::chrono::duration<double>(Clock::now() - start).count(), total, ms);
    std::filesystem::remove_all(queue_dir);
  }
  {
    faltungd::ServerOptions options;
    options.state_dir = argc > 4 ? argv[4] : "/tmp/faltungd-ingest-bench";
    options.checkpoint_seconds = 0;
    std::filesystem::remove_all(options.state_dir);
    faltungd::Server server(config, {}, options);
    const int port = server.bind("127.0.0.1", 0);
    std::thread serving([&] { server.run(); });
    server.recover();
    {
      httplib::Client probe("127.0.0.1", port);
      while (!probe.Get("/-/ready")) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    const double rate = argc > 5 ? std::atof(argv[5]) : 0.0;
    const double per_request = rate > 0 ? static_cast<double>(series) * samples * senders / rate : 0.0;
    std::vector<std::vector<double>> latencies(static_cast<std::size_t>(senders));
    std::atomic<bool> failed{false};
    std::atomic<double> client_cpu{0};
    const double process_cpu_before = process_cpu_seconds();
    const auto start = Clock::now();
    std::vector<std::thread> threads;
    for (int k = 0; k < senders; ++k)
      threads.emplace_back([&, k] {
        httplib::Client client("127.0.0.1", port);
        client.set_keep_alive(true);
        client.set_tcp_nodelay(true);
        const auto& mine = per_sender[static_cast<std::size_t>(k)];
        for (std::size_t i = 0; i < mine.size() && !failed; ++i) {
          if (per_request > 0)
            std::this_thread::sleep_until(
                start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                            per_request * (static_cast<double>(i) + static_cast<double>(k) / senders))));
          const auto t0 = Clock::now();
          auto r = client.Post("/api/v1/write", {{"Content-Encoding", "snappy"}}, mine[i], "application/x-protobuf");
          if (!r || r->status != 204) {
            std::fprintf(stderr, "request failed: %s\n", r ? std::to_string(r->status).c_str() : "no answer");
            failed = true;
          }
          latencies[static_cast<std::size_t>(k)].push_back(
              std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        }
        client_cpu += thread_cpu_seconds();
      });
    for (auto& t : threads) t.join();
    // faltungd's share of the CPU: the process's time less the clients'
    // (the bench's receiver, with remote, counts as faltungd's here)
    const double server_cpu = process_cpu_seconds() - process_cpu_before - client_cpu;
    if (failed) return 1;
    std::vector<double> ms;
    for (const auto& l : latencies) ms.insert(ms.end(), l.begin(), l.end());
    const std::string name = std::string(rate > 0 ? "http-paced" : "http") + (remote ? "+remote_write" : "") +
                             (senders > 1 ? " senders=" + std::to_string(senders) : "");
    report(name.c_str(), series, samples, std::chrono::duration<double>(Clock::now() - start).count(), total, ms);
    std::printf(
        "{\"case\": \"%s series=%d samples=%d\", \"server_cpu_seconds\": %.3f, "
        "\"samples_per_server_cpu_second\": %.4g}\n",
        name.c_str(), series, samples, server_cpu, static_cast<double>(total) / server_cpu);
    if (remote) {  // until the receiver has every output
      while (server.remote_stats()[0].sender.sent_samples < total)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
      std::printf("{\"case\": \"remote_write delivered series=%d samples=%d\", \"samples_per_second\": %.4g}\n", series,
                  samples, static_cast<double>(total) / seconds);
    }
    server.stop();
    serving.join();
  }
  sink.stop();
  sinking.join();
}
