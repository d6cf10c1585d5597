#include "federation/message_signature.h"

#include <algorithm>
#include <map>
#include <variant>

#include "core/text.h"

namespace vantage::federation {

namespace {

constexpr int64_t kClockSkew = 3600;  // as for draft-cavage: an hour either way

Error Refused(std::string reason) { return Error::Unauthorized(std::move(reason), "invalid_signature"); }

// RFC 8941 structured fields, as much as signatures use: dictionaries of
// items and inner lists, with parameters.
struct Token {
  std::string text;
};
struct Bytes {
  std::string data;
};
using Bare = std::variant<int64_t, std::string, Token, Bytes, bool>;
using Params = std::vector<std::pair<std::string, Bare>>;
struct Item {
  Bare value;
  Params params;
};
struct Member {
  bool inner = false;
  Item item;                // when !inner
  std::vector<Item> items;  // when inner
  Params params;            // of the inner list
};

class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  // The dictionary's members in order (a key given twice keeps the last, as
  // RFC 8941 says, in the first one's place).
  std::optional<std::vector<std::pair<std::string, Member>>> Dictionary() {
    std::vector<std::pair<std::string, Member>> out;
    SkipSp();
    if (AtEnd()) return out;
    while (true) {
      auto key = Key();
      if (!key) return std::nullopt;
      Member member;
      if (Peek('=')) {
        ++i_;
        if (Peek('(')) {
          member.inner = true;
          if (!InnerList(member.items)) return std::nullopt;
          if (!Parameters(member.params)) return std::nullopt;
        } else {
          auto item = ItemWithParams();
          if (!item) return std::nullopt;
          member.item = std::move(*item);
        }
      } else {
        member.item.value = true;
        if (!Parameters(member.item.params)) return std::nullopt;
      }
      auto it = std::find_if(out.begin(), out.end(), [&](const auto& m) { return m.first == *key; });
      if (it != out.end()) it->second = std::move(member);
      else out.emplace_back(std::move(*key), std::move(member));
      SkipOws();
      if (AtEnd()) return out;
      if (!Peek(',')) return std::nullopt;
      ++i_;
      SkipOws();
      if (AtEnd()) return std::nullopt;  // a trailing comma
    }
  }

 private:
  bool AtEnd() const { return i_ >= s_.size(); }
  bool Peek(char c) const { return i_ < s_.size() && s_[i_] == c; }
  void SkipSp() {
    while (Peek(' ')) ++i_;
  }
  void SkipOws() {
    while (Peek(' ') || Peek('\t')) ++i_;
  }

  std::optional<std::string> Key() {
    if (AtEnd() || !((s_[i_] >= 'a' && s_[i_] <= 'z') || s_[i_] == '*')) return std::nullopt;
    size_t start = i_;
    while (!AtEnd()) {
      char c = s_[i_];
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' || c == '*') ++i_;
      else break;
    }
    return std::string(s_.substr(start, i_ - start));
  }

  std::optional<Bare> BareItem() {
    if (AtEnd()) return std::nullopt;
    char c = s_[i_];
    if (c == '"') {
      ++i_;
      std::string out;
      while (!AtEnd()) {
        char d = s_[i_++];
        if (d == '\\') {
          if (AtEnd() || (s_[i_] != '"' && s_[i_] != '\\')) return std::nullopt;
          out.push_back(s_[i_++]);
        } else if (d == '"') {
          return Bare(std::move(out));
        } else if (d < 0x20 || d == 0x7f) {
          return std::nullopt;
        } else {
          out.push_back(d);
        }
      }
      return std::nullopt;
    }
    if (c == ':') {
      size_t end = s_.find(':', i_ + 1);
      if (end == std::string_view::npos) return std::nullopt;
      auto bytes = Base64Decode(s_.substr(i_ + 1, end - i_ - 1));
      if (!bytes) return std::nullopt;
      i_ = end + 1;
      return Bare(Bytes{std::move(*bytes)});
    }
    if (c == '?') {
      if (i_ + 1 >= s_.size() || (s_[i_ + 1] != '0' && s_[i_ + 1] != '1')) return std::nullopt;
      bool value = s_[i_ + 1] == '1';
      i_ += 2;
      return Bare(value);
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      bool negative = c == '-';
      if (negative) ++i_;
      int64_t value = 0;
      size_t digits = 0;
      while (!AtEnd() && s_[i_] >= '0' && s_[i_] <= '9') {
        if (++digits > 15) return std::nullopt;
        value = value * 10 + (s_[i_++] - '0');
      }
      if (digits == 0 || Peek('.')) return std::nullopt;  // decimals are not used by signatures
      return Bare(negative ? -value : value);
    }
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '*') {
      size_t start = i_;
      while (!AtEnd()) {
        char d = s_[i_];
        if (d > 0x20 && d < 0x7f && d != '"' && d != '(' && d != ')' && d != ',' && d != ';' && d != '=' &&
            d != ' ' && d != '\\')
          ++i_;
        else
          break;
      }
      return Bare(Token{std::string(s_.substr(start, i_ - start))});
    }
    return std::nullopt;
  }

