// A ListObjectsV2 answer from an S3 server: any bytes give a page or an error.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "s3/s3_client.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  atr::Result<atr::S3ListPage> page = atr::parse_list_page(body);
  if (page) {
    for (const atr::S3Object& object : page->objects) {
      if (object.size < 0) std::abort();
    }
  }
  return 0;
}
