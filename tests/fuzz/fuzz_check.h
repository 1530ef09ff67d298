// What the fuzz targets share: a property check that stops the run with a clear message, so that
// libFuzzer keeps the input that broke a property as it keeps one that crashed.
#pragma once

#include <cstdio>
#include <cstdlib>

// FUZZ_CHECK(cond, "what should hold"): abort (libFuzzer saves the input) when cond is false.
#define FUZZ_CHECK(cond, what)                                                               \
  do {                                                                                       \
    if (!(cond)) {                                                                           \
      std::fprintf(stderr, "fuzz property broken at %s:%d: %s\n", __FILE__, __LINE__, what); \
      std::abort();                                                                          \
    }                                                                                        \
  } while (0)
