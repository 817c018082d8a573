#include "store/sqlite_version_store.h"

#include <thread>

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include "support/temp_dir.h"

namespace atr {
namespace {

using testing::TempDir;

Version make_version(const std::string& actor, int number, UnixMs now) {
  Version v;
  v.actor_id = actor;
  v.actor_name = actor + "_name";
  v.number = number;
  v.name = "V" + std::to_string(number);
  v.model_name = "actor_" + actor + "_" + v.name;
  v.request_id = actor + "_" + std::to_string(now) + "_" + std::to_string(number);
  v.endpoint_name = "default";
  v.endpoint_id = "ep";
  v.parameters.learning_rate = 0.0003;
  v.parameters.class_tokens = "tok";
  v.image_count = 2;
  v.s3_urls = {"s3://b/a.jpg", "s3://b/b.jpg"};
  v.created_at = now;
  v.updated_at = now;
  return v;
}

struct Fixture {
  TempDir dir;
  std::unique_ptr<SqliteVersionStore> store = open();
  std::unique_ptr<SqliteVersionStore> open() const {
    auto s = SqliteVersionStore::open(dir.path() / ".actor-trainer" / "state.db");
    EXPECT_TRUE(s) << s.error().message;
    return std::move(s).value();
  }
  Result<CreatedVersion> create(const std::string& actor, const std::string& key = "",
                                bool force = false) {
    return store->create(NewVersion{actor, key, force},
                         [&](int n) -> Result<Version> { return make_version(actor, n, 1000 + n); },
                         {{LogKind::Info, "stored"}});
  }
  Version accept(std::int64_t id, const std::string& job) {
    auto updated = store->update(id, [&](Version& v) -> std::optional<std::vector<LogEntry>> {
      v.job_id = job;
      v.submit_state = SubmitState::Accepted;
      v.status = VersionStatus::Queued;
      return std::vector<LogEntry>{};
    });
    EXPECT_TRUE(updated);
    return *updated;
  }
};

TEST(SqliteVersionStoreTest, NumbersVersionsPerActorAndRoundTripsEveryField) {
  Fixture f;
  auto first = f.create("0006");
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->version.name, "V1");
  EXPECT_TRUE(first->created);
  f.accept(first->version.id, "job-a");
  auto second = f.create("0006", "", /*force=*/true);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->version.name, "V2");
  auto other = f.create("0007");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->version.name, "V1");

  Version full =
      *f.store->update(first->version.id, [](Version& v) -> std::optional<std::vector<LogEntry>> {
        v.status = VersionStatus::Completed;
        v.progress = TrainingProgress{.stage = "saving", .step = 5, .total_steps = 10, .loss = 0.5};
        v.execution_ms = 1234;
        v.cost = 0.25;
        v.lora_url = "https://x/y.safetensors";
        v.finished_at = 99;
        return std::vector<LogEntry>{{LogKind::Success, "done"}};
      });
  auto reopened = f.open();
  auto read = reopened->get(first->version.id);
  ASSERT_TRUE(read);
  EXPECT_EQ(*read, full);
  EXPECT_EQ(read->parameters.learning_rate, 0.0003);
  EXPECT_EQ(read->s3_urls.size(), 2u);
}

TEST(SqliteVersionStoreTest, SecondActiveTrainingIsAConflictUnlessForced) {
  Fixture f;
  ASSERT_TRUE(f.create("0006"));
  auto again = f.create("0006");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::Conflict);
  EXPECT_TRUE(f.create("0006", "", true));
}

TEST(SqliteVersionStoreTest, RepeatedIdempotencyKeyReturnsTheFirstVersion) {
  Fixture f;
  auto first = f.create("0006", "key-1");
  ASSERT_TRUE(first);
  auto repeat = f.create("0006", "key-1");
  ASSERT_TRUE(repeat) << repeat.error().message;
  EXPECT_FALSE(repeat->created);
  EXPECT_EQ(repeat->version.id, first->version.id);
  auto other_actor = f.create("0007", "key-1");
  ASSERT_FALSE(other_actor);
  EXPECT_EQ(other_actor.error().code, ErrorCode::Conflict);
  EXPECT_EQ(f.store->list_for_actor("0006")->size(), 1u);
}

