// The declarations in include/CLibFuzzer.h are defined by libFuzzer; SwiftPM needs one source file.
#include "CLibFuzzer.h"
