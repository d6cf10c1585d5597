#include "media/process.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "media/blurhash.h"
#include "test_images.h"

namespace vantage::media {
namespace {

using namespace testing;
using namespace std::string_literals;

const Variant& Find(const ProcessedImage& image, std::string_view name) {
  for (const Variant& v : image.variants)
    if (v.name == name) return v;
  throw std::runtime_error("no variant " + std::string(name));
}

// Each output must decode to exactly the dimensions the variant announces.
void ExpectVariant(const ProcessedImage& image, std::string_view name, int width, int height) {
  const Variant& v = Find(image, name);
  EXPECT_EQ(v.width, width) << name;
  EXPECT_EQ(v.height, height) << name;
  EXPECT_DOUBLE_EQ(v.aspect, static_cast<double>(width) / height) << name;
  for (const std::string* file : {&v.webp, &v.jpeg}) {
    vips::VImage decoded = Decode(*file);
    EXPECT_EQ(decoded.width(), width) << name;
    EXPECT_EQ(decoded.height(), height) << name;
  }
}

bool Near(const std::vector<double>& colour, std::vector<double> expected, double tolerance = 24) {
  for (size_t i = 0; i < 3; ++i)
    if (std::abs(colour[i] - expected[i]) > tolerance) return false;
  return true;
}

TEST(ProcessImage, ExactVariantSizesOfATwelveMegapixelPhoto) {
  auto result = ProcessImage(Jpeg(Noise(4000, 3000)));
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->source_type, MediaType::kJpeg);
  EXPECT_EQ(result->original_width, 4000);
  EXPECT_EQ(result->original_height, 3000);
  ASSERT_EQ(result->variants.size(), 3u);
  ExpectVariant(*result, "large", 1080, 810);
  ExpectVariant(*result, "small", 640, 480);
  ExpectVariant(*result, "thumb", 320, 320);
}

TEST(ProcessImage, PortraitFitsTheTallBoxes) {
  auto result = ProcessImage(Jpeg(Noise(3000, 4000)));
  ASSERT_TRUE(result) << result.error().message;
  // 3000 × 1350 / 4000 = 1012.5, rounded to nearest by libvips.
  ExpectVariant(*result, "large", 1013, 1350);
  ExpectVariant(*result, "small", 600, 800);
  ExpectVariant(*result, "thumb", 320, 320);
}

TEST(ProcessImage, NeverUpscales) {
  auto result = ProcessImage(Jpeg(Noise(200, 100)));
  ASSERT_TRUE(result) << result.error().message;
  ExpectVariant(*result, "large", 200, 100);
  ExpectVariant(*result, "small", 200, 100);
  ExpectVariant(*result, "thumb", 100, 100);
}

TEST(ProcessImage, PanoramaKeepsASharpThumb) {
  auto result = ProcessImage(Jpeg(Noise(6000, 600)));
  ASSERT_TRUE(result) << result.error().message;
  ExpectVariant(*result, "large", 1080, 108);
  ExpectVariant(*result, "thumb", 320, 320);
}

// A phone photo: stored landscape with EXIF orientation 6 (rotate 90° clockwise).
TEST(ProcessImage, ExifOrientationSixComesOutUpright) {
  vips::VImage top = Solid(400, 150, {255, 0, 0}), bottom = Solid(400, 150, {0, 0, 255});
  vips::VImage stored = top.join(bottom, VIPS_DIRECTION_VERTICAL).copy();
  stored.set(VIPS_META_ORIENTATION, 6);
  auto result = ProcessImage(Jpeg(stored));
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->original_width, 300);
  EXPECT_EQ(result->original_height, 400);
  ExpectVariant(*result, "large", 300, 400);
  // Rotated clockwise, the stored top (red) is on the right, bottom (blue) on the left.
  vips::VImage large = Decode(Find(*result, "large").jpeg);
  EXPECT_TRUE(Near(MeanColour(large, 0, 0, 100, 400), {0, 0, 255}));
  EXPECT_TRUE(Near(MeanColour(large, 200, 0, 100, 400), {255, 0, 0}));
}

