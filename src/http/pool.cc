#include "http/pool.h"

#include <spdlog/spdlog.h>

namespace vantage::http {

WorkerPool::WorkerPool(std::string name, int threads, size_t max_queue,
                       std::chrono::milliseconds max_wait)
    : name_(std::move(name)), max_queue_(max_queue), max_wait_(max_wait) {
  if (threads < 1) threads = 1;
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { WorkerLoop(); });
}

WorkerPool::~WorkerPool() { Stop(); }

void WorkerPool::Submit(Job run, Job reject) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_ && queue_.size() < max_queue_) {
      queue_.push_back(Entry{std::move(run), std::move(reject), std::chrono::steady_clock::now()});
      depth_.store(queue_.size(), std::memory_order_relaxed);
      cv_.notify_one();
      return;
    }
  }
  reject();
}

void WorkerPool::WorkerLoop() {
  for (;;) {
    Entry entry;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      entry = std::move(queue_.front());
      queue_.pop_front();
      depth_.store(queue_.size(), std::memory_order_relaxed);
    }
    bool expired = std::chrono::steady_clock::now() - entry.enqueued > max_wait_;
    bool stopping;
    {
      std::lock_guard lock(mu_);
      stopping = stopping_;
    }
    try {
      if (expired || stopping) {
        entry.reject();
      } else {
        struct BusyMark {
          std::atomic<size_t>& n;
          explicit BusyMark(std::atomic<size_t>& c) : n(c) { n.fetch_add(1, std::memory_order_relaxed); }
          ~BusyMark() { n.fetch_sub(1, std::memory_order_relaxed); }
        } mark(busy_);
        entry.run();
      }
    } catch (const std::exception& e) {
      // Jobs catch their own errors; reaching here is a bug, but must not kill the worker.
      spdlog::error("pool {}: job threw: {}", name_, e.what());
    }
  }
}

void WorkerPool::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

}  // namespace vantage::http
