#include "api/params.h"

#include <algorithm>
#include <charconv>

#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>

#include "core/text.h"

namespace vantage::api {

namespace json = boost::json;

namespace {

constexpr size_t kMaxJsonDepth = 32;

Error BadBody(std::string message) { return Error::BadRequest("invalid_body", std::move(message)); }

std::string_view MediaType(std::string_view content_type) {
  return Trim(content_type.substr(0, content_type.find(';')));
}

// The value of a `key=value` parameter of a header like Content-Type.
std::string HeaderParam(std::string_view header, std::string_view key) {
  size_t pos = 0;
  while ((pos = header.find(';', pos)) != std::string_view::npos) {
    ++pos;
    std::string_view rest = Trim(header.substr(pos));
    size_t eq = rest.find('=');
    if (eq == std::string_view::npos) continue;
    if (!EqualsIgnoreCase(Trim(rest.substr(0, eq)), key)) continue;
    std::string_view value = rest.substr(eq + 1);
    value = value.substr(0, value.find(';'));
    value = Trim(value);
    if (value.size() >= 2 && value.front() == '"') value = value.substr(1, value.find('"', 1) - 1);
    return std::string(value);
  }
  return {};
}

// Strips a trailing "[]" so `media_ids[]` and `media_ids` are one name.
std::string BaseName(std::string name) {
  if (name.size() > 2 && name.ends_with("[]")) name.resize(name.size() - 2);
  return name;
}

}  // namespace

static Status ParseUrlEncoded(std::string_view text, std::string_view what,
                              std::map<std::string, std::vector<json::value>>& out) {
  size_t pos = 0;
  while (pos <= text.size() && !text.empty()) {
    size_t amp = text.find('&', pos);
    if (amp == std::string_view::npos) amp = text.size();
    std::string_view pair = text.substr(pos, amp - pos);
    if (!pair.empty()) {
      size_t eq = pair.find('=');
      auto key = PercentDecode(pair.substr(0, eq), true);
      auto value = PercentDecode(eq == std::string_view::npos ? "" : pair.substr(eq + 1), true);
      if (!key || !value)
        return Error::BadRequest("invalid_encoding", std::string(what) + " has a malformed percent-escape");
      if (!IsValidUtf8(*key) || !IsValidUtf8(*value))
        return Error::BadRequest("invalid_encoding", std::string(what) + " is not valid UTF-8");
      out[BaseName(std::move(*key))].emplace_back(json::string(*value));
    }
    if (amp == text.size()) break;
    pos = amp + 1;
  }
  return Ok();
}

static Status ParseMultipart(std::string_view body, const std::string& boundary,
                             std::map<std::string, std::vector<json::value>>& values,
                             std::map<std::string, UploadedFile>& files) {
  if (boundary.empty() || boundary.size() > 200) return BadBody("multipart body has no valid boundary");
  std::string delimiter = "--" + boundary;
  size_t pos = body.find(delimiter);
  if (pos == std::string_view::npos) return BadBody("multipart body has no parts");
  for (;;) {
    pos += delimiter.size();
    if (body.substr(pos, 2) == "--") return Ok();  // closing delimiter
    if (body.substr(pos, 2) != "\r\n") return BadBody("multipart delimiter is malformed");
    pos += 2;
    size_t headers_end = body.find("\r\n\r\n", pos);
    if (headers_end == std::string_view::npos) return BadBody("multipart part has no header end");
    std::string_view headers = body.substr(pos, headers_end - pos);
    size_t content_start = headers_end + 4;
    size_t next = body.find("\r\n" + delimiter, content_start);
    if (next == std::string_view::npos) return BadBody("multipart body is truncated");
    std::string_view content = body.substr(content_start, next - content_start);

    std::string name, filename, content_type;
    size_t line_start = 0;
    while (line_start <= headers.size()) {
      size_t line_end = headers.find("\r\n", line_start);
      if (line_end == std::string_view::npos) line_end = headers.size();
      std::string_view line = headers.substr(line_start, line_end - line_start);
      size_t colon = line.find(':');
      if (colon != std::string_view::npos) {
        std::string_view header = Trim(line.substr(0, colon));
        std::string_view value = Trim(line.substr(colon + 1));
        if (EqualsIgnoreCase(header, "content-disposition")) {
          name = HeaderParam(value, "name");
          filename = HeaderParam(value, "filename");
        } else if (EqualsIgnoreCase(header, "content-type")) {
          content_type = std::string(value);
        }
      }
      if (line_end == headers.size()) break;
      line_start = line_end + 2;
    }
    if (name.empty()) return BadBody("multipart part has no name");
    if (!IsValidUtf8(name)) return Error::BadRequest("invalid_encoding", "multipart field name is not valid UTF-8");
    bool is_file = !filename.empty() || (!content_type.empty() && !content_type.starts_with("text/plain"));
    if (is_file) {
      files[BaseName(name)] = UploadedFile{filename, content_type, std::string(content)};
    } else {
      if (!IsValidUtf8(content))
        return Error::BadRequest("invalid_encoding", "multipart field " + name + " is not valid UTF-8", name);
      values[BaseName(name)].emplace_back(json::string(content));
    }
    pos = next + 2;
  }
}

Result<Params> Params::From(const http::Request& request) {
  Params params;
  VANTAGE_TRY(ParseUrlEncoded(request.query, "the query string", params.values_));
  if (request.body.empty()) return params;

  std::string_view content_type = request.Header("content-type");
  std::string_view media = MediaType(content_type);
  if (EqualsIgnoreCase(media, "application/json") || (media.empty() && request.body.front() == '{')) {
    if (!IsValidUtf8(request.body))
      return Error::BadRequest("invalid_encoding", "The request body is not valid UTF-8");
    json::parse_options options;
    options.max_depth = kMaxJsonDepth;
    boost::system::error_code ec;
    json::value doc = json::parse(request.body, ec, {}, options);
    if (ec)
      return Error::BadRequest("invalid_json", "The request body is not valid JSON: " + ec.message());
    if (!doc.is_object())
      return Error::BadRequest("invalid_json", "The request body must be a JSON object");
    // Arrays are kept whole; StringList checks each element.
    for (auto& [key, value] : doc.as_object()) params.values_[BaseName(std::string(key))].assign(1, value);
    return params;
  }
  if (EqualsIgnoreCase(media, "application/x-www-form-urlencoded")) {
    VANTAGE_TRY(ParseUrlEncoded(request.body, "The request body", params.values_));
    return params;
  }
  if (EqualsIgnoreCase(media, "multipart/form-data")) {
    VANTAGE_TRY(ParseMultipart(request.body, HeaderParam(content_type, "boundary"), params.values_,
                               params.files_));
    return params;
  }
  return Error{ErrorKind::kUnsupported, "unsupported_media_type",
               "Request bodies must be application/json, application/x-www-form-urlencoded or "
               "multipart/form-data"};
}

bool Params::Has(const std::string& name) const { return values_.count(name) > 0; }

Result<std::optional<std::string>> Params::String(const std::string& name, size_t max_chars) const {
  auto it = values_.find(name);
  if (it == values_.end() || it->second.empty()) return std::optional<std::string>();
  const json::value& value = it->second.back();
  if (value.is_null()) return std::optional<std::string>();
  if (!value.is_string()) return Error::Invalid(name, name + " must be a string");
  std::string text(value.as_string());
  // Neither engine stores NUL the same way, and no field needs it.
  if (text.find('\0') != std::string::npos)
    return Error::BadRequest("invalid_encoding", name + " must not contain NUL characters", name);
  if (Utf8Length(text) > max_chars)
    return Error::Invalid(name, name + " must be at most " + std::to_string(max_chars) + " characters",
                          "too_long");
  return std::optional<std::string>(std::move(text));
}

Result<std::string> Params::RequiredString(const std::string& name, size_t max_chars) const {
  auto value = String(name, max_chars);
  if (!value) return std::move(value).error();
  if (!*value) return Error::Invalid(name, name + " is required", "missing_field");
  return std::move(**value);
}

Result<std::optional<bool>> Params::Bool(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end() || it->second.empty()) return std::optional<bool>();
  const json::value& value = it->second.back();
  if (value.is_null()) return std::optional<bool>();
  if (value.is_bool()) return std::optional<bool>(value.as_bool());
  if (value.is_int64() && (value.as_int64() == 0 || value.as_int64() == 1))
    return std::optional<bool>(value.as_int64() == 1);
  if (value.is_string()) {
    std::string text = AsciiLower(value.as_string());
    if (text == "true" || text == "1" || text == "on") return std::optional<bool>(true);
    if (text == "false" || text == "0" || text == "off" || text.empty()) return std::optional<bool>(false);
  }
  return Error::Invalid(name, name + " must be a boolean (true or false)");
}

