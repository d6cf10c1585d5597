// Images made at test time with libvips, so no binary fixture is checked in.
#pragma once

#include <vips/vips8>

#include <string>
#include <vector>

#include "media/libvips.h"

namespace vantage::media::testing {

inline std::string TakeBlob(VipsBlob* blob) {
  size_t length = 0;
  const void* data = vips_blob_get(blob, &length);
  std::string out(static_cast<const char*>(data), length);
  vips_area_unref(VIPS_AREA(blob));
  return out;
}

// Three bands of gaussian noise, 8-bit sRGB: incompressible, like a photo.
inline vips::VImage Noise(int width, int height) {
  (void)InitLibvips();
  auto band = [&] { return vips::VImage::gaussnoise(width, height); };
  return band()
      .bandjoin(band())
      .bandjoin(band())
      .cast(VIPS_FORMAT_UCHAR)
      .copy(vips::VImage::option()->set("interpretation", VIPS_INTERPRETATION_sRGB));
}

inline vips::VImage Solid(int width, int height, std::vector<double> rgb) {
  (void)InitLibvips();
  return vips::VImage::black(width, height, vips::VImage::option()->set("bands", 3))
      .new_from_image(rgb)
      .copy(vips::VImage::option()->set("interpretation", VIPS_INTERPRETATION_sRGB));
}

inline std::string Jpeg(const vips::VImage& image, int quality = 90) {
  return TakeBlob(image.jpegsave_buffer(vips::VImage::option()->set("Q", quality)));
}

// Decodes an output file for pixel checks (jpeg/webp loaders stay allowed).
inline vips::VImage Decode(const std::string& bytes) {
  return vips::VImage::new_from_buffer(bytes.data(), bytes.size(), "").copy_memory();
}

// Mean of each band over a rectangle.
inline std::vector<double> MeanColour(const vips::VImage& image, int left, int top, int width, int height) {
  vips::VImage region = image.extract_area(left, top, width, height);
  std::vector<double> means;
  for (int band = 0; band < 3; ++band) means.push_back(region.extract_band(band).avg());
  return means;
}

}  // namespace vantage::media::testing
