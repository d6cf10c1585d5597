#include "http/metrics.h"

#include <fmt/format.h>

namespace vantage::http {

namespace {

size_t StatusSlot(int status) {
  for (size_t i = 0; i + 1 < Metrics::kStatuses.size(); ++i)
    if (Metrics::kStatuses[i] == status) return i;
  return Metrics::kStatuses.size() - 1;
}

std::string EscapeLabel(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace

Metrics::Shard::Shard(size_t routes)
    : by_status(routes * kStatuses.size()),
      buckets(routes * (kBuckets.size() + 1)),
      micros(routes) {}

Metrics::Metrics(std::vector<std::string> route_names, int shards) : routes_(std::move(route_names)) {
  for (int i = 0; i < shards; ++i) shards_.push_back(std::make_unique<Shard>(routes_.size()));
}

void Metrics::Record(int shard, size_t route, int status, double seconds) {
  if (route >= routes_.size()) route = routes_.size() - 1;
  Shard& s = *shards_[static_cast<size_t>(shard) % shards_.size()];
  s.by_status[route * kStatuses.size() + StatusSlot(status)].fetch_add(1, std::memory_order_relaxed);
  size_t bucket = 0;
  while (bucket < kBuckets.size() && seconds > kBuckets[bucket]) ++bucket;
  s.buckets[route * (kBuckets.size() + 1) + bucket].fetch_add(1, std::memory_order_relaxed);
  s.micros[route].fetch_add(static_cast<uint64_t>(seconds * 1e6), std::memory_order_relaxed);
}

void Metrics::AddGauge(Gauge gauge) { gauges_.push_back(std::move(gauge)); }
void Metrics::AddCounter(Gauge counter) { counters_.push_back(std::move(counter)); }

std::string Metrics::Render() const {
  std::string out;
  auto sum = [&](auto member, size_t index) {
    uint64_t total = 0;
    for (const auto& shard : shards_) total += ((*shard).*member)[index].load(std::memory_order_relaxed);
    return total;
  };

  out += "# HELP vantage_http_requests_total HTTP requests by route and status.\n";
  out += "# TYPE vantage_http_requests_total counter\n";
  for (size_t r = 0; r < routes_.size(); ++r) {
    for (size_t st = 0; st < kStatuses.size(); ++st) {
      uint64_t n = sum(&Shard::by_status, r * kStatuses.size() + st);
      if (n == 0) continue;
      std::string status = kStatuses[st] ? std::to_string(kStatuses[st]) : "other";
      out += fmt::format("vantage_http_requests_total{{route=\"{}\",status=\"{}\"}} {}\n",
                         EscapeLabel(routes_[r]), status, n);
    }
  }

  out += "# HELP vantage_http_request_duration_seconds Time from a complete request to the response written.\n";
  out += "# TYPE vantage_http_request_duration_seconds histogram\n";
  for (size_t r = 0; r < routes_.size(); ++r) {
    uint64_t cumulative = 0;
    std::vector<uint64_t> counts(kBuckets.size() + 1);
    for (size_t b = 0; b <= kBuckets.size(); ++b)
      counts[b] = sum(&Shard::buckets, r * (kBuckets.size() + 1) + b);
    uint64_t total = 0;
    for (uint64_t c : counts) total += c;
    if (total == 0) continue;
    std::string label = EscapeLabel(routes_[r]);
    for (size_t b = 0; b < kBuckets.size(); ++b) {
      cumulative += counts[b];
      out += fmt::format("vantage_http_request_duration_seconds_bucket{{route=\"{}\",le=\"{}\"}} {}\n",
                         label, kBuckets[b], cumulative);
    }
    out += fmt::format("vantage_http_request_duration_seconds_bucket{{route=\"{}\",le=\"+Inf\"}} {}\n",
                       label, total);
    out += fmt::format("vantage_http_request_duration_seconds_sum{{route=\"{}\"}} {:.6f}\n", label,
                       static_cast<double>(sum(&Shard::micros, r)) / 1e6);
    out += fmt::format("vantage_http_request_duration_seconds_count{{route=\"{}\"}} {}\n", label, total);
  }

  auto render = [&](const std::vector<Gauge>& list, const char* type) {
    std::string last;
    for (const Gauge& g : list) {
      if (g.name != last) {
        out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", g.name, g.help, g.name, type);
        last = g.name;
      }
      out += g.labels.empty() ? fmt::format("{} {}\n", g.name, g.value())
                              : fmt::format("{}{{{}}} {}\n", g.name, g.labels, g.value());
    }
  };
  render(gauges_, "gauge");
  render(counters_, "counter");
  return out;
}

}  // namespace vantage::http
