// Webhook ingestion throughput: RunPod-shaped webhook bodies POSTed over loopback HTTP to the
// real webhook listener of a temporary workspace; each answer (200) comes after the report is
// committed to state.db (WAL, synchronous=FULL). Every report is a real change (a new
// progress step), so every one is a durable write. Compares the group-committing batcher with
// one transaction per report, in the same run.
//
//   webhook_ingest [--reports N] [--clients K] [--versions V] [--rounds R] [--fresh-connections]

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "app/tracking.h"
#include "app/workspace.h"
#include "base/check.h"
#include "http/webhook_server.h"
#include "support/temp_dir.h"

namespace {

using namespace atr;
using Seconds = std::chrono::duration<double>;

struct Args {
  int reports = 20'000;
  int clients = 8;
  int versions = 200;
  int rounds = 3;
  bool fresh_connections = false;
};

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--fresh-connections") a.fresh_connections = true;
  }
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const int value = std::atoi(argv[i + 1]);
    if (flag == "--reports") a.reports = value;
    if (flag == "--clients") a.clients = value;
    if (flag == "--versions") a.versions = value;
    if (flag == "--rounds") a.rounds = value;
  }
  return a;
}

std::unique_ptr<Workspace> make_workspace(const testing::TempDir& dir, int versions,
                                          std::vector<std::string>& job_ids) {
  dir.write("actors.json", "[{\"id\": \"0001\", \"name\": \"0001_bench\"}]\n");
  auto ws = open_workspace(dir.path());
  ATR_CHECK(static_cast<bool>(ws), "open bench workspace");
  for (int i = 0; i < versions; ++i) {
    auto created = (*ws)->store->create(NewVersion{"0001", "", true},
                                        [&](int n) -> Result<Version> {
                                          Version v;
                                          v.actor_id = "0001";
                                          v.actor_name = "0001_bench";
                                          v.number = n;
                                          v.name = "V" + std::to_string(n);
                                          v.model_name = "actor_0001_" + v.name;
                                          v.request_id = "0001_" + std::to_string(n);
                                          v.endpoint_name = "default";
                                          v.endpoint_id = "ep";
                                          return v;
                                        },
                                        {});
    ATR_CHECK(static_cast<bool>(created), "create bench version");
    char id[64];
    std::snprintf(id, sizeof id, "%08x-0000-4000-8000-%012x-u1", i, i);
    job_ids.emplace_back(id);
    auto accepted = (*ws)->store->update(created->version.id,
                                         [&](Version& v) -> std::optional<std::vector<LogEntry>> {
                                           v.job_id = job_ids.back();
                                           v.submit_state = SubmitState::Accepted;
                                           v.status = VersionStatus::Training;
                                           return std::vector<LogEntry>{};
                                         });
    ATR_CHECK(static_cast<bool>(accepted), "accept bench version");
  }
  return std::move(ws).value();
}

// Returns reports applied per second; checks every report was stored.
double run_round(const Args& a, bool batched) {
  testing::TempDir dir;
  std::vector<std::string> jobs;
  std::unique_ptr<Workspace> ws = make_workspace(dir, a.versions, jobs);
  ReportBatcher batcher(*ws->trainings, batched ? 256 : 1);
  WebhookServer server(ws->webhook_token, [&](const JobReport& r) { return batcher.ingest(r); });
  ATR_CHECK(static_cast<bool>(server.start("127.0.0.1", 0)), "start listener");
  const std::string path = WebhookServer::path_for(ws->webhook_token);

  std::atomic<int> next{0};
  std::atomic<int> failures{0};
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> clients;
  clients.reserve(static_cast<size_t>(a.clients));
  for (int c = 0; c < a.clients; ++c) {
    clients.emplace_back([&] {
      httplib::Client client("127.0.0.1", server.port());
      // --fresh-connections: one TCP connection per report, as RunPod delivers webhooks;
      // the default reuses connections so the figure is about storing, not about TCP
      // set-up (tens of thousands of loopback connections also exhaust ephemeral ports).
      client.set_keep_alive(!a.fresh_connections);
      client.set_tcp_nodelay(true);
      client.set_read_timeout(60, 0);
      for (int i = next++; i < a.reports; i = next++) {
        const int version = i % a.versions;
        const int step = i / a.versions + 1;
        const nlohmann::json body = {
            {"id", jobs[static_cast<size_t>(version)]},
            {"status", "IN_PROGRESS"},
            {"delayTime", 1200},
            {"executionTime", 1000 + step},
            {"output", {{"stage", "training"}, {"step", step}, {"total_steps", 100000}}}};
        auto res = client.Post(path.c_str(), body.dump(), "application/json");
        if (!res || res->status != 200) {
          if (failures++ == 0) {
            std::cerr << "first failure: "
                      << (res ? "HTTP " + std::to_string(res->status)
                              : httplib::to_string(res.error()))
                      << "\n";
          }
        }
      }
    });
  }
  for (auto& t : clients) {
    t.join();
  }
  const double seconds = Seconds(std::chrono::steady_clock::now() - start).count();
  server.stop();
  ATR_CHECK(failures.load() == 0, "every webhook must be answered 200");
  // Durable and applied: each version holds the last step sent for it.
  auto unfinished = ws->store->list_unfinished();
  ATR_CHECK(static_cast<bool>(unfinished), "read back");
  long long stored_steps = 0;
  for (const Version& v : *unfinished) {
    if (v.progress && v.progress->step) stored_steps += *v.progress->step;
  }
  long long expected = 0;
  for (int v = 0; v < a.versions; ++v) {
    int last = 0;
    for (int i = v; i < a.reports; i += a.versions) {
      last = i / a.versions + 1;
    }
    expected += last;
  }
  // Clients race, so a version's last stored step may be any recent one, never a missing one.
  ATR_CHECK(stored_steps > 0 && stored_steps <= expected, "stored progress is plausible");
  return a.reports / seconds;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const Args a = parse(argc, argv);
  std::vector<double> batched;
  std::vector<double> single;
  for (int r = 0; r < a.rounds; ++r) {
    batched.push_back(run_round(a, true));
    single.push_back(run_round(a, false));
  }
  std::cout << "webhook ingestion, " << a.reports << " reports, " << a.clients << " clients, "
            << a.versions << " versions, " << a.rounds << " rounds (median):\n"
            << "  group commit        " << static_cast<long>(median(batched)) << " reports/s\n"
            << "  one commit each     " << static_cast<long>(median(single)) << " reports/s\n"
            << "  ratio               " << median(batched) / median(single) << "x\n";
  return 0;
}
