// HTTP Signatures (federation/http_signature.h) and actor keys
// (federation/keys.h). The fixed key and signatures below were made with the
// openssl command line, independently of this code:
//   openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out priv.pem
//   openssl dgst -sha256 -binary body.json | base64          (the Digest)
//   openssl dgst -sha256 -sign priv.pem signing.txt | base64 (the signature)
// so signing here must give exactly those bytes (RSASSA-PKCS1-v1_5 is
// deterministic) and verifying must accept them.
#include "federation/http_signature.h"

#include <gtest/gtest.h>

#include <string>

#include "federation/keys.h"

namespace vantage::federation {
namespace {

constexpr const char* kPrivatePem = R"(-----BEGIN PRIVATE KEY-----
MIIEvwIBADANBgkqhkiG9w0BAQEFAASCBKkwggSlAgEAAoIBAQCzkpMjdKq3+PMc
a8QDOAiMHmKEMQEf5he0+H9KNWWwBzgiAYE/O0O44i4cNn9EWB/dg9NAifATp64T
+Goi/0vMqSjgTybd83aYHai9tGv2KtHjKi18j1ySgZS6yP15Ivz1o45aFhnO9h5B
52oFw8Wwh4IWwVuM/+g6MMB7jMRJRHTT1sEPJM9XDHRiLlDtHN+ptVx/SAZtwJmd
Rj4BwiwYw0d71vQ3QmJZIwnrI5+CqmjHZAbnlRlm9VG9LCXhLky1FBnujC0Draqh
MDMriPkyFhYLcwcUzI1uMLPJKCfiUlGp3MgPMHRrs08z+ZbIoTJUl7yoMOA1XRaO
sVE4ffZ/AgMBAAECggEAAR5gXvIKUFqM74+W+DWhazNf7Gexvyp1YkhLFehUDMaL
iaRLbMK/4x6yY+fvzjpBgzqw3wMfGmrouvnI7VkE/xCYT0LACV4yGu/0XOK1yGZE
9LlTEvNOe0Khy1xbCxTPpptKw7rFYh8TuBxRNqIdDKB6aet56XYnMLwC4aAFiQOR
OCcpiw4a/7UULPkNrJtsapO2wMDcwY9JiBPt+Bjkggn9VyrX9CyNwUQx3uNIDO8w
oSGu3Yncqk9lk+6CzjEr9coo7osXxaNjOA3K6bXEeTGZGY7fQlRk0ZF1MupgCaUo
+8fCaR9Fmbri0McxejJoj5f22ywq9wpOG50kYwfmYQKBgQDfguecXhWY++4YrSnA
v3XtvjJi3gVqeRdDGujfqy+bAPOv79wfhjc1os7VxCU8E3GjKpnlgPGcbve7uu9l
EJuYGvNlCV/AcmVrSECQYdWVDuMG9cBijYArnMQ+ZQSHJLmFysGk6r1z1102UKI8
N35yyWWorpjYMsg3m1H/h4bfewKBgQDNrKkwV/00DHsRA9btRuGpxKMU7T99LNEz
ywV4PTOLvkq2wjU8pNp6KPvJ4TaRcwrPxyYZMa2k0v9+2mKqeCH+UxJKxuSTkiTD
SuzFtmEXiZJEyXebP0fmW0hx+uVptykfjmD+znN4AjkpfEAI7q2ktIB4Abr5ysXQ
CT7hN46zzQKBgQCZP8EcRqoaTcpPoxM4tE3gZ4NWpJIkEciwWxgGm/I1Hi73l8de
2gCqxul4SleZXF+TF5eTc5i1wKQdVKvlqMB2RyxRP18mrYj6SPzzwhDWdfGViRSS
viB+RquLeGnlW3nU0VN6hvTFI4omvpyuGwKZI5uPT78+pXsAHX/Ya40/VwKBgQCu
0zQhNrmws2csiGH54MVSxCWHVT8hTKYq60ij8wnMoBzsClqsSMi5C/syl/AFZI9t
HC/DPJoIP54TmthBZMooXz5uN2/2DESZiCeIy8Tt9+9P7xxu5zRbl34V/Jli6eDX
xPOnw58dBG7IV6gqr48EMLX+zCG90GGiuykq0UnIhQKBgQCQr5Ls91GtZ+nec+/k
xLBVCL3SWqjAFSzh+o5Ud/WfoSjzmGcLCItcfYxNkVNBXW1YYPAFmmU1mSWDEJZD
3G67ZTPkSTBk5+/j5BVGZm3P4YEvDtqdbfnSdoqIZbmvftXWZlxY3GvfSYoIRRDC
vkhueeA5y/mBgnIvao1Umk9rqA==
-----END PRIVATE KEY-----
)";
constexpr const char* kPublicPem = R"(-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAs5KTI3Sqt/jzHGvEAzgI
jB5ihDEBH+YXtPh/SjVlsAc4IgGBPztDuOIuHDZ/RFgf3YPTQInwE6euE/hqIv9L
zKko4E8m3fN2mB2ovbRr9irR4yotfI9ckoGUusj9eSL89aOOWhYZzvYeQedqBcPF
sIeCFsFbjP/oOjDAe4zESUR009bBDyTPVwx0Yi5Q7RzfqbVcf0gGbcCZnUY+AcIs
GMNHe9b0N0JiWSMJ6yOfgqpox2QG55UZZvVRvSwl4S5MtRQZ7owtA62qoTAzK4j5
MhYWC3MHFMyNbjCzySgn4lJRqdzIDzB0a7NPM/mWyKEyVJe8qDDgNV0WjrFROH32
fwIDAQAB
-----END PUBLIC KEY-----
)";
// The same public key in PKCS#1 form (openssl rsa -RSAPublicKey_out), as some servers publish it.
constexpr const char* kPublicPkcs1Pem = R"(-----BEGIN RSA PUBLIC KEY-----
MIIBCgKCAQEAs5KTI3Sqt/jzHGvEAzgIjB5ihDEBH+YXtPh/SjVlsAc4IgGBPztD
uOIuHDZ/RFgf3YPTQInwE6euE/hqIv9LzKko4E8m3fN2mB2ovbRr9irR4yotfI9c
koGUusj9eSL89aOOWhYZzvYeQedqBcPFsIeCFsFbjP/oOjDAe4zESUR009bBDyTP
Vwx0Yi5Q7RzfqbVcf0gGbcCZnUY+AcIsGMNHe9b0N0JiWSMJ6yOfgqpox2QG55UZ
ZvVRvSwl4S5MtRQZ7owtA62qoTAzK4j5MhYWC3MHFMyNbjCzySgn4lJRqdzIDzB0
a7NPM/mWyKEyVJe8qDDgNV0WjrFROH32fwIDAQAB
-----END RSA PUBLIC KEY-----
)";
// Keys a peer may not use: RSA of 1024 bits, and an EC key.
constexpr const char* kSmallPublicPem = R"(-----BEGIN PUBLIC KEY-----
MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCkY5zDAj2YKhlIbJpKXsmmeFH4
Ew3SrM6ntYsnaC3ZFGuc+iSZGvdw6OepCXQDHKwGNGa/WlbfDAJ+eedY1Twb7FAg
3jaeT3xlUJWlqXfdbLa+ncvNZ6MmfDsgSchWesVVsOz7s/AoV9yHadpnA3t05oxA
aIMB5K3eGixWxryR4wIDAQAB
-----END PUBLIC KEY-----
)";
constexpr const char* kEcPublicPem = R"(-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEzSfoJzEa84eOfpv4RdTTZppc/I5F
wkUY9NDZNAlkMxZAP+gH/gGZfaNY4kEPQLsMJueJpO2W30M/vLMiWRjOqg==
-----END PUBLIC KEY-----
)";

