#include "support/http_answer.h"

#include "support/api_record.h"

namespace atr::testing {

HttpAnswer answer_of(std::string_view method, const std::string& path, const httplib::Result& r) {
  HttpAnswer a;
  if (!r) {
    a.error = httplib::to_string(r.error());
    return a;
  }
  record_api_answer(method, path, r->status, r->get_header_value("Content-Type"), r->body);
  a.status = r->status;
  a.body = r->body;
  a.headers = r->headers;
  a.doc = nlohmann::json::parse(r->body, nullptr, false);
  if (a.doc.is_discarded()) a.doc = nullptr;
  return a;
}

}  // namespace atr::testing
