#include "http/api_server.h"

#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace atr {
namespace {

// The OpenAPI document and the route table name the same routes, both ways.
TEST(ApiServerTest, EveryRouteIsInTheOpenApiDocumentAndViceVersa) {
  const nlohmann::json doc = nlohmann::json::parse(ApiServer::openapi_document());
  std::set<std::string> documented;
  for (const auto& [path, operations] : doc["paths"].items()) {
    for (const auto& [method, operation] : operations.items()) {
      std::string upper = method;
      for (char& c : upper) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      }
      upper += ' ';
      upper += path;
      documented.insert(upper);
      EXPECT_TRUE(operation.contains("responses")) << upper;
    }
  }
  std::set<std::string> routed;
  for (const RouteInfo& route : ApiServer::routes()) {
    EXPECT_TRUE(routed.insert(route.method + " " + route.path).second)
        << "listed twice: " << route.method << " " << route.path;
  }
  EXPECT_EQ(routed, documented);
  EXPECT_TRUE(routed.count("POST /api/actors/{id}/training-versions"));
  EXPECT_TRUE(routed.count("DELETE /api/actors/{id}/mark-good"));
}

}  // namespace
}  // namespace atr
