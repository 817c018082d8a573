#include "registry/actor_json.h"

#include "registry/json_spans.h"

namespace atr {
namespace {

using nlohmann::json;

// Accepts every value and records where the parser stopped and why.
class ErrorLocator final : public nlohmann::json_sax<json> {
 public:
  size_t position = 0;  ///< byte offset of the token the parser stopped at
  std::string message;

  bool null() override { return true; }
  bool boolean(bool /*value*/) override { return true; }
  bool number_integer(number_integer_t /*value*/) override { return true; }
  bool number_unsigned(number_unsigned_t /*value*/) override { return true; }
  bool number_float(number_float_t /*value*/, const string_t& /*text*/) override { return true; }
  bool string(string_t& /*value*/) override { return true; }
  bool binary(binary_t& /*value*/) override { return true; }
  bool start_object(std::size_t /*size*/) override { return true; }
  bool key(string_t& /*value*/) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t /*size*/) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t at, const std::string& token,
                   const nlohmann::detail::exception& error) override {
    position = at >= token.size() ? at - token.size() : 0;  // where the token starts
    message = error.what();
    return false;
  }
};

}  // namespace

std::string json_string(const json& object, const char* key) {
  auto it = object.find(key);
  return (it != object.end() && it->is_string()) ? it->get<std::string>() : std::string{};
}

Result<json> parse_json_document(std::string_view text) {
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    const size_t offset = e.byte > 0 ? e.byte - 1 : 0;
    const TextPosition at = position_of(text, offset);
    std::string why = e.what();
    // nlohmann's text is "[json.exception.parse_error.101] parse error at line 3, column 5:
    // syntax error while parsing ..."; keep only the part after the position.
    if (size_t colon = why.find(": ", why.find("column")); colon != std::string::npos) {
      why = why.substr(colon + 2);
    }
    return Error{ErrorCode::InvalidArgument, "malformed JSON at line " + std::to_string(at.line) +
                                                 ", column " + std::to_string(at.column) + ": " +
                                                 why};
  } catch (const json::exception& e) {
    // A number beyond a double's range ("1e400") is valid JSON that nlohmann cannot hold; it
    // throws out_of_range without a position, which its SAX interface reports.
    ErrorLocator locator;
    json::sax_parse(text, &locator);
    const TextPosition at = position_of(text, locator.position);
    std::string why = locator.message.empty() ? std::string(e.what()) : locator.message;
    if (size_t bracket = why.find("] ");
        why.rfind("[json.exception", 0) == 0 && bracket != std::string::npos) {
      why = why.substr(bracket + 2);
    }
    return Error{ErrorCode::InvalidArgument, "unreadable JSON at line " + std::to_string(at.line) +
                                                 ", column " + std::to_string(at.column) + ": " +
                                                 why};
  }
}

nlohmann::ordered_json merge_training_data(nlohmann::ordered_json existing,
                                           const TrainingDataRecord& record) {
  if (!existing.is_object()) existing = nlohmann::ordered_json::object();
  existing["s3_urls"] = record.s3_urls;
  existing["local_path"] = record.local_path;
  existing["count"] = record.count;
  existing["synced"] = record.synced;
  return existing;
}

nlohmann::ordered_json merge_validated_model(nlohmann::ordered_json existing,
                                             const ValidatedModel& model) {
  if (!existing.is_object()) existing = nlohmann::ordered_json::object();
  existing["version_id"] = model.version_id;
  existing["version_name"] = model.version_name;
  existing["lora_url"] = model.lora_url;
  existing["marked_at"] = model.marked_at;
  return existing;
}

}  // namespace atr