TEST(ProcessImage, ThumbCropsAroundTheFocusPoint) {
  vips::VImage left = Solid(400, 400, {0, 255, 0}), right = Solid(400, 400, {0, 0, 255});
  std::string jpeg = Jpeg(left.join(right, VIPS_DIRECTION_HORIZONTAL));
  for (auto [x, colour] : {std::pair{1.0, std::vector<double>{0, 0, 255}},
                           std::pair{-1.0, std::vector<double>{0, 255, 0}}}) {
    auto result = ProcessImage(jpeg, {.focus = FocusPoint{x, 0}});
    ASSERT_TRUE(result) << result.error().message;
    ExpectVariant(*result, "thumb", 320, 320);
    vips::VImage thumb = Decode(Find(*result, "thumb").jpeg);
    EXPECT_TRUE(Near(MeanColour(thumb, 0, 0, 320, 320), colour)) << "focus x=" << x;
  }
  // y points up: the top of a top-red, bottom-blue picture.
  vips::VImage top = Solid(400, 400, {255, 0, 0}), bottom = Solid(400, 400, {0, 0, 255});
  auto result = ProcessImage(Jpeg(top.join(bottom, VIPS_DIRECTION_VERTICAL)), {.focus = FocusPoint{0, 1}});
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_TRUE(Near(MeanColour(Decode(Find(*result, "thumb").jpeg), 0, 0, 320, 320), {255, 0, 0}));
}

TEST(ProcessImage, FocusOutsideTheImageIsRefused) {
  auto result = ProcessImage(Jpeg(Noise(100, 100)), {.focus = FocusPoint{1.5, 0}});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, "invalid_focus");
}

TEST(ProcessImage, TruncatedJpegIsInvalidNotHalfAPicture) {
  std::string jpeg = Jpeg(Noise(1000, 800));
  for (size_t keep : {jpeg.size() / 2, jpeg.size() - 100, size_t{400}}) {
    auto result = ProcessImage(jpeg.substr(0, keep));
    ASSERT_FALSE(result) << "kept " << keep << " bytes";
    EXPECT_EQ(result.error().kind, ErrorKind::kInvalid);
    EXPECT_EQ(result.error().code, "invalid_image");
  }
}

TEST(ProcessImage, CorruptPngIsInvalid) {
  std::string png = TakeBlob(Noise(300, 200).pngsave_buffer());
  for (size_t at = png.size() / 3; at < png.size() / 3 + 64; ++at) png[at] = static_cast<char>(png[at] ^ 0x5A);
  auto result = ProcessImage(png);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, "invalid_image");
}

TEST(ProcessImage, OverThePixelLimitIsRefusedBeforeDecoding) {
  std::string jpeg = Jpeg(Noise(4000, 3000));
  auto start = std::chrono::steady_clock::now();
  auto result = ProcessImage(jpeg, {.max_pixels = 11'999'999});
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, ErrorKind::kInvalid);
  EXPECT_EQ(result.error().code, "image_too_large");
  // Decoding 12 MP takes hundreds of ms here; reading a header, microseconds
  // (the bound leaves room for a busy machine).
  EXPECT_LT(elapsed, std::chrono::milliseconds(20));

  // A 30000×30000 frame header in front of nothing: refused by default.
  std::string bomb = "\xFF\xD8\xFF\xC0\0\x11\x08\x75\x30\x75\x30\x03\x01\x22\0\x02\x11\x01\x03\x11\x01"s;
  auto refused = ProcessImage(bomb);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "image_too_large");
}

TEST(ProcessImage, UnsupportedTypesAre415) {
  for (std::string bytes : {"<svg xmlns=\"http://www.w3.org/2000/svg\"/>"s, "%PDF-1.4\n"s, ""s,
                            TakeBlob(Noise(10, 10).tiffsave_buffer())}) {
    auto result = ProcessImage(bytes);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().kind, ErrorKind::kUnsupported);
    EXPECT_EQ(result.error().code, "unsupported_media_type");
  }
}

