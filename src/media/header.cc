#include "media/header.h"

#include <vips/vips8>

#include <algorithm>
#include <string>

#include "media/bytes.h"
#include "media/libvips.h"

namespace vantage::media {
namespace {

// Dimensions any format here can express fit in 31 bits; larger is a lie.
constexpr uint32_t kMaxSide = 0x7FFFFFFF;

Result<ImageSize> Checked(uint32_t width, uint32_t height) {
  if (width == 0 || height == 0 || width > kMaxSide || height > kMaxSide) {
    return InvalidImage("the header gives an impossible size");
  }
  return ImageSize{width, height};
}

bool IsSofMarker(uint32_t marker) {
  // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
  return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
}

Result<ImageSize> JpegHeader(std::string_view b) {
  size_t p = 2;  // after SOI
  while (true) {
    if (p >= b.size() || ByteAt(b, p) != 0xFF) return InvalidImage("no JPEG frame header");
    while (p < b.size() && ByteAt(b, p) == 0xFF) ++p;  // fill bytes
    if (p >= b.size()) return InvalidImage("no JPEG frame header");
    uint32_t marker = ByteAt(b, p);
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {  // standalone markers
      ++p;
      continue;
    }
    if (marker == 0xD9 || marker == 0xDA) return InvalidImage("JPEG scan before its frame header");
    uint32_t length = ReadBe16(b, p + 1);
    if (length < 2 || p + 1 + length > b.size()) return InvalidImage("truncated JPEG segment");
    if (IsSofMarker(marker)) {
      if (length < 8) return InvalidImage("short JPEG frame header");
      // Height 0 means "defined by a later DNL marker": refused, since the
      // size could then not be checked before decoding.
      return Checked(ReadBe16(b, p + 6), ReadBe16(b, p + 4));
    }
    p += 1 + length;
  }
}

Result<ImageSize> PngHeader(std::string_view b) {
  if (b.size() < 24 || ReadBe32(b, 8) != 13 || b.substr(12, 4) != "IHDR") {
    return InvalidImage("PNG without IHDR");
  }
  return Checked(ReadBe32(b, 16), ReadBe32(b, 20));
}

// The canvas is the logical screen, grown to hold the first frame: decoders
// differ on frames that overhang the screen, so the larger figure is checked.
Result<ImageSize> GifHeader(std::string_view b) {
  if (b.size() < 13) return InvalidImage("truncated GIF header");
  uint32_t width = ReadLe16(b, 6), height = ReadLe16(b, 8);
  uint32_t flags = ByteAt(b, 10);
  size_t p = 13;
  if (flags & 0x80) p += 3u << ((flags & 7) + 1);  // global colour table
  while (p < b.size()) {
    uint32_t block = ByteAt(b, p);
    if (block == 0x2C) {  // image descriptor
      if (p + 10 > b.size()) break;
      width = std::max(width, ReadLe16(b, p + 1) + ReadLe16(b, p + 5));
      height = std::max(height, ReadLe16(b, p + 3) + ReadLe16(b, p + 7));
      return Checked(width, height);
    }
    if (block != 0x21) return InvalidImage("GIF without an image");
    p += 2;  // introducer and label, then data sub-blocks up to a zero length
    while (p < b.size() && ByteAt(b, p) != 0) p += 1 + ByteAt(b, p);
    ++p;
  }
  return InvalidImage("truncated GIF");
}

Result<ImageSize> WebpHeader(std::string_view b) {
  if (b.size() < 30) return InvalidImage("truncated WebP header");
  std::string_view fourcc = b.substr(12, 4);
  const size_t d = 20;  // first chunk's payload
  if (fourcc == "VP8 ") {
    if (ByteAt(b, d + 3) != 0x9D || ByteAt(b, d + 4) != 0x01 || ByteAt(b, d + 5) != 0x2A) {
      return InvalidImage("WebP VP8 frame without its start code");
    }
    return Checked(ReadLe16(b, d + 6) & 0x3FFF, ReadLe16(b, d + 8) & 0x3FFF);
  }
  if (fourcc == "VP8L") {
    if (ByteAt(b, d) != 0x2F) return InvalidImage("WebP VP8L without its signature");
    uint32_t bits = ReadLe32(b, d + 1);
    return Checked((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1);
  }
  if (fourcc == "VP8X") return Checked(ReadLe24(b, d + 4) + 1, ReadLe24(b, d + 7) + 1);
  return InvalidImage("WebP without a frame header");
}

Result<ImageSize> HeifHeader(std::string_view b) {
  VANTAGE_TRY(InitLibvips());
  // The blob borrows the bytes; the image is dropped before we return.
  VipsBlob* blob = vips_blob_new(nullptr, b.data(), b.size());
  try {
    // heifload is lazy: building it parses the boxes, decoding waits for a
    // pixel to be asked for, and none is.
    vips::VImage image = vips::VImage::heifload_buffer(blob);
    vips_area_unref(VIPS_AREA(blob));
    return Checked(static_cast<uint32_t>(image.width()), static_cast<uint32_t>(image.height()));
  } catch (const vips::VError&) {
    vips_area_unref(VIPS_AREA(blob));
    vips_error_clear();
    return InvalidImage("unreadable HEIF header");
  }
}

}  // namespace

Error InvalidImage(std::string_view detail) {
  return Error::Invalid("file", "The image is corrupt or truncated (" + std::string(detail) + ")",
                        "invalid_image");
}

Error ImageTooLarge(ImageSize size, uint64_t max_pixels) {
  return Error::Invalid("file",
                        "The image is " + std::to_string(size.width) + "x" +
                            std::to_string(size.height) + " pixels; at most " +
                            std::to_string(max_pixels) + " pixels are accepted",
                        "image_too_large");
}

Result<ImageSize> ReadHeader(std::string_view bytes, MediaType type) {
  switch (type) {
    case MediaType::kJpeg: return JpegHeader(bytes);
    case MediaType::kPng: return PngHeader(bytes);
    case MediaType::kGif: return GifHeader(bytes);
    case MediaType::kWebp: return WebpHeader(bytes);
    case MediaType::kHeic:
    case MediaType::kAvif: return HeifHeader(bytes);
  }
  return InvalidImage("unknown type");
}

Status CheckPixelLimit(ImageSize size, uint64_t max_pixels) {
  if (uint64_t{size.width} * size.height > max_pixels) return ImageTooLarge(size, max_pixels);
  return Ok();
}

}  // namespace vantage::media
