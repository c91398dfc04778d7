// ObjectUri: an object-store location, "s3://bucket/key" or "gs://bucket/key".
//
// Parsing is strict so that ownership checks on prefixes mean what they say: the bucket
// follows the store's naming rules, and the key has no control characters, no empty, "."
// or ".." segments (S3 would store them literally, but a reader of "a/../b" would not
// expect it to be a different object from "b"). A trailing '/' names a prefix ("directory")
// and is dropped from key(). Errors name the URI and the rule it breaks.
// Thread-safety: a value; ParseObjectUri is a pure function.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace gaggle {

struct ObjectUri {
  std::string scheme;  // "s3" or "gs"
  std::string bucket;
  std::string key;  // may be empty (the bucket itself); never starts or ends with '/'

  // "s3://bucket/key" (or "s3://bucket" for an empty key).
  std::string ToString() const;
  // The URI of key + "/" + name.
  ObjectUri Child(std::string_view name) const;
};

// True for "s3://..." and "gs://..." (the schemes ParseObjectUri accepts).
bool IsObjectStoreUri(std::string_view uri);
Result<ObjectUri> ParseObjectUri(std::string_view uri);

}  // namespace gaggle