constexpr const char* kBody = R"({"type":"Follow","actor":"https://peer.example/users/bob","object":"https://vantage.example/users/alice"})";
constexpr const char* kDigest = "SHA-256=k2UjjqoRX37j5ylRpKSWyaa4jAFskRol2OpST/m85Ww=";
constexpr const char* kSignature = "RVyPos+RqzYAw/DoR5VwIXyDs+YaLcW7pPaDqSB0R+xsMJQNYhZUEJffUtxlEfXFMLPOyI2+zzFDiqh6ql6i0NE/w3y4N+mcOs3flhcn11A8GU2+IEBRyi0P95cp01vH6KURZOSoTdffC8/AczVXCxiem5H97YLmZdeCi/AmyzS4w80oCqkJANDWosN5tUB6nCcdBFP3zhrWXi9ckzGz9mt5LTRSNA9eXQpEea+BPLoa4MIz85eqPAVjWdYxLeC1jLzuLF8W7mcT6JXBMNllwNfNmauRX4AUxrq1C1qMEEyR8K1rqLBMAM7ug9RmAvp0TPzJwuDOZwPjiXHBpX3Vwg==";
constexpr const char* kDate = "Mon, 07 Dec 2026 03:31:08 GMT";
constexpr int64_t kDateSeconds = 1796614268;  // date -u -d "Mon, 07 Dec 2026 03:31:08 GMT" +%s

