#include "registry/actor_reader.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <limits>
#include <optional>

#include <simdjson.h>

#include "registry/actor_json.h"
#include "registry/json_spans.h"

namespace atr {
namespace {

namespace od = simdjson::ondemand;

// The first simdjson error met, with the byte it was met at (when known).
struct Failure {
  simdjson::error_code code = simdjson::SUCCESS;
  const char* at = nullptr;
};

class Reader {
 public:
  explicit Reader(const char* base) : base_(base) {}

  [[nodiscard]] const Failure& failure() const { return failure_; }
  [[nodiscard]] bool ok() const { return failure_.code == simdjson::SUCCESS; }

  // Records the first failure; returns true when `code` is one.
  bool failed(simdjson::error_code code, od::value* where = nullptr) {
    if (code == simdjson::SUCCESS) return false;
    if (failure_.code == simdjson::SUCCESS) {
      failure_.code = code;
      if (where != nullptr) {
        const char* at = nullptr;
        if (where->current_location().get(at) == simdjson::SUCCESS) failure_.at = at;
      }
    }
    return true;
  }

  // Calls fn(key, value) for each member of `object`, in order; false when a member could
  // not be read (the failure is recorded) or fn said to stop.
  template <typename Fn>
  bool each_member(od::object& object, Fn&& fn) {
    for (auto result : object) {
      od::field field;
      std::string_view key;
      if (failed(std::move(result).get(field)) || !key_of(field, key)) return false;
      if (!fn(key, field.value())) return false;
    }
    return true;
  }

  // Walks a value nobody reads, so that it is validated as a full parser would.
  bool walk(od::value value, int depth = 0) {
    if (depth > 1024) return !failed(simdjson::DEPTH_ERROR, &value);
    od::json_type type{};
    if (failed(value.type().get(type), &value)) return false;
    switch (type) {
      case od::json_type::object: {
        od::object object;
        if (failed(value.get_object().get(object), &value)) return false;
        return each_member(object, [&](std::string_view /*key*/, od::value member) {
          return walk(member, depth + 1);
        });
      }
      case od::json_type::array: {
        od::array array;
        if (failed(value.get_array().get(array), &value)) return false;
        for (auto element : array) {
          od::value item;
          if (failed(element.get(item))) return false;
          if (!walk(item, depth + 1)) return false;
        }
        return true;
      }
      case od::json_type::string: {
        const std::string_view raw = value.raw_json_token();
        if (raw.find('\\') == std::string_view::npos) return true;  // nothing to unescape
        std::string_view text;
        return !failed(value.get_string().get(text), &value);
      }
      case od::json_type::number: {
        od::number number;
        const simdjson::error_code code = value.get_number().get(number);
        if (code == simdjson::SUCCESS || valid_beyond_64_bits(value)) return true;
        return !failed(code, &value);
      }
      case od::json_type::boolean: {
        bool b = false;
        return !failed(value.get_bool().get(b), &value);
      }
      case od::json_type::null: {
        bool null = false;
        if (failed(value.is_null().get(null), &value)) return false;
        return null || !failed(simdjson::N_ATOM_ERROR, &value);
      }
    }
    return !failed(simdjson::INCORRECT_TYPE, &value);
  }

  // A member's name: read in place unless it holds an escape (simdjson then decodes it).
  bool key_of(od::field& field, std::string_view& key) {
    const char* start = field.key().raw();  // just past the opening quote
    const char* end = start;
    bool escaped = false;
    while (*end != '"') {  // stage 1 has checked that every string closes
      if (*end == '\\') {
        escaped = true;
        break;
      }
      ++end;
    }
    if (!escaped) {
      key = std::string_view(start, static_cast<std::size_t>(end - start));
      return true;
    }
    return !failed(field.unescaped_key().get(key));
  }

  // An integer beyond 64 bits is valid JSON, which simdjson 3.0 refuses to read as a number
  // (nlohmann/json reads it as a double).
  static bool valid_beyond_64_bits(od::value& value) {
    std::string_view raw = value.raw_json_token();
    while (!raw.empty() &&
           (raw.back() == ' ' || raw.back() == '\n' || raw.back() == '\r' || raw.back() == '\t')) {
      raw.remove_suffix(1);
    }
    if (raw.empty() || raw.size() < 19) return false;
    const bool digits = std::all_of(raw.begin() + (raw.front() == '-' ? 1 : 0), raw.end(),
                                    [](char c) { return c >= '0' && c <= '9'; });
    return digits && (raw.front() != '0' || raw.size() == 1);
  }

