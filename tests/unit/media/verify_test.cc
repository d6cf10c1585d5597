#include "media/verify.h"

#include <gtest/gtest.h>

#include "media/webp_container.h"
#include "test_images.h"

namespace vantage::media {
namespace {

using namespace std::string_literals;
using namespace testing;

std::string Segment(uint8_t marker, const std::string& payload) {
  size_t length = payload.size() + 2;
  return "\xFF"s + char(marker) + char(length >> 8) + char(length & 0xFF) + payload;
}

// A clean libvips JPEG (strip leaves no APPn at all) with `extra` after SOI.
std::string JpegWith(const std::string& extra) {
  std::string jpeg = TakeBlob(Noise(16, 16).jpegsave_buffer(vips::VImage::option()->set("strip", true)));
  return jpeg.insert(2, extra);
}

const std::string kJfif = "JFIF\0\x01\x02\0\0\x01\0\x01\0\0"s;

#define ExpectRefused(...) do { SCOPED_TRACE(__LINE__); ExpectRefusedImpl(__VA_ARGS__); } while (0)
void ExpectRefusedImpl(const std::string& bytes, OutputFormat format) {
  auto status = VerifyNoMetadata(bytes, format);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().kind, ErrorKind::kInternal);
  EXPECT_EQ(status.error().code, "metadata_left");
}

TEST(Verify, CleanJpegPasses) {
  auto status = VerifyNoMetadata(JpegWith(""), OutputFormat::kJpeg);
  EXPECT_TRUE(status) << status.error().message;
  auto jfif = VerifyNoMetadata(JpegWith(Segment(0xE0, kJfif)), OutputFormat::kJpeg);
  EXPECT_TRUE(jfif) << jfif.error().message;
}

TEST(Verify, JpegMetadataSegmentsFail) {
  ExpectRefused(JpegWith(Segment(0xE1, "Exif\0\0MM\0*"s)), OutputFormat::kJpeg);         // EXIF
  ExpectRefused(JpegWith(Segment(0xE1, "http://ns.adobe.com/xap/1.0/\0<x/>"s)), OutputFormat::kJpeg);
  ExpectRefused(JpegWith(Segment(0xE2, "ICC_PROFILE\0\x01\x01"s)), OutputFormat::kJpeg);  // ICC
  ExpectRefused(JpegWith(Segment(0xED, "Photoshop 3.0\0008BIM"s)), OutputFormat::kJpeg);  // IPTC
  ExpectRefused(JpegWith(Segment(0xFE, "a comment")), OutputFormat::kJpeg);               // COM
  ExpectRefused(JpegWith(Segment(0xE0, "JFXX\0\x10"s)), OutputFormat::kJpeg);             // thumbnail
  ExpectRefused(JpegWith("") + "trailing", OutputFormat::kJpeg);
  ExpectRefused(JpegWith("").substr(0, 200), OutputFormat::kJpeg);
  // A JFIF header that announces a 2×2 thumbnail, with and without its pixels.
  std::string with_thumb = kJfif;
  with_thumb[12] = with_thumb[13] = 2;
  ExpectRefused(JpegWith(Segment(0xE0, with_thumb)), OutputFormat::kJpeg);
  ExpectRefused(JpegWith(Segment(0xE0, with_thumb + std::string(12, '\x7f'))), OutputFormat::kJpeg);
}

std::string Chunk(const std::string& fourcc, const std::string& payload) {
  uint32_t n = static_cast<uint32_t>(payload.size());
  std::string out = fourcc + char(n) + char(n >> 8) + char(n >> 16) + char(n >> 24) + payload;
  if (n & 1) out += '\0';
  return out;
}

std::string Riff(const std::string& chunks) {
  uint32_t n = static_cast<uint32_t>(chunks.size() + 4);
  return "RIFF"s + char(n) + char(n >> 8) + char(n >> 16) + char(n >> 24) + "WEBP" + chunks;
}

// The VP8 chunk of a libvips WebP (whose container also holds a VP8X and
// the EXIF chunk libvips 8.14 always writes).
std::string Bitstream() {
  std::string webp = TakeBlob(Noise(16, 16).webpsave_buffer(vips::VImage::option()->set("lossless", false)));
  size_t at = webp.find("VP8 ");
  uint32_t n = uint8_t(webp[at + 4]) | uint8_t(webp[at + 5]) << 8 | uint8_t(webp[at + 6]) << 16;
  return webp.substr(at, 8 + n + (n & 1));
}

TEST(WebpContainer, StripDropsMetadataChunksAndClearsFlags) {
  std::string vp8x = "\x3C\0\0\0"s + "\x0F\0\0\x0F\0\0"s;  // ICC|alpha|EXIF|XMP flags, 16×16
  std::string bitstream = Bitstream();
  std::string dirty = Riff(Chunk("VP8X", vp8x) + Chunk("ICCP", "icc!") + bitstream +
                           Chunk("EXIF", "Exif\0\0MM"s) + Chunk("XMP ", "<x:xmpmeta/>"));
  ExpectRefused(dirty, OutputFormat::kWebp);
  auto clean = StripWebpMetadata(dirty);
  ASSERT_TRUE(clean) << clean.error().message;
  auto status = VerifyNoMetadata(*clean, OutputFormat::kWebp);
  EXPECT_TRUE(status) << status.error().message;
  EXPECT_EQ(clean->find("EXIF"), std::string::npos);
  EXPECT_EQ(clean->find("ICCP"), std::string::npos);
  EXPECT_EQ(clean->find("XMP "), std::string::npos);
  EXPECT_EQ(uint8_t((*clean)[20]), 0x10);  // only the alpha flag is left
  EXPECT_EQ(Decode(*clean).width(), 16);
}

TEST(WebpContainer, VerifyRefusesUnknownAndMalformed) {
  std::string bitstream = Bitstream();
  EXPECT_TRUE(VerifyNoMetadata(Riff(bitstream), OutputFormat::kWebp));
  ExpectRefused(Riff(bitstream + Chunk("ZZZZ", "hidden")), OutputFormat::kWebp);
  ExpectRefused(Riff(bitstream).substr(0, 40), OutputFormat::kWebp);
  ExpectRefused(Riff(Chunk("VP8X", std::string(10, '\0'))), OutputFormat::kWebp);  // no bitstream
  EXPECT_FALSE(StripWebpMetadata("RIFF\x04\0\0\0WEBP"s.substr(0, 11)));
}

// Defence in depth behind Sniff: libvips itself refuses other loaders.
TEST(Libvips, OnlyTheAcceptedLoadersRun) {
  ASSERT_TRUE(InitLibvips());
  std::string tiff = TakeBlob(Noise(8, 8).tiffsave_buffer());
  EXPECT_THROW(vips::VImage::new_from_buffer(tiff.data(), tiff.size(), "").copy_memory(), vips::VError);
  vips_error_clear();
  std::string jpeg = Jpeg(Noise(8, 8));
  EXPECT_EQ(vips::VImage::new_from_buffer(jpeg.data(), jpeg.size(), "").width(), 8);
}

}  // namespace
}  // namespace vantage::media