TEST(ProcessImage, EveryAcceptedFormatDecodes) {
  vips::VImage noise = Noise(500, 400);
  for (std::string bytes : {TakeBlob(noise.pngsave_buffer()), TakeBlob(noise.webpsave_buffer()),
                            TakeBlob(noise.heifsave_buffer(vips::VImage::option()->set(
                                "compression", VIPS_FOREIGN_HEIF_COMPRESSION_AV1)))}) {
    auto result = ProcessImage(bytes);
    ASSERT_TRUE(result) << result.error().message;
    ExpectVariant(*result, "large", 500, 400);
  }
}

TEST(ProcessImage, AlphaIsFlattenedForJpegAndKeptForWebp) {
  vips::VImage rgba = Noise(300, 200).bandjoin_const({128});
  auto result = ProcessImage(TakeBlob(rgba.pngsave_buffer()));
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(Decode(Find(*result, "small").jpeg).bands(), 3);
  EXPECT_EQ(Decode(Find(*result, "small").webp).bands(), 4);
}

// Regression: a Display P3 photo came out with its P3 numbers read as sRGB
// (washed out), because its profile was removed without being applied.
TEST(ProcessImage, EmbeddedColourProfileIsAppliedBeforeItIsRemoved) {
  vips::VImage green = Solid(64, 64, {60, 200, 90}).cast(VIPS_FORMAT_UCHAR);
  std::string p3 = TakeBlob(green.jpegsave_buffer(vips::VImage::option()->set("profile", "p3")->set("Q", 100)));
  auto result = ProcessImage(p3);
  ASSERT_TRUE(result) << result.error().message;
  std::vector<double> colour = MeanColour(Decode(Find(*result, "large").jpeg), 0, 0, 64, 64);
  // P3 (60, 200, 90) is a green more saturated than sRGB can show as those numbers.
  EXPECT_LT(colour[0], 40);
  EXPECT_GT(colour[1], 200);
}

TEST(ProcessImage, GreyscaleBecomesSrgb) {
  vips::VImage grey = vips::VImage::gaussnoise(300, 200).cast(VIPS_FORMAT_UCHAR);
  auto result = ProcessImage(Jpeg(grey));
  ASSERT_TRUE(result) << result.error().message;
  ExpectVariant(*result, "large", 300, 200);
}

// Hand-made two-frame GIF: a red 4×4 frame, then a blue one over it.
TEST(ProcessImage, GifYieldsItsFirstFrame) {
  std::string header = "GIF89a\x04\0\x04\0\x81\0\0"s;                      // 4×4, 4-colour table
  std::string palette = "\xFF\0\0" "\0\0\xFF" "\0\0\0" "\0\0\0"s;          // red, blue, ...
  std::string netscape = "\x21\xFF\x0BNETSCAPE2.0\x03\x01\0\0\0"s;
  auto frame = [](char index) {
    // LZW, minimum code size 2: clear (4), 16 × index, end (5), packed LSB first.
    std::vector<int> codes = {4};
    for (int i = 0; i < 16; ++i) codes.push_back(index);
    codes.push_back(5);
    std::string data;
    uint32_t bits = 0, count = 0;
    int size = 3, next = 6;
    for (size_t i = 0; i < codes.size(); ++i) {
      bits |= static_cast<uint32_t>(codes[i]) << count;
      count += size;
      while (count >= 8) { data.push_back(static_cast<char>(bits & 0xFF)); bits >>= 8; count -= 8; }
      // Mirror the decoder's dictionary growth after each code past the first two.
      if (i >= 2 && i + 1 < codes.size() - 0) { if (++next > (1 << size) && size < 12) ++size; }
    }
    if (count > 0) data.push_back(static_cast<char>(bits & 0xFF));
    return "\x21\xF9\x04\0\x0A\0\xFF\0"s + "\x2C\0\0\0\0\x04\0\x04\0\0"s + "\x02"s +
           static_cast<char>(data.size()) + data + "\0"s;
  };
  std::string gif = header + palette + netscape + frame(0) + frame(1) + "\x3B"s;
  auto result = ProcessImage(gif);
  ASSERT_TRUE(result) << result.error().message;
  ExpectVariant(*result, "large", 4, 4);
  EXPECT_TRUE(Near(MeanColour(Decode(Find(*result, "large").jpeg), 0, 0, 4, 4), {255, 0, 0}));
}

