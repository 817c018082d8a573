// A SigV4-verifying S3 front for the sync benchmark: every request is checked as S3 checks it
// (tests/support's independent verifier; a signed payload hash is compared with the body)
// and then passed on, on a kept-alive connection, to an S3-protocol server that checks nothing
// (s3rver). It puts in front of s3rver what a real S3 endpoint costs a client: a signature
// check and one more hop per request.
// Usage: s3_proxy --upstream PORT [--port PORT] [--secret SECRET]

#include <iostream>
#include <string>

#include <httplib.h>
#include <openssl/sha.h>
#include <sys/socket.h>

#include "support/sigv4_verifier.h"

namespace {

constexpr const char* kUsage =
    "usage: s3_proxy --upstream PORT [--port PORT] [--secret SECRET]\n"
    "Verifies each request's SigV4 signature (secret default S3RVER) and passes it on to the\n"
    "S3-protocol server on 127.0.0.1:UPSTREAM. Prints \"listening on 127.0.0.1:PORT\".\n";

std::string sha256_hex(const std::string& body) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : digest) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

std::string s3_error(const std::string& code, const std::string& message) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>" +
         message + "</Message></Error>";
}

}  // namespace

int main(int argc, char** argv) {
  int port = 0;
  int upstream = 0;
  std::string secret = "S3RVER";
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      std::cout << kUsage;
      return 0;
    }
    if (i + 1 >= argc) {
      std::cerr << "s3_proxy: " << arg << " needs a value\n" << kUsage;
      return 2;
    }
    if (arg == "--port") {
      port = std::stoi(argv[++i]);
    } else if (arg == "--upstream") {
      upstream = std::stoi(argv[++i]);
    } else if (arg == "--secret") {
      secret = argv[++i];
    } else {
      std::cerr << "s3_proxy: unexpected argument '" << arg << "'\n" << kUsage;
      return 2;
    }
  }
  if (upstream <= 0) {
    std::cerr << kUsage;
    return 2;
  }
  httplib::Server server;
  server.new_task_queue = [] { return new httplib::ThreadPool(32); };
  // Debian's cpp-httplib listens with a backlog of 5 and closes a connection after its 5th
  // request: a client with more connections than that would wait out SYN retries (1 s each)
  // and reconnect often, which S3 never makes it do. The listening socket is noted here and
  // its backlog raised once bound; connections are kept.
  int listening = -1;
  server.set_socket_options([&listening](int sock) {
    httplib::default_socket_options(sock);
    listening = sock;
  });
  server.set_keep_alive_max_count(100000);
  const auto handle = [&](const httplib::Request& req, httplib::Response& res) {
    atr::testing::ReceivedRequest received{req.method, req.target, {}};
    for (const auto& [name, value] : req.headers) {
      // cpp-httplib adds these to what it received; S3 sees only what the client sent.
      if (name == "REMOTE_ADDR" || name == "REMOTE_PORT" || name == "LOCAL_ADDR" ||
          name == "LOCAL_PORT") {
        continue;
      }
      received.headers.emplace_back(name, value);
    }
    const atr::testing::SignatureCheck check = atr::testing::check_sigv4(received, secret);
    if (!check.valid) {
      res.status = 403;
      res.set_content(s3_error("SignatureDoesNotMatch", check.reason), "application/xml");
      return;
    }
    const std::string claimed = req.get_header_value("x-amz-content-sha256");
    if (claimed.size() == 64 && claimed != sha256_hex(req.body)) {
      res.status = 400;
      res.set_content(s3_error("XAmzContentSHA256Mismatch", "the body is not what was signed"),
                      "application/xml");
      return;
    }
    thread_local httplib::Client client("127.0.0.1", upstream);
    client.set_keep_alive(true);
    httplib::Request out;
    // A HEAD is asked as a GET, so that cpp-httplib answers it with the object's real length.
    out.method = req.method == "HEAD" ? "GET" : req.method;
    out.path = req.target;
    for (const auto& [name, value] : received.headers) {
      if (name == "Host" || name == "Content-Length" || name == "Connection") continue;
      out.headers.emplace(name, value);
    }
    out.body = req.body;
    httplib::Response answer;
    httplib::Error error = httplib::Error::Success;
    if (!client.send(out, answer, error)) {
      res.status = 502;
      res.set_content(s3_error("BadGateway", httplib::to_string(error)), "application/xml");
      return;
    }
    res.status = answer.status;
    std::string type = "application/octet-stream";
    for (const auto& [name, value] : answer.headers) {
      if (name == "Content-Type") {
        type = value;
      } else if (name != "Content-Length" && name != "Transfer-Encoding" && name != "Connection" &&
                 name != "Keep-Alive") {
        res.headers.emplace(name, value);
      }
    }
    res.set_content(answer.body, type);
  };
  const std::string any = ".*";
  server.Get(any, handle);
  server.Put(any, handle);
  server.Post(any, handle);
  server.Delete(any, handle);
  const int bound = port > 0 ? (server.bind_to_port("127.0.0.1", port) ? port : -1)
                             : server.bind_to_any_port("127.0.0.1");
  if (bound <= 0) {
    std::cerr << "s3_proxy: cannot listen on 127.0.0.1:" << port << "\n";
    return 1;
  }
  if (listening < 0 || ::listen(listening, 4096) != 0) {
    std::cerr << "s3_proxy: cannot raise the listen backlog\n";
    return 1;
  }
  std::cout << "listening on 127.0.0.1:" << bound << std::endl;
  return server.listen_after_bind() ? 0 : 1;
}