  bool Parameters(Params& out) {
    while (Peek(';')) {
      ++i_;
      SkipSp();
      auto key = Key();
      if (!key) return false;
      Bare value = true;
      if (Peek('=')) {
        ++i_;
        auto bare = BareItem();
        if (!bare) return false;
        value = std::move(*bare);
      }
      out.emplace_back(std::move(*key), std::move(value));
    }
    return true;
  }

  std::optional<Item> ItemWithParams() {
    auto bare = BareItem();
    if (!bare) return std::nullopt;
    Item item{std::move(*bare), {}};
    if (!Parameters(item.params)) return std::nullopt;
    return item;
  }

  bool InnerList(std::vector<Item>& out) {
    ++i_;  // (
    while (true) {
      SkipSp();
      if (Peek(')')) {
        ++i_;
        return true;
      }
      auto item = ItemWithParams();
      if (!item) return false;
      out.push_back(std::move(*item));
      if (!Peek(' ') && !Peek(')')) return false;
    }
  }

  std::string_view s_;
  size_t i_ = 0;
};

std::string SerializeString(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

std::string SerializeParams(const Params& params) {
  std::string out;
  for (const auto& [key, value] : params) {
    out += ";" + key;
    if (const bool* b = std::get_if<bool>(&value)) {
      if (!*b) out += "=?0";
    } else if (const int64_t* n = std::get_if<int64_t>(&value)) {
      out += "=" + std::to_string(*n);
    } else if (const std::string* s = std::get_if<std::string>(&value)) {
      out += "=" + SerializeString(*s);
    } else if (const Token* t = std::get_if<Token>(&value)) {
      out += "=" + t->text;
    } else if (const Bytes* bytes = std::get_if<Bytes>(&value)) {
      out += "=:" + Base64Encode(bytes->data) + ":";
    }
  }
  return out;
}

// The body's digest from Content-Digest: sha-256 or sha-512, as the
// hash and the expected bytes.
Status CheckContentDigest(std::string_view header, std::string_view body) {
  auto members = Parser(header).Dictionary();
  if (!members) return Refused("Content-Digest: not a structured dictionary");
  for (const auto& [algorithm, member] : *members) {
    const Bytes* bytes = member.inner ? nullptr : std::get_if<Bytes>(&member.item.value);
    if (!bytes) continue;
    if (algorithm == "sha-256") {
      if (bytes->data != Base64Decode(Sha256Base64(body))) return Refused("Content-Digest: does not match the body");
      return Ok();
    }
    if (algorithm == "sha-512") {
      if (bytes->data != Sha512(body)) return Refused("Content-Digest: does not match the body");
      return Ok();
    }
  }
  return Refused("Content-Digest: no sha-256 or sha-512 value");
}

// A header's value as the signature covers it.
std::optional<std::string> HeaderValue(const HttpMessage& message, std::string_view name) {
  auto value = message.Header(name);
  if (!value) return std::nullopt;
  return std::string(Trim(*value));
}

}  // namespace

