#ifndef REVIEWBOT_CETPAN_SHIM_H
#define REVIEWBOT_CETPAN_SHIM_H
#include <libetpan/libetpan.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdio.h>
#include <stdlib.h>

// clist_begin/next/content/count are function-like macros Swift cannot import.
static inline clistiter *rb_clist_begin(clist *l) { return clist_begin(l); }
static inline clistiter *rb_clist_next(clistiter *i) { return clist_next(i); }
static inline void *rb_clist_content(clistiter *i) { return clist_content(i); }
static inline int rb_clist_count(clist *l) { return clist_count(l); }

// libetpan's TLS (GnuTLS here) does not check the server certificate. Verify the chain the
// server presented (leaf first, DER) against the system trust store -- or only `ca_file`
// when given -- and check that it names `hostname`, before any credential is sent.
// Returns 0 when trusted; otherwise writes the reason to `err`.
static inline int rb_verify_peer(mailstream *stream, const char *hostname, const char *ca_file,
                                 char *err, size_t errlen) {
    carray *chain = mailstream_get_certificate_chain(stream);
    unsigned count = chain ? carray_count(chain) : 0;
    gnutls_x509_trust_list_t trust = NULL;
    gnutls_x509_crt_t *certs = NULL;
    unsigned imported = 0, status = 0;
    int result = -1;
    if (count == 0) { snprintf(err, errlen, "the server presented no certificate"); goto out; }
    if (gnutls_x509_trust_list_init(&trust, 0) < 0) { snprintf(err, errlen, "gnutls trust list failed"); goto out; }
    if (ca_file) {
        if (gnutls_x509_trust_list_add_trust_file(trust, ca_file, NULL, GNUTLS_X509_FMT_PEM, 0, 0) <= 0) {
            snprintf(err, errlen, "no certificates in %s", ca_file); goto out;
        }
    } else if (gnutls_x509_trust_list_add_system_trust(trust, 0, 0) <= 0) {
        snprintf(err, errlen, "no system CA certificates to verify against"); goto out;
    }
    certs = calloc(count, sizeof *certs);
    if (!certs) { snprintf(err, errlen, "out of memory"); goto out; }
    for (; imported < count; imported++) {
        MMAPString *der = carray_get(chain, imported);
        gnutls_datum_t datum = { (unsigned char *)der->str, (unsigned)der->len };
        if (gnutls_x509_crt_init(&certs[imported]) < 0) { snprintf(err, errlen, "gnutls certificate init failed"); goto out; }
        if (gnutls_x509_crt_import(certs[imported], &datum, GNUTLS_X509_FMT_DER) < 0) {
            gnutls_x509_crt_deinit(certs[imported]);
            snprintf(err, errlen, "the server certificate cannot be read"); goto out;
        }
    }
    gnutls_typed_vdata_st purpose = { GNUTLS_DT_DNS_HOSTNAME, (unsigned char *)hostname, 0 };
    if (gnutls_x509_trust_list_verify_crt2(trust, certs, count, &purpose, 1, 0, &status, NULL) < 0) {
        snprintf(err, errlen, "certificate verification failed"); goto out;
    }
    if (status != 0) {
        gnutls_datum_t text = { NULL, 0 };
        if (gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &text, 0) == 0 && text.data) {
            snprintf(err, errlen, "%s", (const char *)text.data);
            gnutls_free(text.data);
        } else {
            snprintf(err, errlen, "the certificate is not trusted");
        }
        goto out;
    }
    result = 0;
out:
    for (unsigned i = 0; i < imported; i++) gnutls_x509_crt_deinit(certs[i]);
    free(certs);
    if (trust) gnutls_x509_trust_list_deinit(trust, 1);
    if (chain) mailstream_certificate_chain_free(chain);
    return result;
}

// SNI for the TLS handshake, through libetpan's context callback; `data` is the host name.
static inline void rb_ssl_set_server_name(struct mailstream_ssl_context *context, void *data) {
    if (data) mailstream_ssl_set_server_name(context, (char *)data);
}

#endif