  // A string value (empty when it is another type, which is then walked).
  std::string string_of(od::value value) {
    od::json_type type{};
    if (failed(value.type().get(type), &value)) return {};
    if (type != od::json_type::string) {
      walk(value);
      return {};
    }
    // Copied straight from the text unless it holds an escape (simdjson then decodes it).
    const std::string_view raw = value.raw_json_token();
    const std::size_t close = raw.rfind('"');
    if (close != std::string_view::npos && close > 0) {
      const std::string_view inner = raw.substr(1, close - 1);
      if (inner.find('\\') == std::string_view::npos) return std::string(inner);
    }
    std::string_view text;
    if (failed(value.get_string().get(text), &value)) return {};
    return std::string(text);
  }

  // A string or number value as text ("6" for 6, "0006" for "0006"); sets `integer` when the
  // value is a JSON integer. Other types read as empty.
  std::string text_of(od::value value, bool* integer = nullptr) {
    if (integer != nullptr) *integer = false;
    od::json_type type{};
    if (failed(value.type().get(type), &value)) return {};
    if (type == od::json_type::string) return string_of(value);
    if (type != od::json_type::number) {
      walk(value);
      return {};
    }
    std::string_view raw = value.raw_json_token();
    while (!raw.empty() &&
           (raw.back() == ' ' || raw.back() == '\n' || raw.back() == '\r' || raw.back() == '\t')) {
      raw.remove_suffix(1);
    }
    od::number number;
    const simdjson::error_code parsed = value.get_number().get(number);
    if (parsed == simdjson::SUCCESS && !number.is_double()) {
      if (integer != nullptr) *integer = true;
      return number.is_int64() ? std::to_string(number.get_int64())
                               : std::to_string(number.get_uint64());
    }
    if (parsed != simdjson::SUCCESS && !valid_beyond_64_bits(value)) {
      failed(parsed, &value);
      return {};
    }
    // As nlohmann/json writes the same number (a float, or an integer beyond 64 bits).
    return nlohmann::json::parse(raw).dump();
  }

  bool bool_of(od::value value) {
    od::json_type type{};
    if (failed(value.type().get(type), &value)) return false;
    if (type != od::json_type::boolean) {
      walk(value);
      return false;
    }
    bool b = false;
    return !failed(value.get_bool().get(b), &value) && b;
  }

  // The string elements of an array (anything else is walked; not an array: empty).
  UrlList strings_of(od::value value) {
    UrlList out;
    od::json_type type{};
    if (failed(value.type().get(type), &value)) return out;
    if (type != od::json_type::array) {
      walk(value);
      return out;
    }
    od::array array;
    if (failed(value.get_array().get(array), &value)) return out;
    for (auto element : array) {
      od::value item;
      od::json_type item_type{};
      if (failed(element.get(item)) || failed(item.type().get(item_type), &item)) return out;
      if (item_type == od::json_type::string) {
        out.push_back(string_of(item));
      } else {
        walk(item);
      }
    }
    return out;
  }

  std::optional<TrainingDataRecord> training_data(od::value value) {
    od::object object;
    if (!object_of(value, object)) return std::nullopt;
    TrainingDataRecord data;
    const bool read = each_member(object, [&](std::string_view key, od::value member) {
      if (key == "s3_urls") {
        data.s3_urls = strings_of(member);
      } else if (key == "local_path") {
        data.local_path = string_of(member);
      } else if (key == "count") {
        bool integer = false;
        const std::string text = text_of(member, &integer);
        data.count = 0;
        // A count beyond int is not a count of images: left at 0, so the block reads as
        // unsynced.
        if (integer && !text.empty() && text.front() != '-' && text.size() <= 10) {
          const long long n = std::stoll(text);
          if (n <= std::numeric_limits<int>::max()) data.count = static_cast<int>(n);
        }
      } else if (key == "synced") {
        data.synced = bool_of(member);
      } else {
        walk(member);
      }
      return ok();
    });
    return read ? std::optional(std::move(data)) : std::nullopt;
  }

