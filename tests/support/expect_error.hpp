// Asserts that a call throws faltung::Error whose message contains `words`.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "faltung/errors.hpp"

namespace faltung::test {

template <class F>
void expect_error_mentioning(F&& fn, const std::string& words) {
  try {
    fn();
    ADD_FAILURE() << "no error; expected one about " << words;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
  }
}

}  // namespace faltung::test
