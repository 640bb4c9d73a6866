#ifndef REVIEWBOT_FUZZER_DRIVER_H
#define REVIEWBOT_FUZZER_DRIVER_H
#include <stddef.h>
#include <stdint.h>
// libFuzzer's entry for programs that have their own main (LLVM 11 and later); the
// toolchain's libFuzzer, linked by -sanitize=fuzzer, defines it.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
#endif
