/* stb_instrumented.c - stb_image and stb_image_resize compiled into fuzz_images itself, from the same
 * headers the library includes, so that the decoders are built with the fuzzer's coverage and sanitizers
 * (the shared libstb is not). The program's definitions take the place of the shared library's.
 */
#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_RESIZE_IMPLEMENTATION
#include <stb_image.h>
#include <stb_image_resize.h>
