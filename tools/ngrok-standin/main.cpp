// A stand-in for the ngrok agent (see README.md): `ngrok http ADDR` serving /api/tunnels.

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <thread>

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace {

std::string env_or(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value == nullptr || *value == '\0' ? fallback : std::string(value);
}

int run(int argc, char** argv) {
  if (const char* record = std::getenv("NGROK_STANDIN_RECORD"); record != nullptr) {
    std::ofstream out(record);
    for (int i = 0; i < argc; ++i) {
      out << argv[i] << "\n";
    }
  }
  if (argc < 3 || std::string(argv[1]) != "http") {
    std::cerr << "usage: ngrok http ADDR [--log stdout]\n";
    return 2;
  }
  const std::string addr = argv[2];
  if (env_or("NGROK_AUTHTOKEN", "").empty()) {
    std::cout << "ERROR:  authentication failed: Usage of ngrok requires a verified account and "
                 "authtoken.\nERROR:  ERR_NGROK_4018"
              << std::endl;
    return 1;
  }
  if (env_or("NGROK_STANDIN_FAIL", "") == "1") {
    std::cout << "ERROR:  failed to start tunnel: the stand-in was told to fail" << std::endl;
    return 3;
  }
  const std::string api = env_or("NGROK_AGENT_API_URL", "http://127.0.0.1:4040");
  const std::size_t colon = api.rfind(':');
  const int port = std::stoi(api.substr(colon + 1));
  const std::string host = api.substr(api.find("://") + 3, colon - api.find("://") - 3);

  std::mt19937_64 rng(std::random_device{}());
  const std::string url =
      "https://" + std::to_string(rng() % 1000000000ULL) + "-standin.ngrok-free.app";
  const auto delay = std::chrono::milliseconds(std::stoi(env_or("NGROK_STANDIN_DELAY_MS", "200")));
  const auto ready_at = std::chrono::steady_clock::now() + delay;

  httplib::Server server;
  server.Get("/api/tunnels", [&](const httplib::Request&, httplib::Response& res) {
    nlohmann::json doc;
    doc["uri"] = "/api/tunnels";
    doc["tunnels"] = nlohmann::json::array();
    if (std::chrono::steady_clock::now() >= ready_at) {
      doc["tunnels"].push_back({{"name", "command_line"},
                                {"uri", "/api/tunnels/command_line"},
                                {"public_url", url},
                                {"proto", "https"},
                                {"config", {{"addr", "http://" + addr}, {"inspect", true}}}});
    }
    res.set_content(doc.dump(), "application/json");
  });

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  if (!server.bind_to_port(host, port)) {
    std::cout << "ERROR:  cannot listen on " << host << ":" << port << std::endl;
    return 4;
  }
  std::thread listener([&] { server.listen_after_bind(); });
  std::cout << "t=standin lvl=info msg=\"started tunnel\" addr=http://" << addr << " url=" << url
            << std::endl;
  int received = 0;
  sigwait(&signals, &received);
  server.stop();
  listener.join();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "ngrok stand-in: " << e.what() << "\n";
  }
  return 1;
}
