#ifndef CHORUS_CMALLOCCOUNTER_H
#define CHORUS_CMALLOCCOUNTER_H

#include <stdint.h>

// Returns how many times malloc, calloc, realloc, posix_memalign or aligned_alloc have been
// called in this process since it started, counted by the definitions in CMallocCounter.c.
uint64_t chorus_allocation_count(void);

#endif
