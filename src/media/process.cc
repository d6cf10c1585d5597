#include "media/process.h"

#include <glib.h>
#include <vips/vips8>

#include <algorithm>
#include <cmath>

#include "media/blurhash.h"
#include "media/libvips.h"
#include "media/variants.h"
#include "media/verify.h"
#include "media/webp_container.h"

namespace vantage::media {
namespace {

using vips::VImage;

constexpr const VariantSpec& kLargest = kVariants[0];
constexpr const VariantSpec& kSquare = kVariants[2];

// Owns one reference to a VipsBlob; the blob borrows the upload's bytes, and
// every image made from it must be gone (or copied to memory) before this is.
class Blob {
 public:
  explicit Blob(std::string_view bytes) : blob_(vips_blob_new(nullptr, bytes.data(), bytes.size())) {}
  ~Blob() { vips_area_unref(VIPS_AREA(blob_)); }
  Blob(const Blob&) = delete;
  Blob& operator=(const Blob&) = delete;
  VipsBlob* get() const { return blob_; }

 private:
  VipsBlob* blob_;
};

std::string TakeBlob(VipsBlob* blob) {
  size_t length = 0;
  const void* data = vips_blob_get(blob, &length);
  std::string out(static_cast<const char*>(data), length);
  vips_area_unref(VIPS_AREA(blob));
  return out;
}

// The sniffed type picks the loader: libvips never guesses the format.
VImage LoadLazily(VipsBlob* blob, MediaType type, vips::VOption* options = nullptr) {
  switch (type) {
    case MediaType::kJpeg: return VImage::jpegload_buffer(blob, options);
    case MediaType::kPng: return VImage::pngload_buffer(blob, options);
    case MediaType::kWebp: return VImage::webpload_buffer(blob, options);
    case MediaType::kGif: return VImage::gifload_buffer(blob, options);
    case MediaType::kHeic:
    case MediaType::kAvif: return VImage::heifload_buffer(blob, options);
  }
  throw vips::VError("unknown media type");
}

bool SwapsAxes(const VImage& header) {
  if (header.get_typeof(VIPS_META_ORIENTATION) == 0) return false;
  int orientation = header.get_int(VIPS_META_ORIENTATION);
  return orientation >= 5 && orientation <= 8;
}

// Decodes once, to the smallest size from which every variant can still be
// made without upscaling: inside the largest box, but with a short side no
// smaller than the square's (a panorama would otherwise get a blurry thumb).
VImage Decode(VipsBlob* blob, MediaType type, int* upright_width, int* upright_height) {
  VImage header = LoadLazily(blob, type);  // parses the header only
  double width = header.width(), height = header.height();
  if (SwapsAxes(header)) std::swap(width, height);
  *upright_width = static_cast<int>(width);
  *upright_height = static_cast<int>(height);

  // Usually the largest variant's box is the decode target, and `large` is
  // the decoded image itself; a panorama is decoded larger, for its thumb.
  double fit = std::min({kLargest.max_width / width, kLargest.max_height / height, 1.0});
  double cover = std::min(kSquare.max_width / std::min(width, height), 1.0);
  int box_width = kLargest.max_width, box_height = kLargest.max_height;
  if (cover > fit) {
    box_width = std::max(1, static_cast<int>(std::lround(width * cover)));
    box_height = VIPS_MAX_COORD;
  }
  // An embedded profile (Display P3 from phones, Adobe RGB, CMYK ...) is
  // applied while shrinking: the profile itself is then removed with the
  // rest of the metadata, so the pixels must already be sRGB.
  const bool has_profile = header.get_typeof(VIPS_META_ICC_NAME) != 0;
  auto box = [&] {
    vips::VOption* options = VImage::option()->set("height", box_height)->set("size", VIPS_SIZE_DOWN);
    return has_profile ? options->set("export_profile", "srgb") : options;
  };

  VImage decoded;
  if (type == MediaType::kHeic || type == MediaType::kAvif) {
    // thumbnail_buffer would shrink-on-load a HEIF by decoding its embedded
    // thumbnail, which need not show what the main image shows. Decode the
    // primary image and resize that.
    VImage full = LoadLazily(blob, type, VImage::option()->set("fail_on", VIPS_FAIL_ON_ERROR));
    decoded = full.thumbnail_image(box_width, box());
  } else {
    // fail_on works here only as an option string (libvips 8.14).
    decoded = VImage::thumbnail_buffer(blob, box_width, box()->set("option_string", "fail_on=error"));
  }
  if (decoded.interpretation() != VIPS_INTERPRETATION_sRGB) {
    decoded = decoded.colourspace(VIPS_INTERPRETATION_sRGB);
  }
  if (decoded.format() != VIPS_FORMAT_UCHAR) decoded = decoded.cast(VIPS_FORMAT_UCHAR);
  // The only decode: every variant below reads these pixels from memory.
  return decoded.copy_memory();
}

// Removes every metadata field (EXIF, XMP, IPTC, ICC, orientation, PNG text,
// comments, ...) from an image we own, so no encoder can write any back.
void RemoveAllMetadata(VImage& image) {
  gchar** fields = vips_image_get_fields(image.get_image());
  for (gchar** field = fields; *field != nullptr; ++field) image.remove(*field);
  g_strfreev(fields);
}

VImage FitInside(const VImage& image, const VariantSpec& spec) {
  if (image.width() <= spec.max_width && image.height() <= spec.max_height) return image;
  return image.thumbnail_image(
      spec.max_width, VImage::option()->set("height", spec.max_height)->set("size", VIPS_SIZE_DOWN));
}

VImage SquareCrop(const VImage& image, const VariantSpec& spec, const std::optional<FocusPoint>& focus) {
  int side = std::min({spec.max_width, image.width(), image.height()});
  if (!focus) {
    return image.thumbnail_image(side, VImage::option()
                                           ->set("height", side)
                                           ->set("size", VIPS_SIZE_DOWN)
                                           ->set("crop", VIPS_INTERESTING_ATTENTION));
  }
  double scale = static_cast<double>(side) / std::min(image.width(), image.height());
  VImage scaled = scale < 1 ? image.resize(scale) : image;
  side = std::min({side, scaled.width(), scaled.height()});
  // Focus y points up (Mastodon); image rows count down.
  double centre_x = (focus->x + 1) / 2 * scaled.width();
  double centre_y = (1 - focus->y) / 2 * scaled.height();
  int left = std::clamp(static_cast<int>(std::lround(centre_x - side / 2.0)), 0, scaled.width() - side);
  int top = std::clamp(static_cast<int>(std::lround(centre_y - side / 2.0)), 0, scaled.height() - side);
  return scaled.crop(left, top, side, side);
}

Result<std::string> EncodeJpeg(const VImage& image) {
  VImage opaque = image.has_alpha()
                      ? image.flatten(VImage::option()->set("background", std::vector<double>{255, 255, 255}))
                      : image;
  if (opaque.format() != VIPS_FORMAT_UCHAR) opaque = opaque.cast(VIPS_FORMAT_UCHAR);
  std::string jpeg = TakeBlob(opaque.jpegsave_buffer(VImage::option()
                                                         ->set("Q", kEncodeQuality)
                                                         ->set("strip", true)
                                                         ->set("optimize_coding", true)));
  VANTAGE_TRY(VerifyNoMetadata(jpeg, OutputFormat::kJpeg));
  return jpeg;
}

Result<std::string> EncodeWebp(const VImage& image) {
  // strip is ignored by webpsave in 8.14; StripWebpMetadata does the work.
  std::string encoded =
      TakeBlob(image.webpsave_buffer(
          VImage::option()->set("Q", kEncodeQuality)->set("effort", kWebpEffort)->set("strip", true)));
  auto webp = StripWebpMetadata(encoded);
  if (!webp) return std::move(webp).error();
  VANTAGE_TRY(VerifyNoMetadata(*webp, OutputFormat::kWebp));
  return std::move(*webp);
}

Result<Variant> MakeVariant(const VImage& image, const VariantSpec& spec) {
  Variant variant;
  variant.name = spec.name;
  variant.width = image.width();
  variant.height = image.height();
  variant.aspect = static_cast<double>(image.width()) / image.height();
  auto webp = EncodeWebp(image);
  if (!webp) return std::move(webp).error();
  auto jpeg = EncodeJpeg(image);
  if (!jpeg) return std::move(jpeg).error();
  variant.webp = std::move(*webp);
  variant.jpeg = std::move(*jpeg);
  return variant;
}

std::string Blurhash(const VImage& image) {
  size_t size = 0;
  void* pixels = image.write_to_memory(&size);
  std::string hash = EncodeBlurhash(static_cast<const uint8_t*>(pixels), image.width(), image.height(),
                                    image.bands());
  g_free(pixels);
  return hash;
}

}  // namespace

Result<ProcessedImage> ProcessImage(std::string_view bytes, const ProcessOptions& options) {
  auto type = Sniff(bytes);
  if (!type) return std::move(type).error();
  auto size = ReadHeader(bytes, *type);
  if (!size) return std::move(size).error();
  VANTAGE_TRY(CheckPixelLimit(*size, options.max_pixels));
  if (options.focus && (!(std::abs(options.focus->x) <= 1) || !(std::abs(options.focus->y) <= 1))) {
    return Error::Invalid("focus", "focus must be two numbers from -1 to 1", "invalid_focus");
  }
  VANTAGE_TRY(InitLibvips());

  ProcessedImage result;
  result.source_type = *type;
  VImage decoded;
  {
    Blob blob(bytes);
    try {
      decoded = Decode(blob.get(), *type, &result.original_width, &result.original_height);
    } catch (const vips::VError& e) {
      vips_error_clear();
      return InvalidImage("decoding failed");
    }
  }  // the upload's bytes are no longer referenced by any image
  if (decoded.bands() != 3 && decoded.bands() != 4) return InvalidImage("unexpected band count");

  try {
    RemoveAllMetadata(decoded);
    for (const VariantSpec& spec : kVariants) {
      VImage image = spec.shape == VariantShape::kSquareCrop ? SquareCrop(decoded, spec, options.focus)
                                                             : FitInside(decoded, spec);
      image = image.copy_memory();
      auto variant = MakeVariant(image, spec);
      if (!variant) return std::move(variant).error();
      if (spec.name == "small") result.blurhash = Blurhash(image);
      result.variants.push_back(std::move(*variant));
    }
  } catch (const vips::VError& e) {
    vips_error_clear();
    return Error::Internal(std::string("image processing failed: ") + e.what());
  }
  return result;
}

Result<ProcessedAvatar> ProcessAvatar(std::string_view bytes, uint64_t max_pixels) {
  auto type = Sniff(bytes);
  if (!type) return std::move(type).error();
  auto size = ReadHeader(bytes, *type);
  if (!size) return std::move(size).error();
  VANTAGE_TRY(CheckPixelLimit(*size, max_pixels));
  VANTAGE_TRY(InitLibvips());

  ProcessedAvatar result;
  result.source_type = *type;
  VImage decoded;
  {
    Blob blob(bytes);
    try {
      VImage header = LoadLazily(blob.get(), *type);
      const bool has_profile = header.get_typeof(VIPS_META_ICC_NAME) != 0;
      vips::VOption* options = VImage::option()
                                   ->set("height", kAvatarSide)
                                   ->set("size", VIPS_SIZE_DOWN)
                                   ->set("crop", VIPS_INTERESTING_CENTRE);
      if (has_profile) options->set("export_profile", "srgb");
      if (*type == MediaType::kHeic || *type == MediaType::kAvif) {
        // The primary image, not the embedded thumbnail (see Decode).
        VImage full = LoadLazily(blob.get(), *type, VImage::option()->set("fail_on", VIPS_FAIL_ON_ERROR));
        decoded = full.thumbnail_image(kAvatarSide, options);
      } else {
        decoded = VImage::thumbnail_buffer(blob.get(), kAvatarSide, options->set("option_string", "fail_on=error"));
      }
      if (decoded.interpretation() != VIPS_INTERPRETATION_sRGB)
        decoded = decoded.colourspace(VIPS_INTERPRETATION_sRGB);
      if (decoded.format() != VIPS_FORMAT_UCHAR) decoded = decoded.cast(VIPS_FORMAT_UCHAR);
      decoded = decoded.copy_memory();
    } catch (const vips::VError& e) {
      vips_error_clear();
      return InvalidImage("decoding failed");
    }
  }
  if (decoded.bands() != 3 && decoded.bands() != 4) return InvalidImage("unexpected band count");

  try {
    RemoveAllMetadata(decoded);
    // thumbnail crops to the box's shape only when the image fills it.
    int side = std::min(decoded.width(), decoded.height());
    VImage square = decoded.width() == decoded.height()
                        ? decoded
                        : decoded.crop((decoded.width() - side) / 2, (decoded.height() - side) / 2, side, side)
                              .copy_memory();
    int small_side = std::min(side, kAvatarSmallSide);
    VImage small = side > small_side ? square
                                           .thumbnail_image(small_side, VImage::option()
                                                                            ->set("height", small_side)
                                                                            ->set("size", VIPS_SIZE_DOWN)
                                                                            ->set("crop", VIPS_INTERESTING_CENTRE))
                                           .copy_memory()
                                     : square;
    auto jpeg = EncodeJpeg(square);
    if (!jpeg) return std::move(jpeg).error();
    auto small_jpeg = EncodeJpeg(small);
    if (!small_jpeg) return std::move(small_jpeg).error();
    result.side = square.width();
    result.small_side = small.width();
    result.jpeg = std::move(*jpeg);
    result.small_jpeg = std::move(*small_jpeg);
  } catch (const vips::VError& e) {
    vips_error_clear();
    return Error::Internal(std::string("image processing failed: ") + e.what());
  }
  return result;
}

}  // namespace vantage::media