TEST(SqliteVersionStoreTest, ConcurrentCreatesWithOneKeyMakeOneVersion) {
  Fixture f;
  std::vector<std::thread> threads;
  std::vector<std::int64_t> ids(8);
  for (size_t i = 0; i < ids.size(); ++i) {
    threads.emplace_back([&, i] {
      // A separate connection per thread, as separate processes would have.
      auto store = f.open();
      auto made = store->create(
          NewVersion{"0006", "double-click", false},
          [&](int n) -> Result<Version> { return make_version("0006", n, 5000); }, {});
      ids[i] = made ? made->version.id : -1;
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  for (std::int64_t id : ids) {
    EXPECT_EQ(id, ids[0]);
  }
  EXPECT_EQ(f.store->list_for_actor("0006")->size(), 1u);
}

TEST(SqliteVersionStoreTest, ReportsMatchByJobIdIgnoringSuffixOrByRequestId) {
  Fixture f;
  auto a = f.create("0006");
  auto b = f.create("0007");
  ASSERT_TRUE(a && b);
  const std::string uuid = "0f8b2a4c-1111-4222-8333-444455556666";
  f.accept(a->version.id, uuid + "-u1");
  JobReport by_job;
  by_job.source = ReportSource::Webhook;
  by_job.job_id = uuid;  // the webhook names it without the suffix
  by_job.raw_status = "COMPLETED";
  by_job.event = LifecycleEvent::ReportedCompleted;
  JobReport by_request;
  by_request.source = ReportSource::Webhook;
  by_request.job_id = "ffffffff-1111-4222-8333-444455556666-e1";
  by_request.request_id = b->version.request_id;
  by_request.raw_status = "COMPLETED";
  by_request.event = LifecycleEvent::ReportedCompleted;
  JobReport stranger;
  stranger.job_id = "nobody";
  std::vector<std::int64_t> applied_to;
  auto outcomes = f.store->apply_reports({by_job, by_request, stranger, by_job},
                                         [&](Version& v, const JobReport& r) {
                                           applied_to.push_back(v.id);
                                           return apply_report(v, r, 0.0, 2000);
                                         });
  ASSERT_TRUE(outcomes) << outcomes.error().message;
  EXPECT_EQ((*outcomes)[0].version_id, a->version.id);
  EXPECT_EQ((*outcomes)[1].version_id, b->version.id);
  EXPECT_EQ((*outcomes)[2].version_id, 0);
  EXPECT_FALSE((*outcomes)[0].duplicate_webhook);
  EXPECT_TRUE((*outcomes)[3].duplicate_webhook);
  // The request-id match recorded the job id, so the next report finds it by job id.
  EXPECT_EQ(f.store->get(b->version.id)->job_id, by_request.job_id);
  EXPECT_TRUE(f.store->list_unfinished()->empty());
  EXPECT_EQ(applied_to, (std::vector<std::int64_t>{a->version.id, b->version.id, a->version.id}));
}

TEST(SqliteVersionStoreTest, LogsKeepOrderAndResumeAfterASequenceNumber) {
  Fixture f;
  auto a = f.create("0006");
  ASSERT_TRUE(a);
  ASSERT_TRUE(f.store->append_log(a->version.id,
                                  {{LogKind::Request, "POST /run"}, {LogKind::Response, "200"}}));
  auto all = f.store->logs(a->version.id, 0, 100);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].text, "stored");
  auto rest = f.store->logs(a->version.id, (*all)[1].seq, 100);
  ASSERT_EQ(rest->size(), 1u);
  EXPECT_EQ((*rest)[0].kind, LogKind::Response);
}

TEST(SqliteVersionStoreTest, SettingIsCreatedOnceAndKept) {
  Fixture f;
  int made = 0;
  auto make = [&] {
    ++made;
    return std::string("token-") + std::to_string(made);
  };
  EXPECT_EQ(*f.store->get_or_create_setting("webhook_token", make), "token-1");
  EXPECT_EQ(*f.open()->get_or_create_setting("webhook_token", make), "token-1");
  EXPECT_EQ(made, 1);
}

TEST(SqliteVersionStoreTest, OneGoodVersionPerActor) {
  Fixture f;
  auto a = f.create("0006");
  auto b = f.create("0006", "", true);
  ASSERT_TRUE(f.store->set_good("0006", a->version.id));
  ASSERT_TRUE(f.store->set_good("0006", b->version.id));
  EXPECT_FALSE(f.store->get(a->version.id)->good);
  EXPECT_TRUE(f.store->get(b->version.id)->good);
  ASSERT_TRUE(f.store->set_good("0006", 0));
  EXPECT_FALSE(f.store->get(b->version.id)->good);
}

TEST(SqliteVersionStoreTest, RefusesADatabaseFromANewerVersion) {
  Fixture f;
  f.store.reset();
  const auto path = f.dir.path() / ".actor-trainer" / "state.db";
  {
    SQLite::Database db(path.string(), SQLite::OPEN_READWRITE);
    EXPECT_EQ(db.execAndGet("PRAGMA user_version").getInt(), SqliteVersionStore::schema_version());
    EXPECT_EQ(db.execAndGet("PRAGMA journal_mode").getString(), "wal");
    db.exec("PRAGMA user_version = " + std::to_string(SqliteVersionStore::schema_version() + 1));
  }
  auto s = SqliteVersionStore::open(path);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::FailedPrecondition);
  EXPECT_NE(s.error().message.find("newer"), std::string::npos);
}

}  // namespace
}  // namespace atr