TEST(Blurhash, SolidRedEncodesRedAsItsAverage) {
  auto result = ProcessImage(Jpeg(Solid(800, 600, {255, 0, 0})));
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->blurhash.size(), 28u);  // 4 + 2 × 4 × 3
  auto colour = BlurhashAverageColour(result->blurhash);
  ASSERT_TRUE(colour);
  EXPECT_GE((*colour)[0], 240);
  EXPECT_LE((*colour)[1], 16);
  EXPECT_LE((*colour)[2], 16);
}

// The encoder sums rows first (separable basis); this is the formula as the
// reference implementation writes it, pixel by pixel, for comparison.
std::string ReferenceBlurhash(const std::vector<uint8_t>& px, int w, int h) {
  auto lin = [](int v) { double x = v / 255.0; return x <= 0.04045 ? x / 12.92 : std::pow((x + 0.055) / 1.055, 2.4); };
  auto srgb = [](double v) {
    v = std::clamp(v, 0.0, 1.0);
    return static_cast<int>(std::lround((v <= 0.0031308 ? v * 12.92 : 1.055 * std::pow(v, 1 / 2.4) - 0.055) * 255));
  };
  const std::string chars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~";
  auto b83 = [&](int value, int length) {
    std::string out;
    for (int i = 1; i <= length; ++i) out += chars[static_cast<int>(value / std::pow(83, length - i)) % 83];
    return out;
  };
  std::vector<std::array<double, 3>> f;
  for (int j = 0; j < 3; ++j)
    for (int i = 0; i < 4; ++i) {
      std::array<double, 3> c{0, 0, 0};
      for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
          double basis = std::cos(M_PI * i * x / w) * std::cos(M_PI * j * y / h);
          for (int ch = 0; ch < 3; ++ch) c[ch] += basis * lin(px[(y * w + x) * 3 + ch]);
        }
      double norm = (i == 0 && j == 0 ? 1.0 : 2.0) / (w * h);
      for (double& v : c) v *= norm;
      f.push_back(c);
    }
  double max_ac = 0;
  for (size_t k = 1; k < f.size(); ++k)
    for (double v : f[k]) max_ac = std::max(max_ac, std::abs(v));
  int qmax = std::clamp(static_cast<int>(std::floor(max_ac * 166 - 0.5)), 0, 82);
  double max_value = (qmax + 1) / 166.0;
  std::string hash = b83(3 + 2 * 9, 1) + b83(qmax, 1) + b83((srgb(f[0][0]) << 16) + (srgb(f[0][1]) << 8) + srgb(f[0][2]), 4);
  for (size_t k = 1; k < f.size(); ++k) {
    int q[3];
    for (int ch = 0; ch < 3; ++ch) {
      double v = f[k][ch] / max_value;
      q[ch] = std::clamp(static_cast<int>(std::floor(std::copysign(std::sqrt(std::abs(v)), v) * 9 + 9.5)), 0, 18);
    }
    hash += b83(q[0] * 361 + q[1] * 19 + q[2], 2);
  }
  return hash;
}

TEST(Blurhash, MatchesTheReferenceFormula) {
  vips::VImage noise = Noise(37, 23).gaussblur(3);
  size_t size = 0;
  void* data = noise.write_to_memory(&size);
  std::vector<uint8_t> px(static_cast<uint8_t*>(data), static_cast<uint8_t*>(data) + size);
  g_free(data);
  std::string hash = EncodeBlurhash(px.data(), 37, 23, 3);
  EXPECT_EQ(hash.size(), 28u);
  EXPECT_EQ(hash, ReferenceBlurhash(px, 37, 23));
  EXPECT_FALSE(BlurhashAverageColour("L0"));
  EXPECT_FALSE(BlurhashAverageColour(hash.substr(0, 27)));
}

}  // namespace
}  // namespace vantage::media
