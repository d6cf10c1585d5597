#include "media/blurhash.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

namespace vantage::media {
namespace {

constexpr std::string_view kBase83 =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~";

void AppendBase83(std::string& out, int value, int digits) {
  for (int i = digits - 1; i >= 0; --i) {
    int divisor = 1;
    for (int k = 0; k < i; ++k) divisor *= 83;
    out.push_back(kBase83[(value / divisor) % 83]);
  }
}

int DecodeBase83(std::string_view s) {
  int value = 0;
  for (char c : s) {
    size_t digit = kBase83.find(c);
    if (digit == std::string_view::npos) return -1;
    value = value * 83 + static_cast<int>(digit);
  }
  return value;
}

double SrgbToLinear(int value) {
  double v = value / 255.0;
  return v <= 0.04045 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
}

int LinearToSrgb(double value) {
  double v = std::clamp(value, 0.0, 1.0);
  double s = v <= 0.0031308 ? v * 12.92 : 1.055 * std::pow(v, 1 / 2.4) - 0.055;
  return static_cast<int>(std::lround(s * 255));
}

double SignPow(double value, double exp) { return std::copysign(std::pow(std::abs(value), exp), value); }

}  // namespace

std::string EncodeBlurhash(const uint8_t* pixels, int width, int height, int bands, int x_components,
                           int y_components) {
  const int nx = std::clamp(x_components, 1, 9), ny = std::clamp(y_components, 1, 9);
  std::array<double, 256> linear;
  for (int v = 0; v < 256; ++v) linear[v] = SrgbToLinear(v);

  // The basis cos(pi i x / w) cos(pi j y / h) is separable: sum each row
  // against the x cosines first, then the rows against the y cosines.
  std::vector<double> cos_x(static_cast<size_t>(nx) * width), cos_y(static_cast<size_t>(ny) * height);
  for (int i = 0; i < nx; ++i)
    for (int x = 0; x < width; ++x) cos_x[i * width + x] = std::cos(std::numbers::pi * i * x / width);
  for (int j = 0; j < ny; ++j)
    for (int y = 0; y < height; ++y) cos_y[j * height + y] = std::cos(std::numbers::pi * j * y / height);

  std::vector<std::array<double, 3>> factors(static_cast<size_t>(nx) * ny, {0, 0, 0});
  std::vector<std::array<double, 3>> row_sums(nx);
  for (int y = 0; y < height; ++y) {
    std::fill(row_sums.begin(), row_sums.end(), std::array<double, 3>{0, 0, 0});
    const uint8_t* row = pixels + static_cast<size_t>(y) * width * bands;
    for (int x = 0; x < width; ++x) {
      const uint8_t* px = row + static_cast<size_t>(x) * bands;
      double r = linear[px[0]], g = linear[px[1]], b = linear[px[2]];
      for (int i = 0; i < nx; ++i) {
        double c = cos_x[i * width + x];
        row_sums[i][0] += c * r;
        row_sums[i][1] += c * g;
        row_sums[i][2] += c * b;
      }
    }
    for (int j = 0; j < ny; ++j) {
      double c = cos_y[j * height + y];
      for (int i = 0; i < nx; ++i)
        for (int ch = 0; ch < 3; ++ch) factors[j * nx + i][ch] += c * row_sums[i][ch];
    }
  }
  for (int k = 0; k < nx * ny; ++k) {
    double normalisation = (k == 0 ? 1.0 : 2.0) / (static_cast<double>(width) * height);
    for (double& f : factors[k]) f *= normalisation;
  }

  std::string hash;
  AppendBase83(hash, (nx - 1) + (ny - 1) * 9, 1);
  double max_value = 1;
  if (nx * ny > 1) {
    double actual_max = 0;
    for (int k = 1; k < nx * ny; ++k)
      for (double f : factors[k]) actual_max = std::max(actual_max, std::abs(f));
    int quantised_max = std::clamp(static_cast<int>(std::floor(actual_max * 166 - 0.5)), 0, 82);
    max_value = (quantised_max + 1) / 166.0;
    AppendBase83(hash, quantised_max, 1);
  } else {
    AppendBase83(hash, 0, 1);
  }
  const auto& dc = factors[0];
  AppendBase83(hash, (LinearToSrgb(dc[0]) << 16) + (LinearToSrgb(dc[1]) << 8) + LinearToSrgb(dc[2]), 4);
  for (int k = 1; k < nx * ny; ++k) {
    int q[3];
    for (int ch = 0; ch < 3; ++ch) {
      q[ch] = std::clamp(static_cast<int>(std::floor(SignPow(factors[k][ch] / max_value, 0.5) * 9 + 9.5)),
                         0, 18);
    }
    AppendBase83(hash, q[0] * 19 * 19 + q[1] * 19 + q[2], 2);
  }
  return hash;
}

Result<std::array<uint8_t, 3>> BlurhashAverageColour(std::string_view hash) {
  auto invalid = [] { return Error::Invalid("blurhash", "Malformed blurhash", "invalid_blurhash"); };
  if (hash.size() < 6) return invalid();
  int size_flag = DecodeBase83(hash.substr(0, 1));
  if (size_flag < 0) return invalid();
  int nx = size_flag % 9 + 1, ny = size_flag / 9 + 1;
  if (hash.size() != static_cast<size_t>(4 + 2 * nx * ny)) return invalid();
  int dc = DecodeBase83(hash.substr(2, 4));
  if (dc < 0) return invalid();
  return std::array<uint8_t, 3>{static_cast<uint8_t>(dc >> 16), static_cast<uint8_t>(dc >> 8),
                                static_cast<uint8_t>(dc)};
}

}  // namespace vantage::media
