// Naive references of the CPU resizes (src/preprocess/resize_*.h), written straight from each formula of
// docs/conventions.md §2.2-2.6, for tests/preprocess/test_resize.cpp. One channel to out_h x out_w,
// row-major.
#pragma once

#include "preprocess/resize_source.h"

namespace fidcpp {

// Naive reference in the same float32 operation order, written straight from §2.2 (for tests).
void resize_tf1_ref(const ResizeSource& src, int out_h, int out_w, float* dst);

// Naive double-precision reference of the half-pixel formula in §2.4 (for tests).
void resize_bilinear_ref(const ResizeSource& src, int out_h, int out_w, double* dst);

// Naive double-precision reference of the §2.3 formula (for tests).
void resize_aa_bilinear_ref(const ResizeSource& src, int out_h, int out_w, double* dst);

// Double-precision reference: TF1's mapping x = j * in / out (the emulation's mathematical intent), for
// tests.
void resize_grid_sample_ref(const ResizeSource& src, int out_h, int out_w, double* dst);

// Naive reference: the same filter with the whole row/column as support, horizontal pass first (for tests).
void resize_pil_bicubic_ref(const ResizeSource& src, int out_h, int out_w, float* dst);

}  // namespace fidcpp
