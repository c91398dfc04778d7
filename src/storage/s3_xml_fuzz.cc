// libFuzzer target: any bytes as an S3 response body through every XML reader give a value
// or an error, never a crash, hang or out-of-bounds read.
#include <cstddef>
#include <cstdint>

#include "storage/s3_xml.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  gaggle::S3ErrorDocument err;
  (void)gaggle::ParseS3Error(body, &err);
  auto page = gaggle::ParseListObjectsV2(body);
  if (page.ok() && page->truncated && page->next_continuation_token.empty()) __builtin_trap();
  (void)gaggle::ParseInitiateMultipartUpload(body);
  (void)gaggle::ParseCompleteMultipartUpload(body);
  (void)gaggle::ParseCopyObjectResult(body);
  (void)gaggle::ParseCopyPartResult(body);
  (void)gaggle::ParseDeleteResult(body);
  (void)gaggle::ParseListMultipartUploads(body);
  return 0;
}