// The inbox delivery the signature above covers.
HttpMessage Delivery() {
  HttpMessage m;
  m.method = "POST";
  m.path = "/users/alice/inbox";
  m.headers = {{"host", "vantage.example"},
               {"date", kDate},
               {"digest", kDigest},
               {"content-type", "application/activity+json"},
               {"signature", std::string("keyId=\"https://peer.example/users/bob#main-key\",algorithm=\"rsa-sha256\","
                                         "headers=\"(request-target) host date digest content-type\",signature=\"") +
                                 kSignature + "\""}};
  return m;
}

RsaKey Private() {
  auto key = RsaKey::FromPrivatePem(kPrivatePem);
  EXPECT_TRUE(key.ok()) << key.error().message;
  return std::move(*key);
}

RsaKey Public(const char* pem = kPublicPem) {
  auto key = RsaKey::FromPublicPem(pem);
  EXPECT_TRUE(key.ok()) << key.error().message;
  return std::move(*key);
}

// Parses, checks and verifies as an inbox does; the refusal's message when refused.
std::string Refusal(const HttpMessage& m, std::string_view body, const RsaKey& key, int64_t now = kDateSeconds) {
  auto header = m.Header("signature");
  if (!header) return "no Signature header";
  auto parsed = ParseSignatureHeader(*header);
  if (!parsed) return parsed.error().message;
  if (Status checked = CheckSignedMessage(m, *parsed, body, now); !checked) return checked.error().message;
  return VerifyWithKey(m, *parsed, key) ? "" : "the key did not verify it";
}

TEST(HttpSignature, AcceptsASignatureMadeByOpenSsl) {
  EXPECT_EQ(Refusal(Delivery(), kBody, Public()), "");
  EXPECT_EQ(Refusal(Delivery(), kBody, Public(kPublicPkcs1Pem)), "");
}

TEST(HttpSignature, SignsExactlyAsOpenSslDoes) {
  HttpMessage m;
  m.method = "POST";
  m.path = "/users/alice/inbox";
  m.headers = {{"host", "vantage.example"}, {"content-type", "application/activity+json"}};
  ASSERT_TRUE(SignMessage(m, kBody, "https://peer.example/users/bob#main-key", Private(), kDateSeconds).ok());
  EXPECT_EQ(*m.Header("date"), kDate);
  EXPECT_EQ(*m.Header("digest"), kDigest);
  EXPECT_EQ(*m.Header("signature"), *Delivery().Header("signature"));
}

TEST(HttpSignature, RefusesWhatWasChanged) {
  HttpMessage m = Delivery();
  EXPECT_NE(Refusal(m, std::string(kBody) + " ", Public()), "") << "an altered body";
  m.SetHeader("content-type", "application/json");
  EXPECT_NE(Refusal(m, kBody, Public()), "") << "an altered signed header";
  m = Delivery();
  m.path = "/users/mallory/inbox";
  EXPECT_NE(Refusal(m, kBody, Public()), "") << "another inbox";
  auto other = RsaKey::Generate();
  ASSERT_TRUE(other.ok());
  auto other_public = RsaKey::FromPublicPem(*other->PublicPem());
  ASSERT_TRUE(other_public.ok());
  EXPECT_EQ(Refusal(Delivery(), kBody, *other_public), "the key did not verify it") << "the wrong key";
}

