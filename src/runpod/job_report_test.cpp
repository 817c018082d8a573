#include "runpod/job_report.h"

#include <gtest/gtest.h>

namespace atr {
namespace {

TEST(ParseJobReportTest, WebhookBodyGivesResultsAndTheEchoedRequestId) {
  const auto r = parse_job_report(R"({"delayTime":4736,"executionTime":157000,
      "id":"e4616554-aaaa-4bbb-8ccc-123456789abc-e1","status":"COMPLETED",
      "input":{"training_config":{"request_id":"0006_1764321000000"}},
      "output":{"loraUrl":"https://a/l.safetensors","model_info":{"size_bytes":171000000},
                "message":"done","someNewField":1},
      "webhook":"https://h/api/training-webhook/t"})",
                                  ReportSource::Webhook);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->event, LifecycleEvent::ReportedCompleted);
  EXPECT_EQ(r->request_id, "0006_1764321000000");
  EXPECT_EQ(r->lora_url, "https://a/l.safetensors");
  EXPECT_EQ(r->model_size_bytes, 171000000);
  EXPECT_EQ(r->execution_ms, 157000);
  EXPECT_EQ(r->message, "done");
}

TEST(ParseJobReportTest, LoraUrlFollowsThePrecedence) {
  auto url = [](const std::string& output) {
    auto r = parse_job_report(R"({"id":"j","status":"COMPLETED","output":)" + output + "}",
                              ReportSource::Poll);
    return r ? r->lora_url : "error";
  };
  EXPECT_EQ(url(R"({"loraUrl":"a","s3_url":"b","model_info":{"download_url":"c"}})"), "a");
  EXPECT_EQ(url(R"({"s3_url":"b","model_info":{"download_url":"c"}})"), "b");
  EXPECT_EQ(url(R"({"model_info":{"download_url":"c"}})"), "c");
  EXPECT_EQ(url(R"({})"), "");
}

TEST(ParseJobReportTest, InProgressOutputIsProgressNotResult) {
  auto r = parse_job_report(
      R"({"id":"j","status":"IN_PROGRESS","output":{"stage":"training","step":120,"total_steps":2000,"loss":0.0812}})",
      ReportSource::Poll);
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->progress);
  EXPECT_EQ(r->progress->stage, "training");
  EXPECT_EQ(r->progress->step, 120);
  EXPECT_EQ(r->progress->total_steps, 2000);
  EXPECT_DOUBLE_EQ(*r->progress->loss, 0.0812);
  EXPECT_TRUE(r->lora_url.empty());
}

TEST(ParseJobReportTest, TextProgressIsParsed) {
  const TrainingProgress p = parse_progress(nlohmann::json("training step 120/2000 loss=0.081"));
  EXPECT_EQ(p.stage, "training");
  EXPECT_EQ(p.step, 120);
  EXPECT_EQ(p.total_steps, 2000);
  EXPECT_DOUBLE_EQ(*p.loss, 0.081);
  const TrainingProgress q = parse_progress(nlohmann::json::parse(R"({"progress":"4/10"})"));
  EXPECT_EQ(q.step, 4);
  EXPECT_EQ(q.total_steps, 10);
}

TEST(ParseJobReportTest, FailureErrorInJsonTextIsMadeReadable) {
  auto r = parse_job_report(
      R"({"id":"j","status":"FAILED","error":"{\"error_type\":\"RuntimeError\",\"error_message\":\"CUDA out of memory\",\"error_traceback\":\"...\"}"})",
      ReportSource::Poll);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->event, LifecycleEvent::ReportedFailed);
  EXPECT_EQ(r->error, "RuntimeError: CUDA out of memory");
  EXPECT_EQ(readable_error("plain text"), "plain text");
  EXPECT_NE(readable_error(R"({"details":[1,2]})").find('\n'), std::string::npos);
}

TEST(ParseJobReportTest, UnknownStatusKeepsTheJobRunning) {
  auto r = parse_job_report(R"({"id":"j","status":"RUNNING"})", ReportSource::Poll);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->event, LifecycleEvent::ReportedRunning);
}

