/*
 * libFuzzer target for the C runtime alone (issue 13): any bytes through every read, each from the
 * start of the input and in sequence, under AddressSanitizer + UndefinedBehaviorSanitizer. It checks
 * what must hold whatever the input: offsets and positions within the input, a class of the spec's
 * list on every rejection, and for an accepted item that the writer takes it back byte for byte.
 * (Agreement with the Rust runtime is the differential tests' job: codec-c/tests/differential.rs.)
 *
 *     make -C codec-c fuzz            # a bounded run, as scripts/test does
 *     build/fuzz-runtime -max_total_time=600 corpus/
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iotp2p.h"

static void require(bool cond, const char *what) {
    if (!cond) {
        fprintf(stderr, "invariant broken: %s\n", what);
        abort();
    }
}

/* After any call: the position within the input, and an error (if any) of the spec's list, at an
 * offset within the input. */
static void sane(const iotp_reader *r) {
    require(r->pos <= r->len, "position within the input");
    if (!iotp_ok(r)) {
        require(r->err.cls < IOTP_ERR_NONE, "a class of the spec");
        require(r->err.offset <= r->len, "offset within the input");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    iotp_reader r;
    iotp_head h;
    iotp_text t;
    iotp_bytes b;
    iotp_map m;
    uint64_t u;
    int64_t i;
    uint32_t k;
    size_t n, inner;
    double d;
    float f;
    bool flag;
    unsigned op;

    /* Each read from the start of the input. */
#define FRESH(call)                                                                                \
    do {                                                                                           \
        iotp_reader_init(&r, data, size);                                                          \
        (void)(call);                                                                              \
        sane(&r);                                                                                  \
    } while (0)
    FRESH(iotp_read_head(&r, &h));
    FRESH(iotp_read_uint(&r, 0, UINT64_MAX, &u));
    FRESH(iotp_read_int(&r, INT64_MIN, INT64_MAX, &i));
    FRESH(iotp_read_enum(&r, &k));
    FRESH(iotp_read_bool(&r, &flag));
    FRESH(iotp_read_null(&r));
    FRESH(iotp_read_f64(&r, &d));
    FRESH(iotp_read_f32(&r, &f));
    FRESH(iotp_read_text(&r, SIZE_MAX, &t));
    FRESH(iotp_read_bytes(&r, 16, &b));
    FRESH(iotp_read_fixed(&r, 8, &b));
    FRESH(iotp_read_array(&r, SIZE_MAX, &n));
    FRESH(iotp_read_map(&r, &n));
    FRESH(iotp_read_key(&r, 1, &k));
    FRESH(iotp_union_begin(&r, IOTP_MAX_DEPTH, &k, &inner) && iotp_skip(&r, inner, &b));
    FRESH(iotp_depth_exceeded(&r));

    /* A whole item: accepted ones go back through the writer unchanged. */
    iotp_reader_init(&r, data, size);
    if (iotp_skip(&r, IOTP_MAX_DEPTH, &b) && iotp_finish(&r)) {
        uint8_t *out = malloc(size);
        iotp_writer w;
        require(b.ptr == data && b.len == size, "the item is the whole input");
        require(out != NULL, "memory");
        iotp_writer_init(&w, out, size);
        require(iotp_write_raw_item(&w, data, size) && w.pos == size && memcmp(out, data, size) == 0,
                "an accepted item is written back as it is");
        free(out);
    }
    sane(&r);

    /* A message of unknown fields, its entries merged back. */
    iotp_reader_init(&r, data, size);
    if (iotp_map_begin(&r, IOTP_MAX_DEPTH, &m)) {
        while (iotp_map_next(&r, &m, &k) && iotp_map_skip_value(&r, &m)) {
        }
        if (iotp_ok(&r)) {
            iotp_unknown unknown;
            iotp_merge g;
            iotp_writer w;
            uint8_t *out = malloc(size);
            require(out != NULL, "memory");
            iotp_map_unknown(&r, &m, &unknown);
            iotp_writer_init(&w, out, size);
            iotp_merge_init(&g, &unknown);
            require(iotp_merge_finish(&w, &g) && w.pos == unknown.len &&
                        memcmp(out, unknown.entries, unknown.len) == 0,
                    "unknown entries merge back as they came");
            free(out);
        }
    }
    sane(&r);

    /* Reads in sequence, chosen by the input's own bytes, until one fails. */
    iotp_reader_init(&r, data, size);
    for (op = 0; iotp_ok(&r) && r.pos < r.len; op++) {
        switch ((data[r.pos] + op) % 6u) {
        case 0: (void)iotp_read_uint(&r, 0, 1000, &u); break;
        case 1: (void)iotp_read_text(&r, 32, &t); break;
        case 2: (void)iotp_skip(&r, 1 + op % IOTP_MAX_DEPTH, &b); break;
        case 3: (void)iotp_read_key(&r, 0, &k); break;
        case 4: (void)iotp_read_array(&r, 4, &n); break;
        default: (void)iotp_read_head(&r, &h); break;
        }
        sane(&r);
    }
    return 0;
}
