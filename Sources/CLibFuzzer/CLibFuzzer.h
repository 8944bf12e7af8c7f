// Declares libFuzzer's driver (documented in LLVM's LibFuzzer.rst, "Using libFuzzer as a
// library") so Swift can hand control to it from its own main. Nothing here is compiled or
// linked; the symbol is defined only in binaries built with `-sanitize=fuzzer`.
#ifndef FLOWTEL_CLIBFUZZER_H
#define FLOWTEL_CLIBFUZZER_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*UserCb)(const uint8_t *Data, size_t Size));

#endif
