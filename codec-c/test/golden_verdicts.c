/*
 * Verdicts of the C generated for the compiler's test schemas, one line per input, through each
 * package's `_transcode` (decode, then encode back): built against codegen/tests/golden/c/ (strings
 * point into the input) and against golden/c-copy/ (strings copied into the struct), whose listings
 * the Makefile compares (`make verdicts`). The inputs (test/golden_seeds.txt: a type and the hex of
 * a valid value, written by `iotp2p encode`) reach what copying changes: text defaults set, compared
 * and left out, bounded and fixed bytes, arrays of them, union variants of text, recursive types
 * holding strings. Each seed is run whole, at every truncation and with every one-byte change.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "com_acme_sprinkler.h"
#include "example_every_scalar.h"
#include "example_recursive.h"

/* A package's `_transcode` on its own `_any` (allocated once: a copied 16 MiB string makes
 * example.every_scalar's too large for the stack). */
#define PACKAGE_RUN(p)                                                                             \
    static iotp_transcode_result run_##p(const char *type, const uint8_t *in, size_t len,          \
                                         uint8_t *out, size_t cap, size_t *out_len,                \
                                         iotp_decode_error *e, iotp_encode_error *ee) {            \
        static p##_any *value;                                                                     \
        if (value == NULL) {                                                                       \
            value = malloc(sizeof *value);                                                         \
            if (value == NULL) {                                                                   \
                exit(1);                                                                           \
            }                                                                                      \
        }                                                                                          \
        return p##_transcode(type, in, len, value, out, cap, out_len, e, ee);                      \
    }
PACKAGE_RUN(example_every_scalar)
PACKAGE_RUN(example_recursive)
PACKAGE_RUN(com_acme_sprinkler)

static void hex(const uint8_t *p, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) {
        printf("%02x", p[i]);
    }
}

/* One input's line: its type and bytes, then `ok` and the bytes encoded back, or why not. */
static void verdict(const char *type, const uint8_t *in, size_t len) {
    uint8_t *copy = malloc(len ? len : 1);
    static uint8_t out[4096];
    size_t n = 0;
    iotp_decode_error e = {IOTP_ERR_NONE, 0, NULL};
    iotp_encode_error ee = {IOTP_ENC_NONE, 0, NULL};
    iotp_transcode_result res;
    if (copy == NULL) {
        exit(1);
    }
    memcpy(copy, in, len);
    res = run_example_every_scalar(type, copy, len, out, sizeof out, &n, &e, &ee);
    if (res == IOTP_TRANSCODE_UNKNOWN_TYPE) {
        res = run_example_recursive(type, copy, len, out, sizeof out, &n, &e, &ee);
    }
    if (res == IOTP_TRANSCODE_UNKNOWN_TYPE) {
        res = run_com_acme_sprinkler(type, copy, len, out, sizeof out, &n, &e, &ee);
    }
    printf("%s ", type);
    hex(in, len);
    switch (res) {
    case IOTP_TRANSCODE_OK:
        printf(" ok ");
        hex(out, n);
        printf("\n");
        break;
    case IOTP_TRANSCODE_REJECTED:
        printf(" rejected %s at %zu in %s\n", iotp_error_class_name(e.cls), e.offset,
               e.field != NULL ? e.field : "-");
        break;
    case IOTP_TRANSCODE_REFUSED:
        printf(" refused %d in %s\n", (int)ee.kind, ee.field != NULL ? ee.field : "-");
        break;
    default:
        printf(" unknown type\n");
        exit(1);
    }
    free(copy);
}

static unsigned nibble(char c) {
    return c <= '9' ? (unsigned)(c - '0') : (unsigned)(c - 'a' + 10);
}

int main(int argc, char **argv) {
    FILE *seeds = argc > 1 ? fopen(argv[1], "r") : NULL;
    char type[128], text[512];
    uint8_t in[256], changed[256];
    if (seeds == NULL) {
        fprintf(stderr, "usage: golden-verdicts SEEDS\n");
        return 2;
    }
    while (fscanf(seeds, "%127s %511s", type, text) == 2) {
        size_t len = strlen(text) / 2, at, n;
        unsigned b;
        for (at = 0; at < len; at++) {
            in[at] = (uint8_t)(nibble(text[2 * at]) << 4 | nibble(text[2 * at + 1]));
        }
        for (n = 0; n <= len; n++) {
            verdict(type, in, n);
        }
        for (at = 0; at < len; at++) {
            memcpy(changed, in, len);
            for (b = 0; b < 256; b++) {
                if (b != in[at]) {
                    changed[at] = (uint8_t)b;
                    verdict(type, changed, len);
                }
            }
        }
    }
    fclose(seeds);
    return 0;
}
