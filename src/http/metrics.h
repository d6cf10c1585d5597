// Request metrics, rendered in Prometheus text format.
//
// Counters are sharded per I/O thread (each shard written by one thread, read
// by the scraper with relaxed loads), so recording costs a few uncontended
// increments on the request path.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace vantage::http {

class Metrics {
 public:
  static constexpr std::array<double, 14> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                      0.1,    0.25,  0.5,    1,     2.5,  5,    10};
  // Statuses tracked individually; anything else is counted under "other".
  static constexpr std::array<int, 26> kStatuses = {100, 200, 201, 202, 204, 206, 301, 302, 303,
                                                    304, 400, 401, 403, 404, 405, 408, 409, 410,
                                                    413, 415, 422, 429, 431, 500, 503, 0};

  // `route_names[i]` labels route index i; the last index is used for requests
  // that matched no route.
  Metrics(std::vector<std::string> route_names, int shards);

  void Record(int shard, size_t route, int status, double seconds);

  struct Gauge {
    std::string name;
    std::string help;
    std::string labels;  // e.g. pool="db"
    std::function<double()> value;
  };
  void AddGauge(Gauge gauge);  // before serving starts
  void AddCounter(Gauge counter);

  std::string Render() const;

 private:
  struct Shard {
    explicit Shard(size_t routes);
    std::vector<std::atomic<uint64_t>> by_status;  // routes * kStatuses.size()
    std::vector<std::atomic<uint64_t>> buckets;    // routes * (kBuckets.size() + 1)
    std::vector<std::atomic<uint64_t>> micros;     // routes: total duration
  };
  std::vector<std::string> routes_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::vector<Gauge> gauges_;
  std::vector<Gauge> counters_;
};

}  // namespace vantage::http
