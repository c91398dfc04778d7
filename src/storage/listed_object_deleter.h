// Deleting exactly the objects a listing knew, under one object-store location: the
// object-store counterpart of common/listed_file_deleter.h, which gc uses to remove a
// dataset's old data in s3:// or gs://. Each listed object is deleted only while it still
// has the size and modification time it was listed with; anything else under the location
// (an object written since, one never listed, a changed one) is left where it is and
// reported. There are no directories: the location is "removed" once no object is left
// under it. Interrupting it leaves a subset deleted; running it again with the same listing
// finishes the job (missing objects count as gone).
// Thread-safety: stateless; safe to call concurrently (the file system is).
#pragma once

#include <vector>

#include "common/listed_file_deleter.h"
#include "storage/object_store_file_system.h"

namespace gaggle {

// Deletes the listed objects under `root_uri` ("s3://bucket/key"; a listed file with an empty
// relative path is the object at root_uri itself). `hook` runs before each object's deletion.
Result<ListedDeleteReport> DeleteListedObjects(ObjectStoreFileSystem* fs, const std::string& root_uri,
                                               const std::vector<ListedFile>& files, BeforeUnlinkHook hook = nullptr);

}  // namespace gaggle
