#ifndef REVIEWBOT_CCURL_SHIM_H
#define REVIEWBOT_CCURL_SHIM_H
#include <curl/curl.h>
// zlib rides along with libcurl: lore's t.mbox.gz is a gzip *file*, which libcurl's
// Content-Encoding support does not decode.
#include <zlib.h>

// curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call:
// one fixed-type wrapper per argument kind.
static inline CURLcode rb_easy_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode rb_easy_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode rb_easy_setopt_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode rb_easy_setopt_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode rb_easy_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode rb_easy_setopt_write_callback(CURL *h, CURLoption o, curl_write_callback v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode rb_easy_setopt_read_callback(CURL *h, CURLoption o, curl_read_callback v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode rb_easy_setopt_debug_callback(CURL *h, CURLoption o, curl_debug_callback v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode rb_easy_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode rb_easy_getinfo_string(CURL *h, CURLINFO i, char **v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode rb_easy_getinfo_double(CURL *h, CURLINFO i, double *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode rb_easy_getinfo_pointer(CURL *h, CURLINFO i, void **v) { return curl_easy_getinfo(h, i, v); }
static inline CURLMcode rb_multi_setopt_long(CURLM *m, CURLMoption o, long v) { return curl_multi_setopt(m, o, v); }

// CURLMsg keeps the transfer result in a union Swift sees only as opaque bytes.
static inline CURLcode rb_msg_result(const CURLMsg *m) { return m->data.result; }

// inflateInit2/deflateInit2 are macros that pass the zlib version and struct size.
static inline int rb_inflate_init_gzip(z_stream *s) { return inflateInit2(s, 15 + 32); }
static inline int rb_deflate_init_gzip(z_stream *s, int level) {
    return deflateInit2(s, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}

#endif
