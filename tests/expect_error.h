#pragma once
// Assertions on tensorgrad's error messages, shared by the test programs.
#include <gtest/gtest.h>

#include <string>

#include "tensorgrad/error.h"

/// Expects `stmt` to throw tg::Error whose message contains every one of the fragments.
#define EXPECT_ERROR(stmt, ...) TG_EXPECT_ERROR_IMPL(stmt, false, __VA_ARGS__)

/// EXPECT_ERROR for messages that must also be one line (those a command-line program prints).
#define EXPECT_ONE_LINE_ERROR(stmt, ...) TG_EXPECT_ERROR_IMPL(stmt, true, __VA_ARGS__)

#define TG_EXPECT_ERROR_IMPL(stmt, one_line, ...)                                          \
  do {                                                                                     \
    try {                                                                                  \
      stmt;                                                                                \
      ADD_FAILURE() << "expected tg::Error from " #stmt;                                   \
    } catch (const tg::Error& e) {                                                         \
      const std::string message_ = e.what();                                               \
      if (one_line)                                                                        \
        EXPECT_EQ(message_.find('\n'), std::string::npos) << "not one line: " << message_; \
      for (const char* part : {__VA_ARGS__})                                               \
        EXPECT_NE(message_.find(part), std::string::npos)                                  \
            << "message: " << message_ << "\nmissing: " << part;                           \
    }                                                                                      \
  } while (0)
