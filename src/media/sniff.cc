#include "media/sniff.h"

#include <array>
#include <cstdint>

#include "media/bytes.h"

namespace vantage::media {
namespace {

Error Unsupported() {
  return {ErrorKind::kUnsupported, "unsupported_media_type",
          "Unsupported media type: upload a JPEG, PNG, WebP, HEIC, AVIF or GIF image", "file"};
}

bool StartsWith(std::string_view bytes, std::string_view prefix) {
  return bytes.substr(0, prefix.size()) == prefix;
}

// ISO BMFF: [size:4]["ftyp"][major:4][minor:4][compatible:4]*. HEIF is the
// container of both HEIC (HEVC) and AVIF (AV1); the brands say which codec.
// A bare "mif1" says only "some HEIF" and is not enough to accept the file.
Result<MediaType> SniffFtyp(std::string_view bytes) {
  uint32_t box_size = ReadBe32(bytes, 0);
  if (box_size < 16 || box_size > bytes.size() || box_size > 4096) return Unsupported();
  static constexpr std::array<std::string_view, 2> kAvif = {"avif", "avis"};
  static constexpr std::array<std::string_view, 6> kHeic = {"heic", "heix", "heim",
                                                             "heis", "hevc", "hevx"};
  auto classify = [](std::string_view brand) -> int {
    for (auto b : kAvif) if (brand == b) return 1;
    for (auto b : kHeic) if (brand == b) return 2;
    return 0;
  };
  // The major brand decides when it is conclusive; otherwise the first
  // conclusive compatible brand does.
  if (int c = classify(bytes.substr(8, 4)); c != 0) return c == 1 ? MediaType::kAvif : MediaType::kHeic;
  for (uint32_t offset = 16; offset + 4 <= box_size; offset += 4) {
    if (int c = classify(bytes.substr(offset, 4)); c != 0) {
      return c == 1 ? MediaType::kAvif : MediaType::kHeic;
    }
  }
  return Unsupported();
}

}  // namespace

std::string_view MediaTypeName(MediaType type) {
  switch (type) {
    case MediaType::kJpeg: return "jpeg";
    case MediaType::kPng: return "png";
    case MediaType::kWebp: return "webp";
    case MediaType::kGif: return "gif";
    case MediaType::kHeic: return "heic";
    case MediaType::kAvif: return "avif";
  }
  return "unknown";
}

Result<MediaType> Sniff(std::string_view bytes) {
  if (StartsWith(bytes, "\xFF\xD8\xFF")) return MediaType::kJpeg;
  if (StartsWith(bytes, std::string_view("\x89PNG\r\n\x1A\n", 8))) return MediaType::kPng;
  if (StartsWith(bytes, "GIF87a") || StartsWith(bytes, "GIF89a")) return MediaType::kGif;
  if (bytes.size() >= 12 && StartsWith(bytes, "RIFF") && bytes.substr(8, 4) == "WEBP") {
    return MediaType::kWebp;
  }
  if (bytes.size() >= 16 && bytes.substr(4, 4) == "ftyp") return SniffFtyp(bytes);
  return Unsupported();
}

}  // namespace vantage::media
