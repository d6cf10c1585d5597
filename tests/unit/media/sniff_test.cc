#include "media/sniff.h"

#include <gtest/gtest.h>

#include <string>

namespace vantage::media {
namespace {

using namespace std::string_literals;

void ExpectType(const std::string& bytes, MediaType type) {
  auto sniffed = Sniff(bytes);
  ASSERT_TRUE(sniffed) << sniffed.error().message;
  EXPECT_EQ(*sniffed, type) << MediaTypeName(*sniffed);
}

void ExpectUnsupported(const std::string& bytes) {
  auto sniffed = Sniff(bytes);
  ASSERT_FALSE(sniffed) << MediaTypeName(*sniffed);
  EXPECT_EQ(sniffed.error().kind, ErrorKind::kUnsupported);
  EXPECT_EQ(sniffed.error().code, "unsupported_media_type");
}

std::string Ftyp(std::string major, std::string compatible) {
  std::string box = major + "\0\0\0\0"s + compatible;
  uint32_t size = static_cast<uint32_t>(8 + box.size());
  std::string head = {char(size >> 24), char(size >> 16), char(size >> 8), char(size)};
  return head + "ftyp" + box + "\0\0\0\x08meta"s;
}

TEST(Sniff, RecognisesAcceptedFormats) {
  ExpectType("\xFF\xD8\xFF\xE0\0\x10JFIF\0"s, MediaType::kJpeg);
  ExpectType("\x89PNG\r\n\x1A\n\0\0\0\x0DIHDR"s, MediaType::kPng);
  ExpectType("GIF89a\x01\0\x01\0"s, MediaType::kGif);
  ExpectType("GIF87a\x01\0\x01\0"s, MediaType::kGif);
  ExpectType("RIFF\x24\0\0\0WEBPVP8 "s, MediaType::kWebp);
  ExpectType(Ftyp("heic", "mif1heic"), MediaType::kHeic);
  ExpectType(Ftyp("mif1", "mif1heix"), MediaType::kHeic);
  ExpectType(Ftyp("avif", "mif1avifmiaf"), MediaType::kAvif);
  ExpectType(Ftyp("mif1", "mif1miafavif"), MediaType::kAvif);
}

TEST(Sniff, RefusesEverythingElse) {
  ExpectUnsupported("");
  ExpectUnsupported("\xFF\xD8");  // too short to be a JPEG
  ExpectUnsupported("<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"/>");
  ExpectUnsupported("<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>");
  ExpectUnsupported("8BPS\0\x01\0\0\0\0\0\0"s);                 // PSD
  ExpectUnsupported("II*\0\x08\0\0\0"s);                         // TIFF, little-endian
  ExpectUnsupported("MM\0*\0\0\0\x08"s);                         // TIFF, big-endian
  ExpectUnsupported("BM\x36\0\0\0\0\0\0\0\x36\0\0\0"s);          // BMP
  ExpectUnsupported("\0\0\x01\0\x01\0\x10\x10\0\0"s);            // ICO
  ExpectUnsupported("%PDF-1.7\n");
  ExpectUnsupported("push graphic-context\nviewbox 0 0 640 480\n");  // MVG
  ExpectUnsupported("<!DOCTYPE html><html><body><img src=x onerror=alert(1)></body></html>");
  ExpectUnsupported("RIFF\x24\0\0\0WAVEfmt "s);                  // RIFF, not WebP
  ExpectUnsupported(Ftyp("mif1", "mif1miaf"));                    // HEIF of unknown codec
  ExpectUnsupported(Ftyp("isom", "isomiso2mp41"));                // MP4 video
  ExpectUnsupported(" \xFF\xD8\xFF"s);                             // not at the start
}

}  // namespace
}  // namespace vantage::media
