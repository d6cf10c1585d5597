// Step 2 of the media pipeline: how big will this image be once decoded?
//
// The width and height are read from the file header without decoding a
// single pixel, so that a decompression bomb is refused before it costs any
// memory. JPEG (SOF), PNG (IHDR), GIF (logical screen and first image
// descriptor) and WebP (VP8, VP8L, VP8X) are parsed here by hand; HEIC and
// AVIF are read with libvips' header-only heifload, which parses the
// container boxes but does not decode.
//
// Errors (all kind kInvalid, answered 422):
//   "invalid_image"   the header is malformed or truncated;
//   "image_too_large" width × height exceeds the configured pixel limit.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/error.h"
#include "media/sniff.h"

namespace vantage::media {

inline constexpr uint64_t kDefaultMaxPixels = 50'000'000;

// Stored dimensions, before any EXIF orientation is applied.
struct ImageSize {
  uint32_t width = 0;
  uint32_t height = 0;
};

// `type` must be what Sniff() returned for `bytes`. Thread-safe.
Result<ImageSize> ReadHeader(std::string_view bytes, MediaType type);

// kInvalid "image_too_large" when width × height > max_pixels.
Status CheckPixelLimit(ImageSize size, uint64_t max_pixels = kDefaultMaxPixels);

// The errors of this step, shared with later steps that find the same faults.
Error InvalidImage(std::string_view detail);
Error ImageTooLarge(ImageSize size, uint64_t max_pixels);

}  // namespace vantage::media
