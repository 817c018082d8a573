#include "s3/sigv4.h"

#include <gtest/gtest.h>

#include "support/sigv4_verifier.h"

namespace atr {
namespace {

// The example credentials of AWS's SigV4 documentation for S3.
constexpr const char* kAccessKey = "AKIAIOSFODNN7EXAMPLE";
constexpr const char* kAwsExampleSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

std::string hex(const std::string& bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

TEST(SigV4Test, SigningKeyMatchesTheDocumentedDerivation) {
  // AWS General Reference, "Examples of how to derive a signing key for Signature Version 4".
  EXPECT_EQ(hex(sigv4::signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215",
                                   "us-east-1", "iam")),
            "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
}

TEST(SigV4Test, EncodesKeysAndQueriesTheWaySigV4Canonicalizes) {
  EXPECT_EQ(sigv4::uri_encode("actors/0006 x/a(1)+é~.jpg", true),
            "actors/0006%20x/a%281%29%2B%C3%A9~.jpg");
  EXPECT_EQ(sigv4::uri_encode("a/b", false), "a%2Fb");
  EXPECT_EQ(sigv4::canonical_query(
                {{"prefix", "actors/a b"}, {"list-type", "2"}, {"continuation-token", "x+y="}}),
            "continuation-token=x%2By%3D&list-type=2&prefix=actors%2Fa%20b");
  EXPECT_EQ(sigv4::sha256_hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(SigV4Test, PresignedUrlMatchesTheDocumentedExample) {
  // Amazon S3 API Reference, "Authenticating Requests: Using Query Parameters" (example).
  sigv4::PresignRequest r;
  r.host = "examplebucket.s3.amazonaws.com";
  r.path = "/test.txt";
  r.access_key = kAccessKey;
  r.secret = kAwsExampleSecret;
  r.region = "us-east-1";
  r.amz_date = "20130524T000000Z";
  r.expires_seconds = 86400;
  const std::string query = sigv4::presigned_query(r);
  EXPECT_EQ(
      query,
      "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-"
      "east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-"
      "SignedHeaders=host&X-Amz-Signature="
      "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
  // The independent verifier agrees, and notices a changed path.
  testing::ReceivedRequest received{"GET", "/test.txt?" + query, {{"Host", r.host}}};
  EXPECT_TRUE(testing::check_sigv4(received, kAwsExampleSecret).valid);
  received.target = "/test2.txt?" + query;
  EXPECT_FALSE(testing::check_sigv4(received, kAwsExampleSecret).valid);
}

TEST(SigV4VerifierTest, AcceptsTheDocumentedGetObjectExampleAndNothingElse) {
  // Amazon S3 API Reference, "Authenticating Requests: Using the Authorization Header",
  // example GET Object.
  testing::ReceivedRequest get{
      "GET",
      "/test.txt",
      {{"Host", "examplebucket.s3.amazonaws.com"},
       {"Range", "bytes=0-9"},
       {"x-amz-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
       {"x-amz-date", "20130524T000000Z"},
       {"Authorization",
        "AWS4-HMAC-SHA256 "
        "Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;"
        "range;x-amz-content-sha256;x-amz-date,Signature="
        "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"}}};
  const testing::SignatureCheck ok = testing::check_sigv4(get, kAwsExampleSecret);
  EXPECT_TRUE(ok.valid) << ok.reason << "\n" << ok.canonical_request;
  EXPECT_FALSE(testing::check_sigv4(get, "another-secret").valid);
  get.headers[1].second = "bytes=0-10";
  EXPECT_FALSE(testing::check_sigv4(get, kAwsExampleSecret).valid);
}

}  // namespace
}  // namespace atr
