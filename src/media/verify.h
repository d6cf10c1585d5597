// The last step of the media pipeline: prove an output file carries no
// metadata, failing closed.
//
// Each encoded file is parsed again, independently of how it was made, and
// accepted only if every structure in it is one that holds pixels:
//   JPEG: SOI, APP0 "JFIF" without a thumbnail, DQT, DHT, DRI, SOF0/1/2, SOS
//         with its entropy-coded data, RSTn, EOI, and nothing after EOI.
//         Any other APPn (EXIF, XMP, ICC, Photoshop/IPTC, JFXX ...), COM or
//         unknown marker fails.
//   WebP: RIFF with exact sizes holding only VP8X (no ICC/EXIF/XMP/animation
//         flags), ALPH, VP8 and VP8L chunks.
// Anything else, including any other format, fails: kInternal
// "metadata_left". A failure here is a bug, never the uploader's fault, and
// the caller must then publish nothing of the upload.
#pragma once

#include <string_view>

#include "core/error.h"

namespace vantage::media {

enum class OutputFormat { kJpeg, kWebp };

Status VerifyNoMetadata(std::string_view bytes, OutputFormat format);

Error MetadataLeft(std::string_view detail);

}  // namespace vantage::media
