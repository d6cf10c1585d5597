#include "media/header.h"

#include <gtest/gtest.h>

#include <string>

namespace vantage::media {
namespace {

using namespace std::string_literals;

std::string Be16(uint32_t v) { return {char(v >> 8), char(v)}; }
std::string Be32(uint32_t v) { return Be16(v >> 16) + Be16(v); }
std::string Le16(uint32_t v) { return {char(v), char(v >> 8)}; }
std::string Le24(uint32_t v) { return {char(v), char(v >> 8), char(v >> 16)}; }
std::string Le32(uint32_t v) { return Le24(v) + char(v >> 24); }

std::string Jpeg(uint32_t width, uint32_t height, uint8_t sof = 0xC0) {
  std::string app0 = "\xFF\xE0"s + Be16(16) + "JFIF\0\x01\x01\0\0\x01\0\x01\0\0"s;
  std::string com = "\xFF\xFE"s + Be16(7) + "hello";
  std::string sof_segment = "\xFF"s + char(sof) + Be16(17) + "\x08"s + Be16(height) + Be16(width) +
                            "\x03\x01\x22\0\x02\x11\x01\x03\x11\x01"s;
  return "\xFF\xD8"s + app0 + com + "\xFF\xFF"s /* fill */ + sof_segment + "\xFF\xDA\0\x08"s;
}

std::string Png(uint32_t width, uint32_t height) {
  return "\x89PNG\r\n\x1A\n"s + Be32(13) + "IHDR" + Be32(width) + Be32(height) +
         "\x08\x02\0\0\0"s + "CRC!";
}

std::string WebpChunk(std::string fourcc, std::string payload) {
  std::string body = "WEBP" + fourcc + Le32(payload.size()) + payload;
  return "RIFF" + Le32(body.size()) + body;
}

void ExpectSize(const std::string& bytes, MediaType type, uint32_t width, uint32_t height) {
  auto size = ReadHeader(bytes, type);
  ASSERT_TRUE(size) << size.error().message;
  EXPECT_EQ(size->width, width);
  EXPECT_EQ(size->height, height);
}

void ExpectInvalid(const std::string& bytes, MediaType type) {
  auto size = ReadHeader(bytes, type);
  ASSERT_FALSE(size) << size->width << "x" << size->height;
  EXPECT_EQ(size.error().kind, ErrorKind::kInvalid);
  EXPECT_EQ(size.error().code, "invalid_image");
}

TEST(Header, JpegFrameHeaderAfterOtherSegments) {
  ExpectSize(Jpeg(4000, 3000), MediaType::kJpeg, 4000, 3000);
  ExpectSize(Jpeg(65535, 1, 0xC2), MediaType::kJpeg, 65535, 1);  // progressive
}

TEST(Header, JpegMalformed) {
  ExpectInvalid("\xFF\xD8\xFF\xDA\0\x08"s, MediaType::kJpeg);      // scan before frame
  ExpectInvalid(Jpeg(4000, 3000).substr(0, 30), MediaType::kJpeg);  // truncated
  ExpectInvalid(Jpeg(4000, 0), MediaType::kJpeg);                    // height from DNL
  ExpectInvalid("\xFF\xD8\xFF\xE0\0\x01"s, MediaType::kJpeg);        // length below 2
  ExpectInvalid("\xFF\xD8"s, MediaType::kJpeg);
}

TEST(Header, Png) {
  ExpectSize(Png(640, 480), MediaType::kPng, 640, 480);
  ExpectInvalid(Png(0, 480), MediaType::kPng);
  ExpectInvalid(Png(0x80000000u, 1), MediaType::kPng);
  ExpectInvalid(Png(640, 480).substr(0, 20), MediaType::kPng);
}

TEST(Header, GifScreenGrownToFirstFrame) {
  std::string screen = "GIF89a"s + Le16(100) + Le16(50) + "\x80\0\0"s + std::string(6, '\0');
  std::string gce = "\x21\xF9\x04\0\0\0\0\0"s;
  std::string descriptor = "\x2C"s + Le16(0) + Le16(0) + Le16(100) + Le16(50) + "\0"s;
  ExpectSize(screen + gce + descriptor, MediaType::kGif, 100, 50);
  std::string overhang = "\x2C"s + Le16(10) + Le16(20) + Le16(200) + Le16(100) + "\0"s;
  ExpectSize(screen + gce + overhang, MediaType::kGif, 210, 120);
  ExpectInvalid(screen + gce, MediaType::kGif);
  ExpectInvalid(screen + "\x3B"s, MediaType::kGif);
}

TEST(Header, WebpAllThreeFrameKinds) {
  std::string vp8 = "\x10\x02\0\x9D\x01\x2A"s + Le16(1920) + Le16(1080) + std::string(10, '\0');
  ExpectSize(WebpChunk("VP8 ", vp8), MediaType::kWebp, 1920, 1080);
  uint32_t bits = (640 - 1) | (480 - 1) << 14;
  ExpectSize(WebpChunk("VP8L", "\x2F"s + Le32(bits) + std::string(10, '\0')), MediaType::kWebp, 640,
             480);
  ExpectSize(WebpChunk("VP8X", "\x10\0\0\0"s + Le24(16383) + Le24(9999) + std::string(8, '\0')),
             MediaType::kWebp, 16384, 10000);
  ExpectInvalid(WebpChunk("VP8 ", "\x10\x02\0\0\0\0"s + std::string(14, '\0')), MediaType::kWebp);
  ExpectInvalid(WebpChunk("EXIF", std::string(20, '\0')), MediaType::kWebp);
  ExpectInvalid("RIFF\0\0\0\0WEBP"s, MediaType::kWebp);
}

TEST(Header, HeifGarbageIsInvalid) {
  std::string ftyp = "\0\0\0\x18" "ftypheic\0\0\0\0mif1heic"s;
  ExpectInvalid(ftyp + "\0\0\0\x08junk"s, MediaType::kHeic);
}

TEST(PixelLimit, DefaultIsFiftyMegapixels) {
  EXPECT_TRUE(CheckPixelLimit({10000, 5000}));
  auto over = CheckPixelLimit({10000, 5001});
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().kind, ErrorKind::kInvalid);
  EXPECT_EQ(over.error().code, "image_too_large");
  EXPECT_FALSE(CheckPixelLimit({65535, 65535}));
  EXPECT_TRUE(CheckPixelLimit({2000, 1000}, 2'000'000));
  EXPECT_FALSE(CheckPixelLimit({2000, 1001}, 2'000'000));
}

}  // namespace
}  // namespace vantage::media
