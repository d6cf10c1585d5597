// A bounded worker pool for blocking work (database, password hashing).
//
// A job waits in the queue at most `max_wait`; a job that waited longer, or
// that arrives when the queue is full, is rejected instead of run: its reject
// callback runs (on the submitting thread when the queue is full, otherwise
// on a worker). That is how a saturated server answers 503 quickly instead of
// queueing without bound.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace vantage::http {

class WorkerPool {
 public:
  using Job = std::function<void()>;

  WorkerPool(std::string name, int threads, size_t max_queue, std::chrono::milliseconds max_wait);
  ~WorkerPool();

  // Exactly one of run or reject is called, once.
  void Submit(Job run, Job reject);

  // Rejects queued jobs, waits for running ones, joins the threads.
  void Stop();

  const std::string& name() const { return name_; }
  size_t queue_depth() const { return depth_.load(std::memory_order_relaxed); }
  size_t busy() const { return busy_.load(std::memory_order_relaxed); }
  int threads() const { return static_cast<int>(threads_.size()); }

 private:
  struct Entry {
    Job run;
    Job reject;
    std::chrono::steady_clock::time_point enqueued;
  };
  void WorkerLoop();

  std::string name_;
  size_t max_queue_;
  std::chrono::milliseconds max_wait_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Entry> queue_;  // guarded by mu_
  bool stopping_ = false;    // guarded by mu_
  std::atomic<size_t> depth_{0};
  std::atomic<size_t> busy_{0};
  std::vector<std::thread> threads_;
};

}  // namespace vantage::http
