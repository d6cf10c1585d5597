// Request parameters from the query string and the body, whatever the body's
// encoding: JSON, form-urlencoded or multipart/form-data (Mastodon clients use
// all three). Typed getters check types and name the field in their errors.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "core/error.h"
#include "http/request.h"

namespace vantage::api {

struct UploadedFile {
  std::string filename;
  std::string content_type;
  std::string data;
};

class Params {
 public:
  // Parses the query and, for methods with a body, the body. Errors: 400
  // invalid_json / invalid_encoding / invalid_body, 415 for other body types.
  static Result<Params> From(const http::Request& request);

  bool Has(const std::string& name) const;

  // nullopt when absent. Errors when present with a type that is not a string
  // (JSON numbers and booleans are refused), or longer than max_chars.
  Result<std::optional<std::string>> String(const std::string& name, size_t max_chars = 100000) const;
  // Like String, but absent is an error (missing_field).
  Result<std::string> RequiredString(const std::string& name, size_t max_chars = 100000) const;
  // true/false, 1/0, "true"/"false"/"1"/"0"/"on"/"off".
  Result<std::optional<bool>> Bool(const std::string& name) const;
  // A whole number: a JSON integer, or text of ASCII digits with an optional
  // minus sign (form and query values). Empty or null is absent.
  Result<std::optional<int64_t>> Integer(const std::string& name) const;
  // A JSON array of strings, repeated `name[]=` fields, or a single string.
  Result<std::vector<std::string>> StringList(const std::string& name, size_t max_items = 100) const;

  // A list of objects with string fields, as Mastodon's `media_attributes`:
  // a JSON array of objects, or form fields `name[][key]=...` repeated in
  // step (the i-th value of each key belongs to the i-th object). Only `keys`
  // are read; each object must have every key.
  Result<std::vector<std::map<std::string, std::string>>> ObjectList(
      const std::string& name, const std::vector<std::string>& keys, size_t max_items = 100) const;

  // One object with string fields: a JSON object, or form fields
  // `name[key]=...`. Only `keys` are read; keys not sent are left out.
  // nullopt when absent; an empty map when sent as JSON null or an empty
  // string (how a form clears it).
  Result<std::optional<std::map<std::string, std::string>>> Object(const std::string& name,
                                                                   const std::vector<std::string>& keys,
                                                                   size_t max_chars = 100000) const;

  // A list of objects with string fields sent as Mastodon's
  // `fields_attributes`: a JSON array of objects, a JSON object keyed by
  // indexes ("0", "1", ...), or form fields `name[i][key]=...` (also
  // `name[][key]`), in index order. Keys not sent read as "". nullopt when
  // absent; empty when sent as JSON null or an empty string.
  Result<std::optional<std::vector<std::map<std::string, std::string>>>> IndexedObjects(
      const std::string& name, const std::vector<std::string>& keys, size_t max_items = 100,
      size_t max_chars = 100000) const;

  const UploadedFile* File(const std::string& name) const;

 private:
  // A value as it arrived: form and query values are strings; JSON keeps its type.
  std::map<std::string, std::vector<boost::json::value>> values_;
  std::map<std::string, UploadedFile> files_;
};

}  // namespace vantage::api