Result<std::optional<int64_t>> Params::Integer(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end() || it->second.empty()) return std::optional<int64_t>();
  const json::value& value = it->second.back();
  if (value.is_null()) return std::optional<int64_t>();
  if (value.is_int64()) return std::optional<int64_t>(value.as_int64());
  if (value.is_uint64() && value.as_uint64() <= uint64_t(INT64_MAX))
    return std::optional<int64_t>(static_cast<int64_t>(value.as_uint64()));
  if (value.is_string()) {
    std::string_view text = value.as_string();
    if (text.empty()) return std::optional<int64_t>();
    int64_t number = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (ec == std::errc() && end == text.data() + text.size()) return std::optional<int64_t>(number);
  }
  return Error::Invalid(name, name + " must be a whole number");
}

Result<std::vector<std::string>> Params::StringList(const std::string& name, size_t max_items) const {
  std::vector<std::string> out;
  auto it = values_.find(name);
  if (it == values_.end()) return out;
  auto add = [&](const json::value& v) -> Status {
    if (!v.is_string()) return Error::Invalid(name, name + " must be a list of strings");
    if (v.as_string().size() > 10000) return Error::Invalid(name, name + " has an entry that is too long", "too_long");
    if (std::string_view(v.as_string()).find('\0') != std::string_view::npos)
      return Error::BadRequest("invalid_encoding", name + " must not contain NUL characters", name);
    out.emplace_back(v.as_string());
    return Ok();
  };
  for (const json::value& value : it->second) {
    if (value.is_array()) {
      for (const json::value& element : value.as_array()) VANTAGE_TRY(add(element));
    } else {
      VANTAGE_TRY(add(value));
    }
  }
  if (out.size() > max_items)
    return Error::Invalid(name, name + " has more than " + std::to_string(max_items) + " entries", "too_long");
  return out;
}

