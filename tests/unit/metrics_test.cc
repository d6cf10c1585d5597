#include "http/metrics.h"

#include <gtest/gtest.h>

namespace vantage::http {

TEST(Metrics, RendersCountersHistogramAndGauges) {
  Metrics metrics({"GET /a", "unmatched"}, 2);
  metrics.Record(0, 0, 200, 0.0003);
  metrics.Record(1, 0, 200, 0.02);
  metrics.Record(1, 0, 418, 0.02);  // untracked status
  metrics.Record(0, 7, 404, 0.001);  // out-of-range route counts as unmatched
  metrics.AddGauge({"vantage_pool_queue_depth", "Queue.", "pool=\"db\"", [] { return 3.0; }});
  std::string text = metrics.Render();
  EXPECT_NE(text.find("vantage_http_requests_total{route=\"GET /a\",status=\"200\"} 2"), std::string::npos) << text;
  EXPECT_NE(text.find("vantage_http_requests_total{route=\"GET /a\",status=\"other\"} 1"), std::string::npos);
  EXPECT_NE(text.find("vantage_http_requests_total{route=\"unmatched\",status=\"404\"} 1"), std::string::npos);
  EXPECT_NE(text.find("vantage_http_request_duration_seconds_bucket{route=\"GET /a\",le=\"0.0005\"} 1"), std::string::npos);
  EXPECT_NE(text.find("vantage_http_request_duration_seconds_bucket{route=\"GET /a\",le=\"+Inf\"} 3"), std::string::npos);
  EXPECT_NE(text.find("vantage_http_request_duration_seconds_count{route=\"GET /a\"} 3"), std::string::npos);
  EXPECT_NE(text.find("vantage_pool_queue_depth{pool=\"db\"} 3"), std::string::npos);
}

}  // namespace vantage::http
