// Step 1 of the media pipeline: what kind of image is this?
//
// The type is decided from the bytes alone, never from a file name or a
// Content-Type header. Only the formats Vantage decodes are recognised; every
// other input (SVG, PSD, TIFF, BMP, ICO, PDF, MVG, HTML, an empty body, ...)
// is an Error of kind kUnsupported with code "unsupported_media_type", which
// the API answers with 415.
#pragma once

#include <string_view>

#include "core/error.h"

namespace vantage::media {

enum class MediaType { kJpeg, kPng, kWebp, kGif, kHeic, kAvif };

// "jpeg", "png", "webp", "gif", "heic", "avif".
std::string_view MediaTypeName(MediaType type);

// Looks at the leading bytes only (at most the first ftyp box); never decodes.
// Thread-safe, no allocation on success.
Result<MediaType> Sniff(std::string_view bytes);

}  // namespace vantage::media