Result<std::vector<std::map<std::string, std::string>>> Params::ObjectList(
    const std::string& name, const std::vector<std::string>& keys, size_t max_items) const {
  std::vector<std::map<std::string, std::string>> out;
  auto bad = [&] {
    return Error::Invalid(name, name + " must be a list of objects with " +
                                    (keys.empty() ? std::string("fields") : keys.front()) + " and the other fields");
  };
  auto text = [&](const json::value& v, const std::string& key) -> Result<std::string> {
    if (v.is_int64()) return std::to_string(v.as_int64());
    if (!v.is_string()) return Error::Invalid(name, name + "[][" + key + "] must be a string");
    std::string s(v.as_string());
    if (s.find('\0') != std::string::npos)
      return Error::BadRequest("invalid_encoding", name + " must not contain NUL characters", name);
    return s;
  };
  if (auto it = values_.find(name); it != values_.end()) {
    for (const json::value& value : it->second) {
      if (!value.is_array()) return bad();
      for (const json::value& element : value.as_array()) {
        if (!element.is_object()) return bad();
        std::map<std::string, std::string> object;
        for (const std::string& key : keys) {
          const json::value* field = element.as_object().if_contains(key);
          if (!field) return Error::Invalid(name, name + "[][" + key + "] is required", "missing_field");
          auto s = text(*field, key);
          if (!s) return std::move(s).error();
          object[key] = std::move(*s);
        }
        out.push_back(std::move(object));
      }
    }
  } else {
    size_t count = 0;
    bool any = false;
    for (const std::string& key : keys) {
      auto field = values_.find(name + "[][" + key + "]");
      size_t n = field == values_.end() ? 0 : field->second.size();
      if (n > 0 && any && n != count) return bad();
      if (n > 0) any = true, count = n;
    }
    for (size_t i = 0; i < count; ++i) {
      std::map<std::string, std::string> object;
      for (const std::string& key : keys) {
        auto field = values_.find(name + "[][" + key + "]");
        if (field == values_.end() || field->second.size() != count)
          return Error::Invalid(name, name + "[][" + key + "] is required", "missing_field");
        auto s = text(field->second[i], key);
        if (!s) return std::move(s).error();
        object[key] = std::move(*s);
      }
      out.push_back(std::move(object));
    }
  }
  if (out.size() > max_items)
    return Error::Invalid(name, name + " has more than " + std::to_string(max_items) + " entries", "too_long");
  return out;
}

