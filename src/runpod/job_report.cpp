#include "runpod/job_report.h"

#include <cstdlib>
#include <regex>

namespace atr {
namespace {

using nlohmann::json;

constexpr size_t kMaxProgressText = 200;

// A JSON number as a whole number, or nullopt when it lies beyond what an int64 holds (a
// conversion of such a double would be undefined).
std::optional<std::int64_t> whole_number(const json& value) {
  if (value.is_number_integer() && !value.is_number_unsigned()) return value.get<std::int64_t>();
  const double number = value.get<double>();
  constexpr double kLimit = 9.2e18;
  if (!(number > -kLimit && number < kLimit)) return std::nullopt;
  return static_cast<std::int64_t>(number);
}

std::optional<std::int64_t> int_field(const json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end() || !it->is_number()) return std::nullopt;
  return whole_number(*it);
}

std::string string_field(const json& object, const char* name) {
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<long long> number_of(const json& object, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    auto it = object.find(name);
    if (it == object.end()) continue;
    if (it->is_number()) return whole_number(*it);
    if (it->is_string()) {
      const std::string text = it->get<std::string>();
      char* end = nullptr;
      const long long value = std::strtoll(text.c_str(), &end, 10);
      if (end != text.c_str()) return value;
    }
  }
  return std::nullopt;
}

void parse_progress_text(const std::string& text, TrainingProgress& p) {
  static const std::regex kSteps(R"((\d+)\s*/\s*(\d+))");
  static const std::regex kLoss(R"(loss\s*[=:]?\s*([0-9]*\.?[0-9]+(?:[eE][-+]?\d+)?))",
                                std::regex::icase);
  static const std::regex kStage(R"(^\s*([A-Za-z][A-Za-z_ -]*?)\s*(?:[:\-]|step|\d|$))",
                                 std::regex::icase);
  std::smatch m;
  if (!p.step && std::regex_search(text, m, kSteps)) {
    p.step = std::atoll(m[1].str().c_str());
    p.total_steps = std::atoll(m[2].str().c_str());
  }
  if (!p.loss && std::regex_search(text, m, kLoss)) p.loss = std::atof(m[1].str().c_str());
  if (p.stage.empty() && std::regex_search(text, m, kStage)) p.stage = m[1].str();
}

std::string progress_text(const json& output) {
  std::string text = output.is_string() ? output.get<std::string>() : output.dump();
  if (text.size() > kMaxProgressText) text.resize(kMaxProgressText);
  return text;
}

// One entry of an image list: a URL or base64 text (a data: URL prefix dropped), or the
// public ComfyUI worker's {"filename", "type": "base64" | "s3_url", "data"}.
std::optional<ReportedImage> image_of(const json& entry, std::string& problem) {
  ReportedImage image;
  std::string data;
  std::string type;
  if (entry.is_string()) {
    data = entry.get<std::string>();
  } else if (entry.is_object()) {
    data = string_field(entry, "data");
    type = string_field(entry, "type");
    image.filename = string_field(entry, "filename");
    if (data.empty()) data = string_field(entry, "url");
  }
  if (data.empty()) {
    problem = "an image entry holds no data";
    return std::nullopt;
  }
  const bool url = type == "s3_url" || type == "url" || data.starts_with("http://") ||
                   data.starts_with("https://") || data.starts_with("s3://");
  if (!url && !type.empty() && type != "base64") {
    problem = "an image entry has the unknown type \"" + type + "\"";
    return std::nullopt;
  }
  if (!url && data.starts_with("data:")) {
    const size_t comma = data.find(',');
    data = comma == std::string::npos ? std::string() : data.substr(comma + 1);
  }
  image.kind = url ? ReportedImage::Kind::Url : ReportedImage::Kind::Base64;
  image.data = std::move(data);
  return image;
}

// A preview worker's images from a COMPLETED output: the studio's worker
// ({"output": {"images": [...]}, "status": "success"}), the public ComfyUI worker
// ({"images": [...]}), entries as image_of() reads them.
void read_images(const json& output, JobReport& r) {
  const json* list = nullptr;
  // The studio's worker says how it went beside its output: {"status": "error", "error": …}.
  if (output.is_object()) {
    const std::string status = string_field(output, "status");
    if (!status.empty() && status != "success") {
      std::string why = string_field(output, "error");
      if (why.empty()) why = string_field(output, "message");
      r.output_problem = "the worker reported \"" + status + "\"" + (why.empty() ? "" : ": " + why);
      return;
    }
  }
  if (output.is_array()) {
    list = &output;
  } else if (auto inner = output.find("output"); inner != output.end() && inner->is_object()) {
    if (auto images = inner->find("images"); images != inner->end()) list = &*images;
  } else if (auto images = output.find("images"); images != output.end()) {
    list = &*images;
  }
  if (list == nullptr || !list->is_array()) {
    r.output_problem = "expected output.output.images or output.images as a list";
    return;
  }
  for (const json& entry : *list) {
    std::optional<ReportedImage> image = image_of(entry, r.output_problem);
    if (!image) {
      r.images.clear();
      return;
    }
    r.images.push_back(std::move(*image));
  }
  if (r.images.empty()) r.output_problem = "the image list is empty";
}

}  // namespace