TEST(ParseJobReportTest, RefusesWhatIsNotAStatusObject) {
  EXPECT_FALSE(parse_job_report("<html>502 Bad Gateway</html>", ReportSource::Poll));
  EXPECT_FALSE(parse_job_report("[]", ReportSource::Poll));
  EXPECT_FALSE(parse_job_report(R"({"id":"j"})", ReportSource::Poll));
}

TEST(ParseJobReportTest, NumbersBeyondEveryRangeAreLeftOutNotConverted) {
  // 1e300 is a valid double but no int64; converting it would be undefined behaviour.
  const auto r = parse_job_report(
      R"({"id":"j","status":"COMPLETED","executionTime":1e300,"delayTime":-1e300,
          "output":{"loraUrl":"https://a/l.safetensors","step":1e300,"total_steps":18446744073709551615,
                    "loss":1e300,"model_info":{"size_bytes":-1e300}}})",
      ReportSource::Poll);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->event, LifecycleEvent::ReportedCompleted);
  EXPECT_FALSE(r->execution_ms.has_value());
  EXPECT_FALSE(r->model_size_bytes.has_value());
  // A number beyond a double's range makes the whole answer unreadable, as any broken body.
  EXPECT_FALSE(parse_job_report(R"({"id":"j","status":"COMPLETED","executionTime":1e400})",
                                ReportSource::Poll));
}

TEST(ParseJobReportTest, APreviewWorkersImagesInEachFormItIsKnownToSend) {
  auto report = [](const std::string& output) {
    auto r = parse_job_report(R"({"id":"j","status":"COMPLETED","output":)" + output + "}",
                              ReportSource::Poll);
    EXPECT_TRUE(r) << r.error().message;
    return *r;
  };
  // The studio's worker.
  JobReport studio = report(
      R"({"output":{"images":["iVBORw0KGgo="],"model_info":{"model_ids":["m"]}},"status":"success"})");
  ASSERT_EQ(studio.images.size(), 1U);
  EXPECT_EQ(studio.images[0].kind, ReportedImage::Kind::Base64);
  EXPECT_EQ(studio.images[0].data, "iVBORw0KGgo=");
  // The public ComfyUI worker: base64 and S3 URLs, with file names.
  JobReport comfy = report(
      R"({"images":[{"filename":"a.png","type":"base64","data":"data:image/png;base64,QUJD"},
                    {"filename":"b.png","type":"s3_url","data":"https://b.s3.amazonaws.com/b.png"}]})");
  ASSERT_EQ(comfy.images.size(), 2U);
  EXPECT_EQ(comfy.images[0].data, "QUJD");
  EXPECT_EQ(comfy.images[0].filename, "a.png");
  EXPECT_EQ(comfy.images[1].kind, ReportedImage::Kind::Url);
  // Plain URLs.
  JobReport urls = report(R"(["https://cdn.example/x.png"])");
  ASSERT_EQ(urls.images.size(), 1U);
  EXPECT_EQ(urls.images[0].kind, ReportedImage::Kind::Url);
  // The worker's own failure, and shapes that hold no image, say why.
  EXPECT_NE(report(R"({"status":"error","error":"LoRA download failed"})")
                .output_problem.find("LoRA download failed"),
            std::string::npos);
  EXPECT_TRUE(report(R"({"images":[]})").images.empty());
  EXPECT_FALSE(report(R"({"images":[]})").output_problem.empty());
  EXPECT_FALSE(report(R"({"images":[{"type":"webp-bytes","data":"x"}]})").output_problem.empty());
  EXPECT_FALSE(report(R"({"message":"done"})").output_problem.empty());
  // A training's result has no images and is not a preview problem to anyone who reads it.
  EXPECT_TRUE(report(R"({"loraUrl":"https://a/l.safetensors"})").images.empty());
}

}  // namespace
}  // namespace atr
