// RFC 9421 inbound (federation/message_signature.h), against the RFC's own
// examples: the signature base of section 2.5 and the Content-Digest values
// of RFC 9530 for the body {"hello": "world"}.
#include "federation/message_signature.h"

#include <gtest/gtest.h>

#include <string>

namespace vantage::federation {
namespace {

constexpr const char* kInput =
    R"(sig1=("@method" "@authority" "@path" "content-digest" "content-length" "content-type");created=1618884473;keyid="test-key-rsa-pss")";
constexpr const char* kBody = "{\"hello\": \"world\"}";

HttpMessage Example() {
  HttpMessage m;
  m.method = "POST";
  m.path = "/foo";
  m.query = "param=Value&Pet=dog";
  m.headers = {{"host", "example.com"},
               {"date", "Tue, 20 Apr 2021 02:07:55 GMT"},
               {"content-type", "application/json"},
               {"content-digest",
                "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:"},
               {"content-length", "18"}};
  return m;
}

TEST(MessageSignature, BuildsTheSignatureBaseOfTheRfc) {
  auto signature = ParseMessageSignature(kInput, "sig1=:AAAA:");
  ASSERT_TRUE(signature.ok()) << signature.error().message;
  EXPECT_EQ(signature->key_id, "test-key-rsa-pss");
  EXPECT_EQ(*signature->created, 1618884473);
  auto base = SignatureBase(Example(), *signature, "https://example.com/foo?param=Value&Pet=dog");
  ASSERT_TRUE(base.ok()) << base.error().message;
  EXPECT_EQ(*base,
            "\"@method\": POST\n"
            "\"@authority\": example.com\n"
            "\"@path\": /foo\n"
            "\"content-digest\": sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:\n"
            "\"content-length\": 18\n"
            "\"content-type\": application/json\n"
            "\"@signature-params\": (\"@method\" \"@authority\" \"@path\" \"content-digest\" \"content-length\" "
            "\"content-type\");created=1618884473;keyid=\"test-key-rsa-pss\"");
}

TEST(MessageSignature, SerializesParametersCanonically) {
  auto signature = ParseMessageSignature(
      R"(a=("@target-uri"  "@method");keyid="k \"q\"";created=5;alg="rsa-v1_5-sha256", b=("x");created=1;keyid="z")",
      "b=:AAAA:, a=:AAAA:");
  ASSERT_TRUE(signature.ok()) << signature.error().message;
  EXPECT_EQ(signature->label, "a");  // the first label of Signature-Input that Signature has
  EXPECT_EQ(signature->params, R"(("@target-uri" "@method");keyid="k \"q\"";created=5;alg="rsa-v1_5-sha256")");
  EXPECT_EQ(signature->key_id, "k \"q\"");
}

TEST(MessageSignature, ChecksTheContentDigestAndTheTime) {
  auto signature = ParseMessageSignature(
      R"(sig1=("@method" "@target-uri" "content-digest");created=1618884473;keyid="k")", "sig1=:AAAA:");
  ASSERT_TRUE(signature.ok());
  HttpMessage m = Example();
  EXPECT_TRUE(CheckMessageSignature(m, *signature, kBody, 1618884473).ok());
  EXPECT_FALSE(CheckMessageSignature(m, *signature, "{\"hello\": \"there\"}", 1618884473).ok());
  EXPECT_FALSE(CheckMessageSignature(m, *signature, kBody, 1618884473 + 3601).ok());
  EXPECT_FALSE(CheckMessageSignature(m, *signature, kBody, 1618884473 - 3601).ok());
  m.SetHeader("content-digest", "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:");
  EXPECT_TRUE(CheckMessageSignature(m, *signature, "{\"hello\": \"world\"}", 1618884473).ok());
  m.SetHeader("content-digest", "md5=:AAAA:");
  EXPECT_FALSE(CheckMessageSignature(m, *signature, kBody, 1618884473).ok());
}

TEST(MessageSignature, AskTooLittleAndItIsRefused) {
  auto without_target = ParseMessageSignature(R"(s=("@method" "content-digest");created=1;keyid="k")", "s=:AAAA:");
  ASSERT_TRUE(without_target.ok());
  EXPECT_FALSE(CheckMessageSignature(Example(), *without_target, kBody, 1).ok());
  auto without_digest = ParseMessageSignature(R"(s=("@method" "@target-uri");created=1;keyid="k")", "s=:AAAA:");
  ASSERT_TRUE(without_digest.ok());
  EXPECT_FALSE(CheckMessageSignature(Example(), *without_digest, kBody, 1).ok());
}

TEST(MessageSignature, RefusesWhatDoesNotParse) {
  for (const char* input : {"", "sig1=", "sig1=(", R"(sig1=("@method")", R"(sig1=("@method");created=1)",
                            R"(sig1=("@method");keyid="k")", R"(sig1=("@method");created=x;keyid="k")",
                            R"(sig1=("@method";req);created=1;keyid="k")", R"(Sig1=("@method");created=1;keyid="k")",
                            R"(sig1=("@method");created=1;keyid="k";alg="ed25519")"}) {
    EXPECT_FALSE(ParseMessageSignature(input, "sig1=:AAAA:").ok()) << input;
  }
  EXPECT_FALSE(ParseMessageSignature(R"(sig1=("@method");created=1;keyid="k")", "sig2=:AAAA:").ok());
  EXPECT_FALSE(ParseMessageSignature(R"(sig1=("@method");created=1;keyid="k")", "sig1=AAAA").ok());
  EXPECT_FALSE(ParseMessageSignature(R"(sig1=("@method");created=1;keyid="k")", "sig1=:not base64!:").ok());
}

}  // namespace
}  // namespace vantage::federation
