// The one exception type faltung throws for bad input.
#pragma once

#include <stdexcept>
#include <string>

namespace faltung {

enum class ErrorKind {
  invalid_problem,   // the problem description cannot be computed (shape, origin, key...)
  parse,             // a problem string or option does not parse
  nonfinite_kernel,  // the kernel holds NaN or Inf (an error under every nan policy)
  nonfinite_input,   // nan=raise met a non-finite input sample
  invalid_argument,  // a call received a null pointer, wrong size or similar
  io,                // a file (wisdom) could not be read or written
  resource,          // a method needs more than its limit allows (workspace cap, FFT size)
};

class Error : public std::invalid_argument {
 public:
  Error(ErrorKind kind, const std::string& message) : std::invalid_argument(message), kind_(kind) {}
  ErrorKind kind() const noexcept { return kind_; }

 private:
  ErrorKind kind_;
};

}  // namespace faltung