TEST(HttpSignature, RefusesStaleAndFutureDates) {
  EXPECT_EQ(Refusal(Delivery(), kBody, Public(), kDateSeconds + 3600 + 300), "") << "65 minutes late is accepted";
  EXPECT_NE(Refusal(Delivery(), kBody, Public(), kDateSeconds + 3600 + 301), "") << "later is not";
  EXPECT_EQ(Refusal(Delivery(), kBody, Public(), kDateSeconds - 3600), "") << "an hour ahead is accepted";
  EXPECT_NE(Refusal(Delivery(), kBody, Public(), kDateSeconds - 3601), "") << "more is not";
}

TEST(HttpSignature, RefusesSignaturesThatCoverTooLittle) {
  auto key = Private();
  auto check = [&](HttpMessage m, const std::string& headers, std::string_view body) {
    auto text_header = SignatureHeader{"https://peer.example/users/bob#main-key", "rsa-sha256", {}, "x", {}, {}};
    std::string list = headers;
    for (size_t at = 0; at <= list.size();) {
      size_t space = list.find(' ', at);
      text_header.headers.push_back(list.substr(at, space == std::string::npos ? std::string::npos : space - at));
      if (space == std::string::npos) break;
      at = space + 1;
    }
    auto text = SigningString(m, text_header, true);
    EXPECT_TRUE(text.ok()) << headers;
    m.SetHeader("signature", "keyId=\"https://peer.example/users/bob#main-key\",algorithm=\"rsa-sha256\",headers=\"" +
                                 headers + "\",signature=\"" + Base64Encode(*key.SignSha256(*text)) + "\"");
    return Refusal(m, body, Public());
  };
  HttpMessage post = Delivery();
  EXPECT_EQ(check(post, "(request-target) host date digest", kBody), "");
  EXPECT_NE(check(post, "(request-target) host date", kBody), "") << "a POST without digest";
  EXPECT_NE(check(post, "(request-target) host digest", kBody), "") << "without a date";
  HttpMessage get;
  get.method = "GET";
  get.path = "/users/alice";
  get.headers = {{"host", "vantage.example"}, {"date", kDate}};
  EXPECT_EQ(check(get, "(request-target) host date", ""), "");
  EXPECT_NE(check(get, "(request-target) date", ""), "") << "a GET without host";
  EXPECT_NE(check(get, "host date", ""), "") << "neither (request-target) nor digest";
}

TEST(HttpSignature, AcceptsAPathSignedWithoutItsQuery) {
  // Fedify and older Mastodon leave the query out of (request-target).
  HttpMessage m;
  m.method = "GET";
  m.path = "/users/alice/outbox";
  m.headers = {{"host", "vantage.example"}};
  ASSERT_TRUE(SignMessage(m, "", "https://peer.example/users/bob#main-key", Private(), kDateSeconds).ok());
  m.query = "page=true";
  EXPECT_EQ(Refusal(m, "", Public()), "");
}

TEST(HttpSignature, DigestsMustMatchTheBody) {
  HttpMessage m = Delivery();
  m.SetHeader("digest", "SHA-256=not base64!");
  EXPECT_NE(Refusal(m, kBody, Public()), "");
  m.SetHeader("digest", "SHA-512=abc");
  EXPECT_NE(Refusal(m, kBody, Public()), "") << "no SHA-256 value";
}

