#ifndef CHORUS_CLIBFUZZER_H
#define CHORUS_CLIBFUZZER_H

#include <stddef.h>
#include <stdint.h>

// libFuzzer's entry point for programs that have their own main function. It parses the
// libFuzzer flags in argv and calls `callback` once per input. Linked from the compiler's
// libFuzzer runtime by `-sanitize=fuzzer`.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