Result<std::optional<std::map<std::string, std::string>>> Params::Object(
    const std::string& name, const std::vector<std::string>& keys, size_t max_chars) const {
  using Fields = std::map<std::string, std::string>;
  Fields out;
  if (auto it = values_.find(name); it != values_.end() && !it->second.empty()) {
    const json::value& value = it->second.back();
    if (value.is_null() || (value.is_string() && value.as_string().empty())) return std::optional<Fields>(out);
    if (!value.is_object())
      return Error::Invalid(name, name + " must be an object with " + (keys.empty() ? std::string("fields") : keys.front()) +
                                      " and the other fields");
    for (const std::string& key : keys) {
      const json::value* field = value.as_object().if_contains(key);
      if (!field || field->is_null()) continue;
      std::string qualified = name + "[" + key + "]";
      if (!field->is_string()) return Error::Invalid(qualified, qualified + " must be a string");
      std::string text(field->as_string());
      if (text.find('\0') != std::string::npos)
        return Error::BadRequest("invalid_encoding", qualified + " must not contain NUL characters", qualified);
      if (Utf8Length(text) > max_chars)
        return Error::Invalid(qualified, qualified + " must be at most " + std::to_string(max_chars) + " characters",
                              "too_long");
      out[key] = std::move(text);
    }
    return std::optional<Fields>(std::move(out));
  }
  bool any = false;
  for (const std::string& key : keys) {
    auto text = String(name + "[" + key + "]", max_chars);
    if (!text) return std::move(text).error();
    if (!*text) continue;
    any = true;
    out[key] = std::move(**text);
  }
  if (!any) return std::optional<Fields>();
  return std::optional<Fields>(std::move(out));
}

