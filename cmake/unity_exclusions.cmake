# Source files kept out of the unity batches (cmake/unity.cmake), each with why: a file here
# compiles alone, as without unity batches. Prefer renaming a clashing internal name to adding
# a file here; files of src/store/postgres_*, src/fleet, src/storage, src/service and
# src/server are listed instead of renamed because their owners were editing them.
#
# A clash shows as "redefinition of 'gaggle::{anonymous}::Name'", "conflicting declaration"
# or "reference to 'Name' is ambiguous" in BUILD/unity/TARGET_N.cc: two files of one batch
# define the same internal name (anonymous namespace, static), or one's `using` alias meets
# the other's class.

set(GAGGLE_UNITY_EXCLUDED
  # kScanBatch, also in postgres_control_store.cc with another type.
  src/store/postgres_event_records.cc
  # Micros, also in run_session_stages.cc.
  src/fleet/run_session_tasks.cc
  # kBucket, also in s3_client_server_test.cc.
  src/storage/s3_fault_proxy_test.cc
  src/storage/s3_kill_test.cc
  # Body and kCatalog, also in api_front_end_test.cc.
  src/server/api_ops_routes_test.cc
  # Its `using Clock = std::chrono::steady_clock` is ambiguous beside gaggle::Clock.
  src/server/api_hostile_test.cc
)

foreach(f ${GAGGLE_UNITY_EXCLUDED})
  set_source_files_properties(${CMAKE_SOURCE_DIR}/${f} PROPERTIES SKIP_UNITY_BUILD_INCLUSION ON)
endforeach()