  std::optional<ValidatedModel> validated_model(od::value value) {
    od::object object;
    if (!object_of(value, object)) return std::nullopt;
    ValidatedModel model;
    const bool read = each_member(object, [&](std::string_view key, od::value member) {
      if (key == "version_id") {
        model.version_id = string_of(member);
      } else if (key == "version_name") {
        model.version_name = string_of(member);
      } else if (key == "lora_url") {
        model.lora_url = string_of(member);
      } else if (key == "marked_at") {
        model.marked_at = string_of(member);
      } else {
        walk(member);
      }
      return ok();
    });
    return read ? std::optional(std::move(model)) : std::nullopt;
  }

  // Medium webp is what a grid card shows; the rest are fallbacks in order of usefulness.
  std::string poster_of(od::value value) {
    od::object object;
    if (!object_of(value, object)) return {};
    std::string best[2][4];  // [standard, accelerated][webp_md, webp_lg, webp_sm, png]
    each_member(object, [&](std::string_view key, od::value set) {
      const int variant = key == "standard" ? 0 : key == "accelerated" ? 1 : -1;
      if (variant < 0) {
        walk(set);
        return ok();
      }
      for (std::string& url : best[variant]) {  // the last duplicate key wins
        url.clear();
      }
      od::object sizes;
      if (!object_of(set, sizes)) return ok();
      return each_member(sizes, [&](std::string_view size, od::value url) {
        const int slot = size == "webp_md"   ? 0
                         : size == "webp_lg" ? 1
                         : size == "webp_sm" ? 2
                         : size == "png"     ? 3
                                             : -1;
        if (slot < 0) {
          walk(url);
        } else {
          best[variant][slot] = string_of(url);
        }
        return ok();
      });
    });
    for (auto& variant : best) {
      for (std::string& url : variant) {
        if (!url.empty()) return url;
      }
    }
    return {};
  }

  // Gets an object; any other type is walked and reads as absent (false).
  bool object_of(od::value& value, od::object& object) {
    od::json_type type{};
    if (failed(value.type().get(type), &value)) return false;
    if (type != od::json_type::object) {
      walk(value);
      return false;
    }
    return !failed(value.get_object().get(object), &value);
  }

  std::optional<Actor> actor(od::object object) {
    Actor actor;
    std::string poster;
    std::string img;
    bool have_frames = false;
    each_member(object, [&](std::string_view key, od::value value) {
      if (key == "id") {
        actor.id = text_of(value, &actor.id_is_number);
      } else if (key == "name") {
        actor.name = string_of(value);
      } else if (key == "sex") {
        actor.sex = string_of(value);
      } else if (key == "ethnicity") {
        actor.ethnicity = string_of(value);
      } else if (key == "age") {
        actor.age = text_of(value);
      } else if (key == "description") {
        actor.description = string_of(value);
      } else if (key == "poster_frames") {
        poster = poster_of(value);
        have_frames = true;
      } else if (key == "img") {
        img = string_of(value);
      } else if (key == "good") {
        actor.good = bool_of(value);
      } else if (key == "training_data") {
        actor.training_data = training_data(value);
      } else if (key == "validated_lora_model") {
        actor.validated_model = validated_model(value);
      } else {
        walk(value);
      }
      return ok();
    });
    if (failure_.code != simdjson::SUCCESS) return std::nullopt;
    actor.poster_url = have_frames && !poster.empty() ? poster : img;
    return actor;
  }

  [[nodiscard]] std::size_t offset_of(const char* at) const {
    return static_cast<std::size_t>(at - base_);
  }