TEST(HttpSignature, ParsesWhatPeersSendAndRefusesTheRest) {
  auto parsed = ParseSignatureHeader(
      "Signature keyId=\"https://gts.example/users/x/main-key\", algorithm=\"hs2019\", "
      "headers=\"(request-target) Host Date Digest\", signature=\"YWJj\"");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->key_id, "https://gts.example/users/x/main-key");
  EXPECT_EQ(parsed->algorithm, "hs2019");
  EXPECT_EQ(parsed->headers, (std::vector<std::string>{"(request-target)", "host", "date", "digest"}));
  EXPECT_EQ(parsed->signature, "abc");

  auto defaults = ParseSignatureHeader("keyId=\"k\",signature=\"YWJj\"");
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->algorithm, "hs2019");
  EXPECT_EQ(defaults->headers, std::vector<std::string>{"(created)"});
  auto rsa = ParseSignatureHeader("keyId=\"k\",algorithm=\"rsa-sha256\",signature=\"YWJj\"");
  ASSERT_TRUE(rsa.ok());
  EXPECT_EQ(rsa->headers, std::vector<std::string>{"date"});
  auto created = ParseSignatureHeader("keyId=\"k\",signature=\"YWJj\",created=1796614268,expires=1796614568");
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(created->created, 1796614268);
  EXPECT_EQ(created->expires, 1796614568);

  for (const char* bad : {
           "", "keyId=\"k\"", "signature=\"YWJj\"", "keyId=\"k\",keyId=\"j\",signature=\"YWJj\"",
           "keyId=\"k\",algorithm=\"hmac-sha256\",signature=\"YWJj\"", "keyId=\"k\",signature=\"***\"",
           "keyId=\"k\",signature=\"YWJj", "keyId=\"k\" signature=\"YWJj\"",
           "keyId=\"k\",algorithm=\"rsa-sha256\",created=1,signature=\"YWJj\"",
           "keyId=\"k\",signature=\"YWJj\",created=soon", "keyId=\"k\",headers=\"\",signature=\"YWJj\""}) {
    auto refused = ParseSignatureHeader(bad);
    EXPECT_FALSE(refused.ok()) << bad;
    if (!refused.ok()) {
      EXPECT_EQ(refused.error().code, "invalid_signature") << bad;
    }
  }
}

TEST(HttpSignature, HttpDatesRoundTripAndOnlyImfFixdateParses) {
  EXPECT_EQ(HttpDate(kDateSeconds), kDate);
  EXPECT_EQ(ParseHttpDate(kDate), kDateSeconds);
  EXPECT_EQ(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
  for (const char* bad : {"Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994", "Sun, 31 Feb 1994 08:49:37 GMT",
                          "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 06 Nov 1994 25:49:37 GMT", ""})
    EXPECT_FALSE(ParseHttpDate(bad)) << bad;
}

TEST(RsaKeys, GeneratedKeysRoundTripThroughPem) {
  auto key = RsaKey::Generate();
  ASSERT_TRUE(key.ok()) << key.error().message;
  EXPECT_EQ(key->bits(), 2048);
  auto pem = key->PrivatePem();
  ASSERT_TRUE(pem.ok());
  EXPECT_TRUE(pem->starts_with("-----BEGIN PRIVATE KEY-----"));
  auto again = RsaKey::FromPrivatePem(*pem);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again->PublicPem(), *key->PublicPem());
  auto signature = again->SignSha256("hello");
  ASSERT_TRUE(signature.ok());
  auto public_key = RsaKey::FromPublicPem(*key->PublicPem());
  ASSERT_TRUE(public_key.ok());
  EXPECT_FALSE(public_key->has_private());
  EXPECT_TRUE(public_key->VerifySha256("hello", *signature));
  EXPECT_FALSE(public_key->VerifySha256("hellp", *signature));
  EXPECT_FALSE(public_key->SignSha256("hello").ok());
  EXPECT_FALSE(public_key->PrivatePem().ok());
}

TEST(RsaKeys, PeersKeysMustBeRsaOfAtLeast2048Bits) {
  EXPECT_EQ(Public(kPublicPkcs1Pem).bits(), 2048);
  for (const char* bad : {kSmallPublicPem, kEcPublicPem, "", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
                          kPrivatePem + 0}) {
    auto refused = RsaKey::FromPublicPem(bad);
    EXPECT_FALSE(refused.ok());
    if (!refused.ok()) {
      EXPECT_EQ(refused.error().field, "publicKeyPem");
    }
  }
  // A stored key that does not parse is a loud failure.
  auto broken = RsaKey::FromPrivatePem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.error().kind, ErrorKind::kInternal);
}

TEST(Base64, StrictStandardBase64) {
  EXPECT_EQ(Base64Encode("abc"), "YWJj");
  EXPECT_EQ(Base64Encode("ab"), "YWI=");
  EXPECT_EQ(Base64Decode("YWI="), "ab");
  for (const char* bad : {"YWI", "YW I=", "YW_=", "YWI=="}) EXPECT_FALSE(Base64Decode(bad)) << bad;
}

}  // namespace
}  // namespace vantage::federation
