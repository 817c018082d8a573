#include "support/api_record.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>
#include <unistd.h>

namespace atr::testing {

void record_api_answer(std::string_view method, std::string_view target, int status,
                       std::string_view content_type, std::string_view body) {
  const char* folder = std::getenv("ATR_API_RECORD");
  if (folder == nullptr || *folder == '\0') return;
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  std::filesystem::create_directories(folder);
  const std::string path = std::string(folder) + "/" + std::to_string(::getpid()) + ".jsonl";
  std::ofstream out(path, std::ios::app);
  nlohmann::json line;
  line["method"] = method;
  line["path"] = target.substr(0, target.find('?'));
  line["status"] = status;
  line["content_type"] = content_type;
  line["body"] = body;
  out << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

}  // namespace atr::testing
