// Status and Result<T>: how every gaggle module reports an expected failure.
//
// A Status is either OK or carries a code, a message naming what failed and
// where (file, offset, row, column...), and whether retrying could help.
// Result<T> holds a T or a non-OK Status. Both are [[nodiscard]]; exceptions
// never cross a module boundary. Thread-safety: values, copy freely.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace gaggle {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // bad CLI flag, bad spec value
  kNotFound,         // file, dataset, column, entity missing
  kAlreadyExists,
  kIOError,          // read/write/rename failed (retryable)
  kCorruption,       // bytes do not follow the format (truncated, bad magic, bad varint)
  kUnsupported,      // valid per spec, but a feature we do not implement
  kSchemaMismatch,   // data does not have the schema the spec expects
  kTypeError,        // expression or cast can never type-check
  kTimeout,          // deadline passed (retryable)
  kCancelled,        // caller asked to stop
  kDeadLetterLimit,  // too many records could not be transformed
  kConflict,         // concurrent modification / state transition refused
  kAgentError,       // an agent failed or broke its protocol (retryable when it says so)
  kInternal,         // a bug in gaggle
};

const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message, bool retryable = false)
      : code_(code), message_(std::move(message)), retryable_(retryable) {}

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status IOError(std::string m) { return {StatusCode::kIOError, std::move(m), true}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  // ToString() names the code ("Unsupported: ..."); the message does not repeat it.
  static Status Unsupported(std::string m) { return {StatusCode::kUnsupported, std::move(m)}; }
  static Status SchemaMismatch(std::string m) { return {StatusCode::kSchemaMismatch, std::move(m)}; }
  static Status TypeError(std::string m) { return {StatusCode::kTypeError, std::move(m)}; }
  static Status Timeout(std::string m) { return {StatusCode::kTimeout, std::move(m), true}; }
  static Status Cancelled(std::string m) { return {StatusCode::kCancelled, std::move(m)}; }
  static Status DeadLetterLimit(std::string m) { return {StatusCode::kDeadLetterLimit, std::move(m)}; }
  static Status Conflict(std::string m) { return {StatusCode::kConflict, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
  static Status AgentError(std::string m, bool retryable = false) {
    return {StatusCode::kAgentError, std::move(m), retryable};
  }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // True when the same operation may succeed if tried again (I/O, timeouts).
  bool retryable() const { return retryable_; }

  // Returns a copy whose message is prefixed with `context: ` (keeps code and retryability).
  Status WithContext(const std::string& context) const;
  // "IOError: message" or "OK".
  std::string ToString() const;

  bool operator==(const Status& o) const { return code_ == o.code_ && message_ == o.message_; }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  bool retryable_ = false;
};

// Holds either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    assert(!status_.ok() && "Result constructed from OK status without a value");
    if (status_.ok()) status_ = Status::Internal("Result built from OK status without value");
  }

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  T& value() & {
    assert(ok());
    return *value_;
  }
  const T& value() const& {
    assert(ok());
    return *value_;
  }
  T&& value() && {
    assert(ok());
    return std::move(*value_);
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T ValueOr(T fallback) const& { return ok() ? *value_ : std::move(fallback); }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace gaggle

#define GAGGLE_CONCAT_INNER(a, b) a##b
#define GAGGLE_CONCAT(a, b) GAGGLE_CONCAT_INNER(a, b)

// Returns the Status from the enclosing function when `expr` is not OK.
#define GAGGLE_RETURN_IF_ERROR(expr)         \
  do {                                       \
    ::gaggle::Status _gaggle_st = (expr);    \
    if (!_gaggle_st.ok()) return _gaggle_st; \
  } while (0)

// `GAGGLE_ASSIGN_OR_RETURN(auto x, MakeX());` declares x from a Result or returns its Status.
#define GAGGLE_ASSIGN_OR_RETURN(lhs, rexpr) \
  GAGGLE_ASSIGN_OR_RETURN_IMPL(GAGGLE_CONCAT(_gaggle_res_, __LINE__), lhs, rexpr)
#define GAGGLE_ASSIGN_OR_RETURN_IMPL(res, lhs, rexpr) \
  auto res = (rexpr);                                 \
  if (!res.ok()) return res.status();                 \
  lhs = std::move(res).value()
