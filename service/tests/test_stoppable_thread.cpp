// StoppableThread (service/src/stoppable_thread.hpp): a stop before the
// start, during a pause, and from two threads at once.
#include "../src/stoppable_thread.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace faltungd {
namespace {

using Clock = std::chrono::steady_clock;

TEST(StoppableThread, AStopBeforeTheStartStartsNothing) {
  StoppableThread worker;
  worker.stop();
  std::atomic<bool> ran{false};
  worker.start([&] { ran = true; });
  worker.stop();
  EXPECT_FALSE(ran);
  EXPECT_TRUE(worker.stopping());
}

TEST(StoppableThread, AStopEndsALongPauseAndWakesTheBody) {
  StoppableThread worker;
  std::atomic<int> rounds{0};
  std::atomic<bool> paused{false};
  worker.start([&] {
    while (!worker.stopping()) {
      ++rounds;
      paused = true;
      worker.pause(600);  // ten minutes, unless stopped
    }
  });
  while (!paused) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  bool woken = false;
  const auto started = Clock::now();
  worker.stop([&] { woken = true; });
  EXPECT_LT(std::chrono::duration<double>(Clock::now() - started).count(), 60.0);
  EXPECT_TRUE(woken);
  EXPECT_EQ(rounds, 1);
  EXPECT_TRUE(worker.pause(600)) << "a pause after the stop returns at once, saying so";
}

TEST(StoppableThread, OnlyOneThreadRunsAndTwoStopsAtOnceJoinIt) {
  for (int round = 0; round < 50; ++round) {
    StoppableThread worker;
    std::atomic<int> bodies{0};
    auto body = [&] {
      ++bodies;
      while (!worker.pause(0.001)) {
      }
    };
    worker.start(body);
    worker.start(body);  // already running: nothing more
    std::thread a([&] { worker.stop(); });
    std::thread b([&] { worker.stop(); });
    a.join();
    b.join();
    EXPECT_EQ(bodies, 1) << "round " << round;
  }
}

}  // namespace
}  // namespace faltungd
