// The media pipeline: one uploaded image in, scrubbed variants out.
//
//   Sniff        type from the bytes (sniff.h)            415 unsupported_media_type
//   ReadHeader   size before decoding (header.h)          422 invalid_image / image_too_large
//   decode       once, shrink-on-load, fail_on=error      422 invalid_image
//   orient       EXIF orientation applied, then sRGB
//   strip        every metadata field removed from the decoded image
//   derive       large, small, thumb from the decoded image (variants.h)
//   encode       WebP and JPEG per variant; WebP RIFF metadata chunks dropped
//   verify       each output parsed again; any metadata → 500 metadata_left
//   blurhash     4×3 components from the small variant
//
// Contract:
//   - ProcessImage blocks for tens to hundreds of milliseconds of CPU: call it
//     on the bounded CPU pool, never on an I/O thread. It is thread-safe; each
//     call uses one thread (libvips concurrency is 1).
//   - It owns no global state beyond libvips' one-time initialisation
//     (libvips.h), and never writes to disk: the upload is read from memory,
//     and every output is returned in memory.
//   - It fails closed: either every variant is produced, in both formats, and
//     verified free of metadata, or an Error is returned and nothing is.
//     Truncated or corrupt input is an error, never half a picture.
//   - No byte of the input is copied to an output: outputs are encoded from
//     decoded pixels.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "media/header.h"
#include "media/sniff.h"

namespace vantage::media {

// Mastodon's focal point: x from -1 (left) to 1 (right), y from -1 (bottom)
// to 1 (top); (0, 0) is the centre.
struct FocusPoint {
  double x = 0;
  double y = 0;
};

struct ProcessOptions {
  uint64_t max_pixels = kDefaultMaxPixels;
  // The square thumbnail is cropped around this point; without one, around
  // libvips' "attention" estimate of the most interesting region.
  std::optional<FocusPoint> focus;
};

struct Variant {
  std::string name;  // as in variants.h: "large", "small", "thumb"
  int width = 0;
  int height = 0;
  double aspect = 0;  // width / height
  std::string webp;
  std::string jpeg;
};

struct ProcessedImage {
  MediaType source_type = MediaType::kJpeg;
  int original_width = 0;   // upright, after EXIF orientation
  int original_height = 0;
  std::vector<Variant> variants;  // in the order of kVariants
  std::string blurhash;           // from the small variant, 4×3 components
};

// Errors: kUnsupported "unsupported_media_type"; kInvalid "invalid_image" or
// "image_too_large"; kInvalid "invalid_focus" for a focus outside -1..1;
// kInternal "metadata_left" or "internal_error" for failures that are ours.
Result<ProcessedImage> ProcessImage(std::string_view bytes, const ProcessOptions& options = {});

// A profile picture: the same steps as ProcessImage (sniff, header, pixel
// limit, one decode, orient, sRGB, strip, verify), cropped around the centre
// to squares of kAvatarSide and kAvatarSmallSide (smaller images stay their
// size), each encoded as JPEG only. Same errors and contract.
inline constexpr int kAvatarSide = 400;
inline constexpr int kAvatarSmallSide = 96;
struct ProcessedAvatar {
  MediaType source_type = MediaType::kJpeg;
  int side = 0;
  int small_side = 0;
  std::string jpeg;
  std::string small_jpeg;
};
Result<ProcessedAvatar> ProcessAvatar(std::string_view bytes, uint64_t max_pixels = kDefaultMaxPixels);

}  // namespace vantage::media