LifecycleEvent event_for_status(std::string_view status) {
  if (status == "IN_QUEUE") return LifecycleEvent::ReportedQueued;
  if (status == "COMPLETED") return LifecycleEvent::ReportedCompleted;
  if (status == "FAILED") return LifecycleEvent::ReportedFailed;
  if (status == "CANCELLED") return LifecycleEvent::ReportedCancelled;
  if (status == "TIMED_OUT") return LifecycleEvent::ReportedTimedOut;
  // IN_PROGRESS, RUNNING (documented only) and any status RunPod adds later: still running.
  return LifecycleEvent::ReportedRunning;
}

TrainingProgress parse_progress(const json& output) {
  TrainingProgress p;
  p.text = progress_text(output);
  if (output.is_object()) {
    p.stage = string_field(output, "stage");
    if (p.stage.empty()) p.stage = string_field(output, "phase");
    p.step = number_of(output, {"step", "current_step"});
    p.total_steps = number_of(output, {"total_steps", "total", "max_steps", "max_train_steps"});
    if (auto it = output.find("loss"); it != output.end() && it->is_number()) {
      p.loss = it->get<double>();
    }
    // {"progress": "4/10"} or a message with the numbers in it.
    for (const char* name : {"progress", "message", "status"}) {
      if (auto it = output.find(name); it != output.end() && it->is_string()) {
        parse_progress_text(it->get<std::string>(), p);
      }
    }
  } else if (output.is_string()) {
    parse_progress_text(output.get<std::string>(), p);
  }
  return p;
}

std::string readable_error(const std::string& error) {
  const json parsed = json::parse(error, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || parsed.is_string() || parsed.is_number()) return error;
  if (parsed.is_object() && parsed.contains("error_message")) {
    const std::string type = string_field(parsed, "error_type");
    const std::string message = string_field(parsed, "error_message");
    return type.empty() ? message : type + ": " + message;
  }
  return parsed.dump(2);
}

Result<JobReport> parse_job_report(std::string_view body, ReportSource source) {
  const json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return Error{ErrorCode::InvalidArgument, "RunPod job status: not a JSON object"};
  }
  JobReport r;
  r.source = source;
  r.job_id = string_field(doc, "id");
  r.raw_status = string_field(doc, "status");
  if (r.raw_status.empty()) {
    return Error{ErrorCode::InvalidArgument, "RunPod job status: no \"status\" string"};
  }
  r.event = event_for_status(r.raw_status);
  r.delay_ms = int_field(doc, "delayTime");
  r.execution_ms = int_field(doc, "executionTime");
  if (auto it = doc.find("error"); it != doc.end() && !it->is_null()) {
    r.error = readable_error(it->is_string() ? it->get<std::string>() : it->dump());
  }
  if (auto input = doc.find("input"); input != doc.end() && input->is_object()) {
    if (auto config = input->find("training_config");
        config != input->end() && config->is_object()) {
      r.request_id = string_field(*config, "request_id");
    }
  }
  const auto output = doc.find("output");
  if (output == doc.end() || output->is_null()) return r;
  // The same field holds progress while running and the result at the end (RunPod's
  // design): only the status tells them apart.
  if (r.event == LifecycleEvent::ReportedRunning) {
    r.progress = parse_progress(*output);
    return r;
  }
  if (output->is_object()) {
    r.lora_url = string_field(*output, "loraUrl");
    if (r.lora_url.empty()) r.lora_url = string_field(*output, "s3_url");
    if (auto info = output->find("model_info"); info != output->end() && info->is_object()) {
      if (r.lora_url.empty()) r.lora_url = string_field(*info, "download_url");
      r.model_size_bytes = int_field(*info, "size_bytes");
    }
    r.message = string_field(*output, "message");
    if (r.event == LifecycleEvent::ReportedCompleted) read_images(*output, r);
  } else if (output->is_string()) {
    r.message = output->get<std::string>();
  } else if (output->is_array() && r.event == LifecycleEvent::ReportedCompleted) {
    read_images(*output, r);
  }
  return r;
}

}  // namespace atr
