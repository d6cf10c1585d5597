// vantage seed: a synthetic network for benchmarks and demos (seed.cc).
#pragma once

#include <string>
#include <vector>

namespace vantage::cli {

// Writes the network into the empty database given by --data/--db; exit code.
int Seed(const std::vector<std::string>& args);

}  // namespace vantage::cli
