// LeakSanitizer's suppressions for the unit tests, built into their binary (LSan calls this
// hook at start-up; in a build without it, the function is never called).
//
// libpqxx 6.4 (Debian 12) leaks the result of a statement that finds its connection dead:
// it asks the dead connection for its encoding before it takes ownership of the PGresult
// (see PostgresControlStore::RunOnce). Stores notice a connection the server ended before
// they use it, but when the server's goodbye has not reached the socket yet, a test that
// ends backends (pg_terminate_backend, a restart) can still make one such call: about 2 KB,
// allocated inside libpq under these two libpqxx calls, which no caller can free.
// Only frames of libpqxx match, so a leak in gaggle's own code is still reported.
extern "C" const char* __lsan_default_suppressions();

extern "C" const char* __lsan_default_suppressions() {
  return "leak:pqxx::connection_base::exec_params\n"
         "leak:pqxx::connection_base::exec_prepared\n";
}
