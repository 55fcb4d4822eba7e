// The minimal build's stb_image configuration (FIDCPP_MINIMAL, docs/edge.md): only the JPEG and PNG decoders
// (and the inflate they share) from memory, no stdio, no float/HDR paths. Included by the one translation
// unit holding the implementation (stb_image_impl.cpp) and by every user of its functions, so both see one
// setup.
#pragma once

#ifndef FIDCPP_MINIMAL
#error "stb_image is compiled in only by the minimal build (-DFIDCPP_MINIMAL=ON)"
#endif

#define STBI_ONLY_JPEG
#define STBI_ONLY_PNG
#define STBI_NO_STDIO
#define STBI_NO_LINEAR
#define STBI_NO_HDR
#define STBI_NO_GIF
#define STBI_NO_BMP
#define STBI_NO_PSD
#define STBI_NO_TGA
#define STBI_NO_PIC
#define STBI_NO_PNM
// On x86 the SSE2 kernels are picked at run time; on 64-bit ARM NEON is always there.
#if defined(__aarch64__) && !defined(STBI_NEON)
#define STBI_NEON
#endif

#include <stb_image.h>
