// Status and Result<T>: how every error travels up to the API boundary (no exceptions across it, no
// printing).
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace fidcpp {

// Values are part of the public C ABI (fidcpp_status); keep them in sync with include/fidcpp/fidcpp.h.
enum class StatusCode : int {
  kOk = 0,
  kInvalidArgument = 1,  // a caller-supplied argument is wrong (usage error)
  kBadInput = 2,         // a file or buffer the user gave is malformed, corrupt or unsupported
  kIoError = 3,          // the OS failed to read or write something
  kNotFound = 4,         // a file, tensor or key does not exist
  kWeights = 5,          // the weights file is missing, wrong or corrupt
  kUnsupported = 6,      // valid request this build or machine cannot do (e.g. CUDA without a GPU)
  kOutOfMemory = 7,      // an allocation failed or a limit refused it
  kInternal = 8,         // a broken invariant inside fidcpp (a bug)
};

const char* status_code_name(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}
  static Status ok_status() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "bad input: image 'a.png': truncated PNG"
  std::string to_string() const;

  // Prefixes the message with context ("weights 'x.safetensors': " + message).
  Status with_context(const std::string& context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status invalid_argument(std::string m) {
  return Status(StatusCode::kInvalidArgument, std::move(m));
}
inline Status bad_input(std::string m) {
  return Status(StatusCode::kBadInput, std::move(m));
}
inline Status io_error(std::string m) {
  return Status(StatusCode::kIoError, std::move(m));
}
inline Status not_found(std::string m) {
  return Status(StatusCode::kNotFound, std::move(m));
}
inline Status weights_error(std::string m) {
  return Status(StatusCode::kWeights, std::move(m));
}
inline Status unsupported(std::string m) {
  return Status(StatusCode::kUnsupported, std::move(m));
}
inline Status out_of_memory(std::string m) {
  return Status(StatusCode::kOutOfMemory, std::move(m));
}
inline Status internal_error(std::string m) {
  return Status(StatusCode::kInternal, std::move(m));
}

// Result<T>: a value or a non-ok Status.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    if (std::get<Status>(v_).ok()) v_ = Status(StatusCode::kInternal, "Result constructed from an ok Status");
  }
  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace fidcpp

#define FIDCPP_CONCAT_INNER_(a, b) a##b
#define FIDCPP_CONCAT_(a, b) FIDCPP_CONCAT_INNER_(a, b)

#define FIDCPP_RETURN_IF_ERROR(expr)                 \
  do {                                               \
    ::fidcpp::Status fidcpp_status_ = (expr);        \
    if (!fidcpp_status_.ok()) return fidcpp_status_; \
  } while (0)

#define FIDCPP_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return tmp.status();                 \
  lhs = std::move(tmp).value()

#define FIDCPP_ASSIGN_OR_RETURN(lhs, expr) \
  FIDCPP_ASSIGN_OR_RETURN_IMPL_(FIDCPP_CONCAT_(fidcpp_result_, __LINE__), lhs, expr)
