// In-process half of bench/media/run.sh: Vantage's media pipeline on one
// input file, measured with getrusage.
//
//   media_bench make-input OUT.jpg [WIDTH HEIGHT]   noise JPEG, quality 90 (default 4000×3000)
//   media_bench run IN.jpg [ITERATIONS]             ProcessImage ITERATIONS times (default 10)
//
// `run` prints one line of key=value pairs: CPU seconds per upload (user +
// system, after one warm-up), wall seconds per upload, peak RSS in MB, and
// the RSS growth over the idle process.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include <vips/vips8>

#include "media/libvips.h"
#include "media/process.h"

namespace {

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](timeval t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

double PeakRssMb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024.0;
}

int MakeInput(const char* path, int width, int height) {
  if (!vantage::media::InitLibvips()) return 1;
  auto band = [&] { return vips::VImage::gaussnoise(width, height); };
  vips::VImage noise = band().bandjoin(band()).bandjoin(band()).cast(VIPS_FORMAT_UCHAR).copy(
      vips::VImage::option()->set("interpretation", VIPS_INTERPRETATION_sRGB));
  noise.jpegsave(path, vips::VImage::option()->set("Q", 90)->set("strip", true));
  return 0;
}

int Run(const char* path, int iterations) {
  double idle_rss = PeakRssMb();
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string bytes = buffer.str();
  if (bytes.empty()) {
    std::fprintf(stderr, "media_bench: cannot read %s\n", path);
    return 1;
  }
  auto warm = vantage::media::ProcessImage(bytes);  // libvips start-up is not per upload
  if (!warm) {
    std::fprintf(stderr, "media_bench: %s\n", warm.error().message.c_str());
    return 1;
  }
  double cpu_start = CpuSeconds();
  auto wall_start = std::chrono::steady_clock::now();
  for (int i = 0; i < iterations; ++i) {
    auto result = vantage::media::ProcessImage(bytes);
    if (!result) return 1;
  }
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  double cpu = CpuSeconds() - cpu_start;
  std::printf("cpu_s_per_upload=%.3f wall_s_per_upload=%.3f peak_rss_mb=%.1f rss_growth_mb=%.1f iterations=%d\n",
              cpu / iterations, wall / iterations, PeakRssMb(), PeakRssMb() - idle_rss, iterations);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string command = argc > 1 ? argv[1] : "";
  if (command == "make-input" && argc >= 3) {
    return MakeInput(argv[2], argc >= 5 ? std::atoi(argv[3]) : 4000, argc >= 5 ? std::atoi(argv[4]) : 3000);
  }
  if (command == "run" && argc >= 3) return Run(argv[2], argc >= 4 ? std::atoi(argv[3]) : 10);
  std::fprintf(stderr, "usage: media_bench make-input OUT.jpg [W H] | run IN.jpg [ITERATIONS]\n");
  return 2;
}
