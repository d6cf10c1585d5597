// Removes metadata from a WebP file at the RIFF level.
//
// libvips 8.14's webpsave ignores `strip` and writes an EXIF chunk even when
// the image carries no fields (libvips issue 3340), so every WebP we encode
// passes through here: only the chunks that hold pixels are kept (VP8X,
// ALPH, VP8, VP8L), and the VP8X flags are cleared except the alpha bit.
// EXIF, XMP, ICCP and any chunk we do not know are dropped.
//
// Errors: kInternal "metadata_left" if the input is not a well-formed
// still WebP (this only ever sees our own encoder's output).
#pragma once

#include <string>
#include <string_view>

#include "core/error.h"

namespace vantage::media {

Result<std::string> StripWebpMetadata(std::string_view webp);

}  // namespace vantage::media