 private:
  const char* base_;
  Failure failure_;
};

// A new Actor::revision for each record read, unique in the process.
std::uint64_t next_revision() {
  static std::atomic<std::uint64_t> counter{0};
  return ++counter;
}

Error malformed_at(std::string_view text, std::size_t offset, const std::string& why) {
  const TextPosition at = position_of(text, offset);
  return Error{ErrorCode::InvalidArgument, "malformed JSON at line " + std::to_string(at.line) +
                                               ", column " + std::to_string(at.column) + ": " +
                                               why};
}

// The message for a file simdjson refused: nlohmann/json's own (line, column and what it
// expected), which users have seen from this product before; simdjson's when nlohmann reads
// the text (they disagree only on corners such as control characters inside strings).
Error refusal(std::string_view text, const char* base, const Failure& failure) {
  Result<nlohmann::json> document = parse_json_document(text);
  if (!document) return document.error();
  const std::size_t offset =
      failure.at != nullptr && failure.at >= base && failure.at <= base + text.size()
          ? static_cast<std::size_t>(failure.at - base)
          : 0;
  return malformed_at(text, offset, simdjson::error_message(failure.code));
}

// The end of the object whose last token ends before `next` (the following ',' or ']'): one
// past its closing brace.
std::size_t end_before(std::string_view text, std::size_t next) {
  std::size_t end = next;
  while (end > 0 && text[end - 1] != '}') {
    --end;
  }
  return end;
}

// `padded` holds the bytes of `text` (the same buffer, or a padded copy of it).
Result<ReadActors> read_padded(std::string_view text, simdjson::padded_string_view padded) {
  od::parser parser;
  od::document doc;
  Reader reader(padded.data());
  Failure failure;
  if (simdjson::error_code code = parser.iterate(padded).get(doc); code != simdjson::SUCCESS) {
    failure.code = code;
    return refusal(text, padded.data(), failure);
  }
  od::json_type top{};
  if (simdjson::error_code code = doc.type().get(top); code != simdjson::SUCCESS) {
    failure.code = code;
    return refusal(text, padded.data(), failure);
  }
  if (top != od::json_type::array) {
    // Still a refusal of a well-formed document only when it is well formed.
    Result<nlohmann::json> document = parse_json_document(text);
    if (!document) return document.error();
    return Error{ErrorCode::InvalidArgument, "expected a JSON array of actors at line 1, column 1"};
  }
  od::array array;
  if (simdjson::error_code code = doc.get_array().get(array); code != simdjson::SUCCESS) {
    failure.code = code;
    return refusal(text, padded.data(), failure);
  }
  ReadActors out;
  // Room for a registry of about a kilobyte per actor (a smaller guess only costs address
  // space); the actors themselves go into blocks that are never moved.
  out.bounds.reserve(text.size() / 1024 + 1);
  std::optional<std::size_t> open_begin;  // the object whose end is not known yet
  for (auto element : array) {
    od::value value;
    if (reader.failed(element.get(value))) break;
    const char* at = nullptr;
    if (reader.failed(value.current_location().get(at), &value)) break;
    const std::size_t begin = reader.offset_of(at);
    if (open_begin) out.bounds.push_back({*open_begin, end_before(text, begin)});
    od::json_type type{};
    if (reader.failed(value.type().get(type), &value)) break;
    if (type != od::json_type::object) {
      if (!reader.walk(value)) break;
      Result<nlohmann::json> document = parse_json_document(text);
      if (!document) return document.error();
      return Error{ErrorCode::InvalidArgument,
                   "actor " + std::to_string(out.actors.size() + 1) + " is not a JSON object"};
    }
    od::object object;
    if (reader.failed(value.get_object().get(object), &value)) break;
    std::optional<Actor> actor = reader.actor(object);
    if (!actor) break;
    actor->revision = next_revision();
    out.actors.push_back(std::move(*actor));
    open_begin = begin;
  }
  if (reader.failure().code != simdjson::SUCCESS) {
    return refusal(text, padded.data(), reader.failure());
  }
  if (const char* after = nullptr; doc.current_location().get(after) == simdjson::SUCCESS) {
    failure.code = simdjson::TRAILING_CONTENT;
    failure.at = after;
    return refusal(text, padded.data(), failure);
  }
  // The last object ends before the array's closing ']', the last bracket of the text.
  if (open_begin) out.bounds.push_back({*open_begin, end_before(text, text.rfind(']'))});
  return out;
}

}  // namespace

std::size_t actor_reader_padding() {
  return simdjson::SIMDJSON_PADDING;
}

Result<ReadActors> read_actors(const std::string& text) {
  // A UTF-8 byte order mark, which nlohmann/json accepts and simdjson does not, is stepped over;
  // the bounds still count from the start of `text`.
  const std::size_t skip = std::string_view(text).starts_with("\xEF\xBB\xBF") ? 3 : 0;
  const std::string_view body = std::string_view(text).substr(skip);
  Result<ReadActors> read = [&]() -> Result<ReadActors> {
    if (text.capacity() >= text.size() + simdjson::SIMDJSON_PADDING) {
      return read_padded(
          body, simdjson::padded_string_view(body.data(), body.size(), text.capacity() - skip));
    }
    const simdjson::padded_string copy(body);
    return read_padded(body,
                       simdjson::padded_string_view(copy.data(), copy.size(),
                                                    copy.size() + simdjson::SIMDJSON_PADDING));
  }();
  if (read && skip > 0) {
    for (ObjectBounds& b : read->bounds) {
      b.begin += skip;
      b.end += skip;
    }
  }
  return read;
}

}  // namespace atr