Result<MessageSignature> ParseMessageSignature(std::string_view signature_input, std::string_view signature) {
  auto inputs = Parser(signature_input).Dictionary();
  if (!inputs || inputs->empty()) return Refused("Signature-Input: not a structured dictionary");
  auto signatures = Parser(signature).Dictionary();
  if (!signatures) return Refused("Signature: not a structured dictionary");
  for (const auto& [label, input] : *inputs) {
    auto sig = std::find_if(signatures->begin(), signatures->end(), [&](const auto& m) { return m.first == label; });
    if (sig == signatures->end()) continue;
    MessageSignature out;
    out.label = label;
    if (!input.inner) return Refused("Signature-Input: " + label + " is not an inner list");
    const Bytes* bytes = sig->second.inner ? nullptr : std::get_if<Bytes>(&sig->second.item.value);
    if (!bytes) return Refused("Signature: " + label + " is not a byte sequence");
    out.signature = bytes->data;
    std::string list;
    for (const Item& item : input.items) {
      const std::string* name = std::get_if<std::string>(&item.value);
      if (!name || !item.params.empty()) return Refused("Signature-Input: only plain component names are supported");
      out.components.push_back(AsciiLower(*name));
      list += (list.empty() ? "" : " ") + SerializeString(AsciiLower(*name));
    }
    out.params = "(" + list + ")" + SerializeParams(input.params);
    for (const auto& [key, value] : input.params) {
      if (key == "keyid") {
        if (const std::string* s = std::get_if<std::string>(&value)) out.key_id = *s;
      } else if (key == "alg") {
        if (const std::string* s = std::get_if<std::string>(&value)) out.alg = *s;
      } else if (key == "created") {
        if (const int64_t* n = std::get_if<int64_t>(&value)) out.created = *n;
      } else if (key == "expires") {
        if (const int64_t* n = std::get_if<int64_t>(&value)) out.expires = *n;
      }
    }
    if (out.key_id.empty()) return Refused("Signature-Input: keyid is required");
    if (!out.created) return Refused("Signature-Input: created is required");
    if (!out.alg.empty() && out.alg != "rsa-v1_5-sha256")
      return Refused("Signature-Input: only alg rsa-v1_5-sha256 is supported");
    return out;
  }
  return Refused("Signature: no label in both Signature-Input and Signature");
}

Status CheckMessageSignature(const HttpMessage& message, const MessageSignature& signature, std::string_view body,
                             int64_t now) {
  auto covers = [&](std::string_view name) {
    return std::find(signature.components.begin(), signature.components.end(), name) != signature.components.end();
  };
  if (!covers("@method") || !covers("@target-uri"))
    return Refused("Signature-Input: @method and @target-uri must be covered");
  bool with_body = !body.empty() || AsciiLower(message.method) == "post";
  if (with_body) {
    if (!covers("content-digest")) return Refused("Signature-Input: content-digest must be covered");
    auto digest = message.Header("content-digest");
    if (!digest) return Refused("Content-Digest: covered but missing");
    VANTAGE_TRY(CheckContentDigest(*digest, body));
  }
  if (*signature.created > now + kClockSkew) return Refused("Signature: made more than an hour in the future");
  if (*signature.created < now - kClockSkew) return Refused("Signature: made more than an hour ago");
  if (signature.expires && *signature.expires < now) return Refused("Signature: expired");
  return Ok();
}

Result<std::string> SignatureBase(const HttpMessage& message, const MessageSignature& signature,
                                  std::string_view target_uri) {
  std::string base;
  for (const std::string& name : signature.components) {
    std::string value;
    if (name == "@method") {
      value = message.method;
      for (char& c : value) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    } else if (name == "@target-uri") {
      value = std::string(target_uri);
    } else if (name == "@authority") {
      auto host = message.Header("host");
      if (!host) return Refused("Signature: @authority without a Host");
      value = AsciiLower(Trim(*host));
    } else if (name == "@path") {
      value = message.path;
    } else if (name == "@query") {
      value = "?" + message.query;
    } else if (name == "@request-target") {
      value = message.path + (message.query.empty() ? "" : "?" + message.query);
    } else if (name == "@scheme") {
      value = std::string(target_uri.substr(0, target_uri.find(':')));
    } else if (!name.empty() && name[0] == '@') {
      return Refused("Signature: component " + name + " is not supported");
    } else {
      auto header = HeaderValue(message, name);
      if (!header) return Refused("Signature: covered header " + name + " is missing");
      value = std::move(*header);
    }
    base += "\"" + name + "\": " + value + "\n";
  }
  base += "\"@signature-params\": " + signature.params;
  return base;
}

bool VerifyMessageSignature(const HttpMessage& message, const MessageSignature& signature,
                            std::string_view target_uri, const RsaKey& key) {
  auto base = SignatureBase(message, signature, target_uri);
  return base && key.VerifySha256(*base, signature.signature);
}

}  // namespace vantage::federation
