/*
 * The Pet codec's verdicts, one line per input: built against the zero-copy code (generated-code/)
 * and against the code that copies strings and bytes (generated-copy/), whose listings the Makefile
 * compares (`make verdicts`), so that copying changes what a value holds and nothing of what is
 * accepted, refused or encoded. Inputs: valid Pets (unknown fields, an empty name, the longest
 * names, UTF-8), every truncation of each, and every one-byte change of each at every position.
 * Each input is decoded from a heap copy of exactly its length (AddressSanitizer watches its end);
 * built with -DPET_COPY, an accepted value is encoded after that copy is freed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pet.h"

static const uint8_t rex[] = {0xa3, 0x00, 0x82, 0x63, 'R', 'e', 'x', 0x64, 'R', 'e', 'x', 'i',
                              0x01, 0x48, 1, 2, 3, 4, 5, 6, 7, 8, 0x02, 0x01};
/* Unknown fields 3: [true] and 9: "x" around the known ones, species 7 (unknown). */
static const uint8_t newer[] = {0xa5, 0x00, 0x81, 0x61, 'A', 0x01, 0x48, 1, 2, 3, 4, 5, 6, 7, 8,
                                0x02, 0x07, 0x03, 0x81, 0xf5, 0x09, 0x61, 'x'};
/* Four names: empty, "é" (two bytes of UTF-8), 32 bytes, one byte; species 0. */
static const uint8_t many[] = {
    0xa3, 0x00, 0x84, 0x60, 0x62, 0xc3, 0xa9, 0x78, 0x20, '0', '1', '2', '3', '4', '5', '6', '7',
    '8', '9', 'a', 'b', 'c', 'd', 'e', 'f', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a',
    'b', 'c', 'd', 'e', 'f', 0x61, 'z', 0x01, 0x48, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x00};

static void hex(const uint8_t *p, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) {
        printf("%02x", p[i]);
    }
}

/* One input's line: the input, then `ok` and the bytes encoded back, or why it was refused. */
static void verdict(const uint8_t *in, size_t len) {
    uint8_t *copy = malloc(len ? len : 1);
    uint8_t out[PET_PET_MAX_ENCODED_SIZE + 64];
    pet_pet p;
    iotp_decode_error e;
    iotp_encode_error ee;
    size_t n = 0;
    bool ok;
    if (copy == NULL) {
        printf("out of memory\n");
        exit(1);
    }
    memcpy(copy, in, len);
    hex(in, len);
    ok = pet_pet_decode(copy, len, &p, &e);
    if (!ok) {
        printf(" rejected %s at %zu in %s\n", iotp_error_class_name(e.cls), e.offset,
               e.field != NULL ? e.field : "-");
        free(copy);
        return;
    }
#ifdef PET_COPY
    /* Built with copied strings (-DPET_COPY): the value outlives its input, so the input is cleared
     * and freed before encoding, unless it has unknown fields, which still point into it. */
    if (p.unknown_fields.count == 0) {
        memset(copy, 0, len);
        free(copy);
        copy = NULL;
    }
#endif
    if (pet_pet_encode(&p, out, sizeof out, &n, &ee)) {
        printf(" ok ");
        hex(out, n);
        printf("\n");
    } else {
        printf(" refused %d in %s\n", (int)ee.kind, ee.field != NULL ? ee.field : "-");
    }
    free(copy);
}

/* The input, every truncation of it, and every one-byte change of it (each position, each value). */
static void around(const uint8_t *in, size_t len) {
    uint8_t changed[64];
    size_t at, n;
    unsigned b;
    for (n = 0; n <= len; n++) {
        verdict(in, n);
    }
    for (at = 0; at < len && len <= sizeof changed; at++) {
        memcpy(changed, in, len);
        for (b = 0; b < 256; b++) {
            if (b != in[at]) {
                changed[at] = (uint8_t)b;
                verdict(changed, len);
            }
        }
    }
}

int main(void) {
    around(rex, sizeof rex);
    around(newer, sizeof newer);
    around(many, sizeof many);
    return 0;
}
