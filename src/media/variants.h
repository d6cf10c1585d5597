// The output sizes, defined in this one place.
//
// Every upload becomes these variants, each encoded as WebP and as JPEG.
// "Fit" variants keep the aspect ratio inside the box; the square one is
// cropped around the focus point (or the most interesting region). No
// variant is ever larger than the decoded original: small images stay small.
#pragma once

#include <array>
#include <string_view>

namespace vantage::media {

enum class VariantShape { kFitInside, kSquareCrop };

struct VariantSpec {
  std::string_view name;
  int max_width;
  int max_height;
  VariantShape shape;
};

inline constexpr std::array<VariantSpec, 3> kVariants = {{
    {"large", 1080, 1350, VariantShape::kFitInside},
    {"small", 640, 800, VariantShape::kFitInside},
    {"thumb", 320, 320, VariantShape::kSquareCrop},
}};

// Encoder quality for both formats, 1..100.
inline constexpr int kEncodeQuality = 82;
// libwebp's effort, 0..6 (libvips' default 4). WebP encoding was most of a
// photo's processing time (docs/benchmarks.md, "Following remote
// accounts"); effort 2 takes about half of it for files a few percent larger.
inline constexpr int kWebpEffort = 2;

}  // namespace vantage::media