Result<std::optional<std::vector<std::map<std::string, std::string>>>> Params::IndexedObjects(
    const std::string& name, const std::vector<std::string>& keys, size_t max_items, size_t max_chars) const {
  using Objects = std::vector<std::map<std::string, std::string>>;
  auto too_many = [&] {
    return Error::Invalid(name, name + " has more than " + std::to_string(max_items) + " entries", "too_long");
  };
  auto text = [&](const json::value* v, const std::string& qualified) -> Result<std::string> {
    if (!v || v->is_null()) return std::string();
    if (!v->is_string()) return Error::Invalid(qualified, qualified + " must be a string");
    std::string s(v->as_string());
    if (s.find('\0') != std::string::npos)
      return Error::BadRequest("invalid_encoding", qualified + " must not contain NUL characters", qualified);
    if (Utf8Length(s) > max_chars)
      return Error::Invalid(qualified, qualified + " must be at most " + std::to_string(max_chars) + " characters",
                            "too_long");
    return s;
  };
  auto object_at = [&](const json::value& element, size_t index) -> Result<std::map<std::string, std::string>> {
    std::string prefix = name + "[" + std::to_string(index) + "]";
    if (!element.is_object()) return Error::Invalid(prefix, prefix + " must be an object");
    std::map<std::string, std::string> object;
    for (const std::string& key : keys) {
      auto s = text(element.as_object().if_contains(key), prefix + "[" + key + "]");
      if (!s) return std::move(s).error();
      object[key] = std::move(*s);
    }
    return object;
  };

  Objects out;
  if (auto it = values_.find(name); it != values_.end() && !it->second.empty()) {
    const json::value& value = it->second.back();
    if (value.is_null() || (value.is_string() && value.as_string().empty())) return std::optional<Objects>(out);
    if (value.is_array()) {
      if (value.as_array().size() > max_items) return too_many();
      for (const json::value& element : value.as_array()) {
        auto object = object_at(element, out.size());
        if (!object) return std::move(object).error();
        out.push_back(std::move(*object));
      }
      return std::optional<Objects>(std::move(out));
    }
    if (!value.is_object()) return Error::Invalid(name, name + " must be a list of objects");
    if (value.as_object().size() > max_items) return too_many();
    std::map<size_t, const json::value*> by_index;
    for (const auto& [key, element] : value.as_object()) {
      size_t index = 0;
      auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), index);
      if (ec != std::errc() || end != key.data() + key.size() || index >= max_items)
        return Error::Invalid(name, name + " must be keyed by indexes 0 to " + std::to_string(max_items - 1));
      by_index[index] = &element;
    }
    for (const auto& [index, element] : by_index) {
      auto object = object_at(*element, out.size());
      if (!object) return std::move(object).error();
      out.push_back(std::move(*object));
    }
    return std::optional<Objects>(std::move(out));
  }

  // Form fields: name[i][key], or name[][key] repeated in step.
  std::string open = name + "[";
  std::map<size_t, std::map<std::string, std::string>> by_index;
  bool any = false, sequential = false;
  for (auto it = values_.lower_bound(open); it != values_.end() && it->first.starts_with(open); ++it) {
    std::string_view rest = std::string_view(it->first).substr(open.size());
    size_t close = rest.find(']');
    if (close == std::string_view::npos) continue;
    std::string_view index_text = rest.substr(0, close);
    std::string_view key_part = rest.substr(close + 1);
    if (key_part.size() < 3 || key_part.front() != '[' || key_part.back() != ']') continue;
    std::string key(key_part.substr(1, key_part.size() - 2));
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) continue;
    any = true;
    if (index_text.empty()) {
      sequential = true;
      continue;
    }
    size_t index = 0;
    auto [end, ec] = std::from_chars(index_text.data(), index_text.data() + index_text.size(), index);
    if (ec != std::errc() || end != index_text.data() + index_text.size() || index >= max_items)
      return Error::Invalid(name, name + " must be keyed by indexes 0 to " + std::to_string(max_items - 1));
    auto value = String(it->first, max_chars);
    if (!value) return std::move(value).error();
    by_index[index][key] = value->value_or("");
  }
  if (!any) return std::optional<Objects>();
  if (sequential) {
    auto list = ObjectList(name, keys, max_items);
    if (!list) return std::move(list).error();
    return std::optional<Objects>(std::move(*list));
  }
  for (auto& [index, object] : by_index) {
    for (const std::string& key : keys) object.try_emplace(key);
    out.push_back(std::move(object));
  }
  return std::optional<Objects>(std::move(out));
}

const UploadedFile* Params::File(const std::string& name) const {
  auto it = files_.find(name);
  return it == files_.end() ? nullptr : &it->second;
}

}  // namespace vantage::api
