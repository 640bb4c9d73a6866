// A C target needs a source file; the declaration in include/ is all it provides.
#include "fuzzer_driver.h"
