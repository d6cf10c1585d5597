#include "http/pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>

namespace vantage::http {

using namespace std::chrono_literals;

TEST(WorkerPool, RunsJobs) {
  WorkerPool pool("t", 2, 16, 1000ms);
  std::atomic<int> ran{0}, rejected{0};
  for (int i = 0; i < 10; ++i) pool.Submit([&] { ++ran; }, [&] { ++rejected; });
  while (ran + rejected < 10) std::this_thread::yield();
  EXPECT_EQ(ran, 10);
  EXPECT_EQ(rejected, 0);
}

TEST(WorkerPool, RejectsWhenQueueIsFullOrWaitTooLong) {
  WorkerPool pool("t", 1, 1, 20ms);
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  std::atomic<int> ran{0}, rejected{0};
  // Occupies the only thread.
  pool.Submit([&] {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return release; });
    ++ran;
  }, [&] { ++rejected; });
  while (pool.busy() == 0) std::this_thread::yield();
  pool.Submit([&] { ++ran; }, [&] { ++rejected; });  // queued; will wait too long
  pool.Submit([&] { ++ran; }, [&] { ++rejected; });  // queue full: rejected at once
  EXPECT_EQ(rejected, 1);
  std::this_thread::sleep_for(50ms);
  {
    std::lock_guard lock(mu);
    release = true;
  }
  cv.notify_all();
  pool.Stop();
  EXPECT_EQ(ran, 1);
  EXPECT_EQ(rejected, 2);
}

TEST(WorkerPool, StopRejectsQueuedJobsExactlyOnce) {
  WorkerPool pool("t", 1, 100, 10000ms);
  std::atomic<int> ran{0}, rejected{0};
  for (int i = 0; i < 50; ++i) pool.Submit([&] { std::this_thread::sleep_for(1ms); ++ran; }, [&] { ++rejected; });
  pool.Stop();
  EXPECT_EQ(ran + rejected, 50);
  pool.Submit([&] { ++ran; }, [&] { ++rejected; });  // after Stop: rejected
  EXPECT_EQ(ran + rejected, 51);
}

}  // namespace vantage::http