namespace atr {
namespace {

TEST(SqliteVersionStoreTest, LatestPerActorAndLastLogSequence) {
  Fixture f;
  EXPECT_EQ(*f.store->last_log_seq(), 0);
  EXPECT_TRUE(f.store->latest_per_actor()->empty());
  ASSERT_TRUE(f.create("0006"));
  ASSERT_TRUE(f.create("0006", "", /*force=*/true));
  ASSERT_TRUE(f.create("0007"));
  Result<std::vector<Version>> latest = f.store->latest_per_actor();
  ASSERT_TRUE(latest);
  ASSERT_EQ(latest->size(), 2u);
  EXPECT_EQ((*latest)[0].actor_id, "0006");
  EXPECT_EQ((*latest)[0].name, "V2");
  EXPECT_EQ((*latest)[1].actor_id, "0007");
  EXPECT_EQ((*latest)[1].name, "V1");
  Result<std::vector<LogLine>> lines = f.store->logs(0, 0, 100);
  ASSERT_TRUE(lines);
  ASSERT_FALSE(lines->empty());
  EXPECT_EQ(*f.store->last_log_seq(), lines->back().seq);
}

TEST(SqlitePreviewStoreTest, PreviewsAreCreatedOncePerVersionPromptAndSeed) {
  Fixture f;
  const std::int64_t version = f.create("6")->version.id;
  auto preview = [&](int prompt, std::int64_t seed) {
    Preview p;
    p.version_id = version;
    p.actor_id = "6";
    p.version_name = "V1";
    p.prompt_index = prompt;
    p.prompt_label = "label " + std::to_string(prompt);
    p.prompt = "text";
    p.seed = seed;
    p.endpoint_name = "preview";
    p.endpoint_id = "ep";
    p.request_id = "r" + std::to_string(prompt) + "_" + std::to_string(seed);
    p.created_at = 5;
    p.updated_at = 5;
    return p;
  };
  Result<std::vector<Preview>> first = f.store->create_previews({preview(0, 1), preview(1, 1)});
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_EQ(first->size(), 2U);
  Result<Preview> sent = f.store->update_preview((*first)[0].id, [](Preview& p) {
    p.submit_state = SubmitState::Accepted;
    p.job_id = "job-1";
    p.status = VersionStatus::Completed;
    p.images = {".actor-trainer/previews/v1/p0-s1-1.png"};
    p.s3_urls = {"s3://b/previews/6/V1/p0-s1-1.png"};
    p.cost = 0.25;
    return true;
  });
  ASSERT_TRUE(sent);
  // Asked again with one more seed: the existing two come back as stored, one is new.
  Result<std::vector<Preview>> again =
      f.store->create_previews({preview(0, 1), preview(1, 1), preview(0, 2)});
  ASSERT_TRUE(again) << again.error().message;
  ASSERT_EQ(again->size(), 3U);
  EXPECT_EQ((*again)[0], *sent);
  EXPECT_EQ((*again)[1].id, (*first)[1].id);
  EXPECT_EQ((*again)[2].submit_state, SubmitState::Prepared);
  EXPECT_EQ(f.store->previews_of(version)->size(), 3U);
  EXPECT_EQ(f.store->unfinished_previews()->size(), 2U);
  EXPECT_DOUBLE_EQ(f.store->preview_costs()->at("6"), 0.25);
  // A reopened store reads every field back.
  auto reopened = f.open();
  EXPECT_EQ(*reopened->get_preview(sent->id), *sent);
}

TEST(SqliteVersionStoreTest, ALossCurveIsStoredWithItsVersion) {
  Fixture f;
  const std::int64_t id = f.create("6")->version.id;
  ASSERT_TRUE(f.store->update(id, [](Version& v) -> std::optional<std::vector<LogEntry>> {
    v.curve = {{100, 0.31, 1'000}, {200, std::nullopt, 2'000}, {300, 0.125, 3'000}};
    return std::vector<LogEntry>{};
  }));
  EXPECT_EQ(f.open()->get(id)->curve,
            (std::vector<CurvePoint>{
                {100, 0.31, 1'000}, {200, std::nullopt, 2'000}, {300, 0.125, 3'000}}));
}

}  // namespace
}  // namespace atr
