#include "media/verify.h"

#include <cstdio>
#include <string>

#include "media/bytes.h"

namespace vantage::media {
namespace {

Status VerifyJpeg(std::string_view b) {
  if (ReadBe16(b, 0) != 0xFFD8) return MetadataLeft("JPEG without SOI");
  size_t p = 2;
  bool seen_frame = false;
  while (true) {
    if (p + 2 > b.size() || ByteAt(b, p) != 0xFF) return MetadataLeft("JPEG marker expected");
    uint32_t marker = ByteAt(b, p + 1);
    p += 2;
    if (marker == 0xD9) {
      if (p != b.size()) return MetadataLeft("bytes after JPEG EOI");
      if (!seen_frame) return MetadataLeft("JPEG without a frame");
      return Ok();
    }
    if (marker >= 0xD0 && marker <= 0xD7) continue;  // RSTn between scans' data
    uint32_t length = ReadBe16(b, p);
    if (length < 2 || p + length > b.size()) return MetadataLeft("truncated JPEG segment");
    std::string_view segment = b.substr(p + 2, length - 2);
    switch (marker) {
      case 0xE0:
        // JFIF: identifier, version, units, densities, and a zero-sized
        // thumbnail; a JFXX extension (which can carry a thumbnail) fails.
        if (segment.size() != 14 || segment.substr(0, 5) != std::string_view("JFIF\0", 5) ||
            ByteAt(segment, 12) != 0 || ByteAt(segment, 13) != 0) {
          return MetadataLeft("APP0 segment other than a plain JFIF header");
        }
        break;
      case 0xDB: case 0xC4: case 0xDD:  // DQT, DHT, DRI
        break;
      case 0xC0: case 0xC1: case 0xC2:  // baseline, extended, progressive frames
        seen_frame = true;
        break;
      case 0xDA: {  // SOS: skip the header, then the entropy-coded data
        if (!seen_frame) return MetadataLeft("JPEG scan before its frame");
        p += length;
        while (p + 1 < b.size()) {
          if (ByteAt(b, p) == 0xFF) {
            uint32_t next = ByteAt(b, p + 1);
            if (next != 0x00 && !(next >= 0xD0 && next <= 0xD7)) break;
          }
          ++p;
        }
        continue;
      }
      default: {
        char name[8];
        std::snprintf(name, sizeof name, "0x%02X", marker);
        return MetadataLeft(std::string("JPEG segment ") + name + " (APPn, COM or unknown)");
      }
    }
    p += length;
  }
}

Status VerifyWebp(std::string_view b) {
  if (b.size() < 12 || b.substr(0, 4) != "RIFF" || b.substr(8, 4) != "WEBP" ||
      uint64_t{ReadLe32(b, 4)} + 8 != b.size()) {
    return MetadataLeft("malformed RIFF container");
  }
  size_t p = 12;
  bool seen_bitstream = false;
  while (p < b.size()) {
    if (p + 8 > b.size()) return MetadataLeft("truncated WebP chunk header");
    std::string_view fourcc = b.substr(p, 4);
    uint64_t size = ReadLe32(b, p + 4);
    uint64_t padded = size + (size & 1);
    if (p + 8 + padded > b.size()) return MetadataLeft("truncated WebP chunk");
    if (fourcc == "VP8X") {
      if (p != 12 || size < 10) return MetadataLeft("misplaced VP8X chunk");
      if ((ByteAt(b, p + 8) & ~0x10u) != 0) return MetadataLeft("VP8X announces metadata or animation");
    } else if (fourcc == "VP8 " || fourcc == "VP8L") {
      seen_bitstream = true;
    } else if (fourcc != "ALPH") {
      return MetadataLeft("WebP chunk " + std::string(fourcc));
    }
    p += 8 + padded;
  }
  if (!seen_bitstream) return MetadataLeft("WebP without a bitstream");
  return Ok();
}

}  // namespace

Error MetadataLeft(std::string_view detail) {
  return {ErrorKind::kInternal, "metadata_left",
          "Refusing an output that may carry metadata: " + std::string(detail)};
}

Status VerifyNoMetadata(std::string_view bytes, OutputFormat format) {
  switch (format) {
    case OutputFormat::kJpeg: return VerifyJpeg(bytes);
    case OutputFormat::kWebp: return VerifyWebp(bytes);
  }
  return MetadataLeft("unknown output format");
}

}  // namespace vantage::media
