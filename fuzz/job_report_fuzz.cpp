// RunPod's JSON as a webhook body (fuzz_webhook) or a /status answer (fuzz_runpod_status):
// any bytes give a report or an error, never a crash or undefined behaviour, and the error
// text made from an answer is bounded.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "runpod/job_report.h"
#include "runpod/runpod_backend.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  atr::Result<atr::JobReport> report =
      atr::parse_job_report(body, atr::ReportSource::ATR_FUZZ_SOURCE);
  if (report && report->progress && report->progress->text.size() > 4096) std::abort();
  atr::HttpResponse answer;
  answer.outcome = atr::HttpResponse::Outcome::Answered;
  answer.status = 502;
  answer.body = body;
  if (atr::describe_answer(answer).size() > 4096) std::abort();
  return 0;
}
