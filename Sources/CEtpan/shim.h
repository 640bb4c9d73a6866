#ifndef REVIEWBOT_CETPAN_SHIM_H
#define REVIEWBOT_CETPAN_SHIM_H
#include <libetpan/libetpan.h>

// clist_begin/next/content/count are function-like macros Swift cannot import.
static inline clistiter *rb_clist_begin(clist *l) { return clist_begin(l); }
static inline clistiter *rb_clist_next(clistiter *i) { return clist_next(i); }
static inline void *rb_clist_content(clistiter *i) { return clist_content(i); }
static inline int rb_clist_count(clist *l) { return clist_count(l); }

#endif
