#pragma once
/// WorkerException: what a data loader throws on its own thread when a worker (or a chunk
/// dataset's preloader) caught an exception, as torch::data::WorkerException.
#include <exception>
#include <string>
#include <utility>

namespace tg::data {

/// Carries an exception from a worker thread to the thread that reads the batches: what() is
/// "Caught exception in DataLoader worker thread. Original message: <the original what()>",
/// and original_exception can be rethrown to handle the original by its type.
struct WorkerException : public std::exception {
  explicit WorkerException(std::exception_ptr original)
      : original_exception(std::move(original)),
        message("Caught exception in DataLoader worker thread.") {
    try {
      std::rethrow_exception(original_exception);
    } catch (const std::exception& e) {
      message += " Original message: ";
      message += e.what();
    } catch (...) {
      message += " The exception is not a std::exception; rethrow original_exception to see it.";
    }
  }

  const char* what() const noexcept override { return message.c_str(); }

  /// The exception the worker caught.
  std::exception_ptr original_exception;
  std::string message;
};

}  // namespace tg::data
