/*
 * Unit tests of the C runtime: every primitive's accept and reject cases, with the class and offset
 * spec §4.17 gives (the same cases as codec/src/runtime/{reader,writer,float}.rs's tests, and more).
 * Plain C: each check counts, a failure prints its line, and the program closes with
 * "N passed, N failed" and a non-zero exit status on any failure.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "iotp2p.h"


/* The reader every IN(...) sets up; the compound literal lives until the end of the test function. */
static iotp_reader R;
static iotp_reader *in_(const uint8_t *b, size_t n) {
    iotp_reader_init(&R, b, n);
    return &R;
}
#define IN(...) in_((const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__}))
#define IN_STR(s) in_((const uint8_t *)(s), sizeof(s) - 1)

/* The call fails with class `cls` at offset `off`. */
static void check_err(bool ok, iotp_error_class cls, size_t off, const char *what, int line) {
    if (!ok && R.err.cls == cls && R.err.offset == off) {
        passed++;
    } else {
        failed++;
        printf("FAILED line %d: %s: got %s %s at %zu, want %s at %zu\n", line, what,
               ok ? "success" : "error", iotp_error_class_name(R.err.cls), R.err.offset,
               iotp_error_class_name(cls), off);
    }
}

#define ERR(call, cls, off) check_err((call), IOTP_ERR_##cls, (off), #call, __LINE__)

static void initial_bytes_follow_the_spec_table(void) {
    unsigned b;
    for (b = 0; b < 256; b++) {
        /* The table of spec §4.3, written out by ranges. */
        unsigned major = b >> 5, info = b & 0x1f;
        iotp_error_class want = IOTP_ERR_NONE;
        iotp_head h;
        uint8_t input[9] = {0};
        if (major <= 5 && info >= 28 && info <= 30) want = IOTP_ERR_INVALID_HEAD;
        if (major <= 1 && info == 31) want = IOTP_ERR_INVALID_HEAD;
        if (major >= 2 && major <= 5 && info == 31) want = IOTP_ERR_INDEFINITE_LENGTH;
        if (major == 6) want = info >= 28 ? IOTP_ERR_INVALID_HEAD : IOTP_ERR_FORBIDDEN_ITEM;
        if (b >= 0xe0 && b <= 0xf3) want = IOTP_ERR_FORBIDDEN_ITEM;
        if (b == 0xf7 || b == 0xf8) want = IOTP_ERR_FORBIDDEN_ITEM;
        if (b >= 0xfc && b <= 0xfe) want = IOTP_ERR_INVALID_HEAD;
        if (b == 0xff) want = IOTP_ERR_INDEFINITE_LENGTH;
        input[0] = (uint8_t)b;
        /* One byte only: an admitted head that needs more is truncated at 1, never the class. */
        iotp_reader_init(&R, input, 1);
        if (want != IOTP_ERR_NONE) {
            check_err(iotp_read_head(&R, &h), want, 0, "initial byte", __LINE__);
        } else {
            bool ok = iotp_read_head(&R, &h);
            CHECK(ok || (R.err.cls == IOTP_ERR_TRUNCATED && R.err.offset == 1));
        }
    }
}

static void heads(void) {
    iotp_head h;
    iotp_reader_init(&R, NULL, 0);
    ERR(iotp_read_head(&R, &h), TRUNCATED, 0);
    CHECK(iotp_read_head(IN(0x17), &h) && h.kind == IOTP_KIND_UINT && h.arg == 23);
    CHECK(iotp_read_head(IN(0xf6), &h) && h.kind == IOTP_KIND_NULL);
    CHECK(iotp_read_head(IN(0xf5), &h) && h.kind == IOTP_KIND_BOOL && h.arg == 1);
    CHECK(iotp_read_head(IN(0xa1), &h) && h.kind == IOTP_KIND_MAP && h.arg == 1 && R.pos == 1);
    CHECK(iotp_read_head(IN(0xfa, 0x47, 0xc3, 0x50, 0x00), &h) && h.kind == IOTP_KIND_FLOAT &&
          h.width == 5 && h.arg == 0x47c35000u);
    /* Every width of argument: shortest accepted, one narrower form rejected, truncation at the end. */
    CHECK(iotp_read_head(IN(0x38, 0x18), &h) && h.kind == IOTP_KIND_NINT && h.arg == 24);
    ERR(iotp_read_head(IN(0x58, 0x17), &h), NON_CANONICAL_INTEGER, 0);
    ERR(iotp_read_head(IN(0x79, 0x00, 0xff), &h), NON_CANONICAL_INTEGER, 0);
    ERR(iotp_read_head(IN(0x9a, 0x00, 0x00, 0xff, 0xff), &h), NON_CANONICAL_INTEGER, 0);
    ERR(iotp_read_head(IN(0xbb, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff), &h), NON_CANONICAL_INTEGER, 0);
    CHECK(iotp_read_head(IN(0x1b, 0, 0, 0, 1, 0, 0, 0, 0), &h) && h.arg == UINT64_C(0x100000000));
    ERR(iotp_read_head(IN(0x1b, 0, 0, 0, 1, 0, 0, 0), &h), TRUNCATED, 8);
    ERR(iotp_read_head(IN(0x1a, 0, 1), &h), TRUNCATED, 3);
    ERR(iotp_read_head(IN(0xf9, 0x3c), &h), TRUNCATED, 2);
    ERR(iotp_read_head(IN(0xfb, 0x3f), &h), TRUNCATED, 2);
    /* Errors are sticky: a later call fails at once and keeps the first error. */
    ERR(iotp_read_head(IN(0x18, 0x01, 0x00), &h), NON_CANONICAL_INTEGER, 0);
    ERR(iotp_read_head(&R, &h), NON_CANONICAL_INTEGER, 0);
    ERR(iotp_finish(&R), NON_CANONICAL_INTEGER, 0);
}

static void integers(void) {
    uint64_t u;
    int64_t i;
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    int8_t i8;
    int16_t i16;
    int32_t i32;
    CHECK(iotp_read_uint(IN(0x17), 0, UINT64_MAX, &u) && u == 23);
    CHECK(iotp_read_uint(IN(0x18, 0x18), 0, UINT64_MAX, &u) && u == 24);
    CHECK(iotp_read_uint(IN(0x1b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), 0, UINT64_MAX,
                         &u) &&
          u == UINT64_MAX);
    ERR(iotp_read_uint(IN(0x18, 0x17), 0, 255, &u), NON_CANONICAL_INTEGER, 0);
    ERR(iotp_read_uint(IN(0x19, 0x00, 0xff), 0, 9999, &u), NON_CANONICAL_INTEGER, 0);
    ERR(iotp_read_uint(IN(0x19, 0x01), 0, 9999, &u), TRUNCATED, 2);
    ERR(iotp_read_uint(IN(0x20), 0, 10, &u), OUT_OF_RANGE, 0);
    ERR(iotp_read_uint(IN(0x0b), 0, 10, &u), OUT_OF_RANGE, 0);
    ERR(iotp_read_uint(IN(0x04), 5, 10, &u), OUT_OF_RANGE, 0);
    ERR(iotp_read_uint(IN(0x61, 'a'), 0, 10, &u), WRONG_TYPE, 0);
    ERR(iotp_read_uint(IN(0xfa, 0x3f, 0x80, 0, 0), 0, 10, &u), NON_CANONICAL_FLOAT, 0);
    ERR(iotp_read_uint(IN(0xf9, 0x3c, 0x00), 0, 10, &u), WRONG_TYPE, 0);
    CHECK(iotp_read_int(IN(0x20), -10, 10, &i) && i == -1);
    CHECK(iotp_read_int(IN(0x0a), -10, 10, &i) && i == 10);
    ERR(iotp_read_int(IN(0x38, 0x63), -10, 10, &i), OUT_OF_RANGE, 0);
    ERR(iotp_read_int(IN(0x3b, 0x80, 0, 0, 0, 0, 0, 0, 0), INT64_MIN, 0, &i), OUT_OF_RANGE, 0);
    ERR(iotp_read_int(IN(0x1b, 0x80, 0, 0, 0, 0, 0, 0, 0), INT64_MIN, INT64_MAX, &i), OUT_OF_RANGE, 0);
    CHECK(iotp_read_int(IN(0x3b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), INT64_MIN, 0, &i) &&
          i == INT64_MIN);
    CHECK(iotp_read_int(IN(0x1b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), 0, INT64_MAX, &i) &&
          i == INT64_MAX);
    ERR(iotp_read_int(IN(0xf4), -1, 1, &i), WRONG_TYPE, 0);
    ERR(iotp_read_int(IN(0x39, 0x00, 0x10), -1, 1, &i), NON_CANONICAL_INTEGER, 0);
    /* Each width, at both ends of its type and one past. */
    CHECK(iotp_read_u8(IN(0x18, 0xff), 0, UINT8_MAX, &u8) && u8 == 255);
    ERR(iotp_read_u8(IN(0x19, 0x01, 0x00), 0, UINT8_MAX, &u8), OUT_OF_RANGE, 0);
    CHECK(iotp_read_u16(IN(0x19, 0xff, 0xff), 0, UINT16_MAX, &u16) && u16 == 65535);
    ERR(iotp_read_u16(IN(0x1a, 0, 1, 0, 0), 0, UINT16_MAX, &u16), OUT_OF_RANGE, 0);
    CHECK(iotp_read_u32(IN(0x1a, 0xff, 0xff, 0xff, 0xff), 0, UINT32_MAX, &u32) && u32 == UINT32_MAX);
    ERR(iotp_read_u32(IN(0x1b, 0, 0, 0, 1, 0, 0, 0, 0), 0, UINT32_MAX, &u32), OUT_OF_RANGE, 0);
    CHECK(iotp_read_i8(IN(0x38, 0x7f), INT8_MIN, INT8_MAX, &i8) && i8 == -128);
    CHECK(iotp_read_i8(IN(0x18, 0x7f), INT8_MIN, INT8_MAX, &i8) && i8 == 127);
    ERR(iotp_read_i8(IN(0x38, 0x80), INT8_MIN, INT8_MAX, &i8), OUT_OF_RANGE, 0);
    ERR(iotp_read_i8(IN(0x18, 0x80), INT8_MIN, INT8_MAX, &i8), OUT_OF_RANGE, 0);
    CHECK(iotp_read_i16(IN(0x39, 0x7f, 0xff), INT16_MIN, INT16_MAX, &i16) && i16 == INT16_MIN);
    ERR(iotp_read_i16(IN(0x39, 0x80, 0x00), INT16_MIN, INT16_MAX, &i16), OUT_OF_RANGE, 0);
    CHECK(iotp_read_i32(IN(0x3a, 0x7f, 0xff, 0xff, 0xff), INT32_MIN, INT32_MAX, &i32) &&
          i32 == INT32_MIN);
    ERR(iotp_read_i32(IN(0x1a, 0x80, 0, 0, 0), INT32_MIN, INT32_MAX, &i32), OUT_OF_RANGE, 0);
    /* Enums are open up to 32 bits. */
    CHECK(iotp_read_enum(IN(0x1a, 0xff, 0xff, 0xff, 0xff), &u32) && u32 == UINT32_MAX);
    ERR(iotp_read_enum(IN(0x1b, 1, 0, 0, 0, 0, 0, 0, 0), &u32), OUT_OF_RANGE, 0);
    ERR(iotp_read_enum(IN(0x20), &u32), OUT_OF_RANGE, 0);
    ERR(iotp_read_enum(IN(0x80), &u32), WRONG_TYPE, 0);
}

static void bools_and_null(void) {
    bool b;
    CHECK(iotp_read_bool(IN(0xf4), &b) && !b);
    CHECK(iotp_read_bool(IN(0xf5), &b) && b);
    ERR(iotp_read_bool(IN(0xf6), &b), WRONG_TYPE, 0);
    ERR(iotp_read_bool(IN(0x01), &b), WRONG_TYPE, 0);
    ERR(iotp_read_bool(IN(0xf7), &b), FORBIDDEN_ITEM, 0);
    ERR(iotp_read_bool(IN(0xf8, 0x14), &b), FORBIDDEN_ITEM, 0);
    CHECK(iotp_read_null(IN(0xf6)) && R.pos == 1);
    ERR(iotp_read_null(IN(0xf4)), WRONG_TYPE, 0);
    ERR(iotp_read_null(IN(0xa0)), WRONG_TYPE, 0);
}

static uint64_t bits(double d) {
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

static void floats(void) {
    double d;
    float f;
    CHECK(iotp_read_f64(IN(0xf9, 0x3c, 0x00), &d) && d == 1.0);
    CHECK(iotp_read_f64(IN(0xf9, 0x80, 0x00), &d) && bits(d) == UINT64_C(0x8000000000000000));
    CHECK(iotp_read_f64(IN(0xf9, 0x00, 0x01), &d) && d == 5.960464477539063e-8);
    CHECK(iotp_read_f64(IN(0xf9, 0x7b, 0xff), &d) && d == 65504.0);
    CHECK(iotp_read_f64(IN(0xf9, 0xfc, 0x00), &d) && isinf(d) && d < 0);
    CHECK(iotp_read_f64(IN(0xf9, 0x7e, 0x00), &d) && bits(d) == UINT64_C(0x7ff8000000000000));
    ERR(iotp_read_f64(IN(0xf9, 0x7e, 0x01), &d), NON_CANONICAL_FLOAT, 0);
    ERR(iotp_read_f64(IN(0xf9, 0xfe, 0x00), &d), NON_CANONICAL_FLOAT, 0);
    ERR(iotp_read_f64(IN(0xf9, 0x7c, 0x01), &d), NON_CANONICAL_FLOAT, 0);
    CHECK(iotp_read_f64(IN(0xfa, 0x47, 0xc3, 0x50, 0x00), &d) && d == 100000.0);
    ERR(iotp_read_f64(IN(0xfa, 0x3f, 0x80, 0, 0), &d), NON_CANONICAL_FLOAT, 0);
    ERR(iotp_read_f64(IN(0xfa, 0x7f, 0xc0, 0, 0), &d), NON_CANONICAL_FLOAT, 0);
    ERR(iotp_read_f64(IN(0xfa, 0x7f, 0x80, 0, 0), &d), NON_CANONICAL_FLOAT, 0);
    ERR(iotp_read_f64(IN(0xfa, 0x00, 0x00, 0, 0), &d), NON_CANONICAL_FLOAT, 0);
    /* 2^-24 is the smallest half subnormal; 2^-25 needs single precision. */
    ERR(iotp_read_f64(IN(0xfa, 0x33, 0x80, 0, 0), &d), NON_CANONICAL_FLOAT, 0);
    CHECK(iotp_read_f64(IN(0xfa, 0x33, 0x00, 0, 0), &d) && d == ldexp(1.0, -25));
    /* The smallest single subnormal, 2^-149, is single; as a double it is non-canonical. */
    CHECK(iotp_read_f64(IN(0xfa, 0, 0, 0, 1), &d) && d == ldexp(1.0, -149));
    ERR(iotp_read_f64(IN(0xfb, 0x36, 0xa0, 0, 0, 0, 0, 0, 0), &d), NON_CANONICAL_FLOAT, 0);
    CHECK(iotp_read_f64(IN(0xfb, 0x36, 0x90, 0, 0, 0, 0, 0, 0), &d) && d == ldexp(1.0, -150));
    CHECK(iotp_read_f64(IN(0xfb, 0x3f, 0xb9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a), &d) && d == 0.1);
    ERR(iotp_read_f64(IN(0xfb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0), &d), NON_CANONICAL_FLOAT, 0);
    ERR(iotp_read_f64(IN(0xfb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0), &d), NON_CANONICAL_FLOAT, 0);
    ERR(iotp_read_f64(IN(0xfb, 0x7f, 0xf0, 0, 0, 0, 0, 0, 0), &d), NON_CANONICAL_FLOAT, 0);
    ERR(iotp_read_f64(IN(0x01), &d), WRONG_TYPE, 0);
    CHECK(iotp_read_f32(IN(0xfa, 0x3f, 0x80, 0, 1), &f) && f == 1.00000011920928955078125f);
    CHECK(iotp_read_f32(IN(0xf9, 0x3e, 0x00), &f) && f == 1.5f);
    CHECK(iotp_read_f32(IN(0xf9, 0x7e, 0x00), &f) && isnan(f));
    ERR(iotp_read_f32(IN(0xfb, 0x3f, 0xb9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a), &f), OUT_OF_RANGE, 0);
    ERR(iotp_read_f32(IN(0xfb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0), &f), NON_CANONICAL_FLOAT, 0);
    ERR(iotp_read_f32(IN(0x20), &f), WRONG_TYPE, 0);
}

/* Every half: read back exactly, written back to the same three bytes (NaNs: only 7e00 reads). */
static void every_half_round_trips(void) {
    unsigned h;
    unsigned bad = 0;
    for (h = 0; h < 0x10000u; h++) {
        uint8_t in[3], out[9];
        double d;
        iotp_writer w;
        bool nan = (h & 0x7c00u) == 0x7c00u && (h & 0x3ffu) != 0;
        in[0] = 0xf9;
        in[1] = (uint8_t)(h >> 8);
        in[2] = (uint8_t)h;
        iotp_reader_init(&R, in, 3);
        if (!iotp_read_f64(&R, &d)) {
            bad += !(nan && h != 0x7e00u && R.err.cls == IOTP_ERR_NON_CANONICAL_FLOAT);
            continue;
        }
        iotp_writer_init(&w, out, sizeof out);
        bad += !(iotp_write_f64(&w, d) && w.pos == 3 && memcmp(in, out, 3) == 0 &&
                 iotp_float_len(d) == 3);
    }
    CHECK(bad == 0);
}

static void strings(void) {
    iotp_text t;
    iotp_bytes b;
    CHECK(iotp_read_text(IN_STR("\x63" "abc"), 3, &t) && t.len == 3 && memcmp(t.ptr, "abc", 3) == 0);
    CHECK(iotp_read_text(IN(0x60), 0, &t) && t.len == 0);
    ERR(iotp_read_text(IN_STR("\x63" "abc"), 2, &t), BOUND_EXCEEDED, 0);
    ERR(iotp_read_text(IN_STR("\x63" "ab"), 3, &t), TRUNCATED, 3);
    ERR(iotp_read_text(IN_STR("\x63" "a\xff" "c"), 3, &t), INVALID_UTF8, 0);
    ERR(iotp_read_text(IN_STR("\x7f\x61" "a\xff"), 3, &t), INDEFINITE_LENGTH, 0);
    ERR(iotp_read_text(IN(0x41, 'a'), 3, &t), WRONG_TYPE, 0);
    ERR(iotp_read_text(IN(0x78, 0x03, 'a', 'b', 'c'), 3, &t), NON_CANONICAL_INTEGER, 0);
    /* The bound comes before the content's completeness (bound-first). */
    ERR(iotp_read_text(IN(0x7a, 0xff, 0xff, 0xff, 0xff), 8, &t), BOUND_EXCEEDED, 0);
    ERR(iotp_read_text(IN(0x7a, 0xff, 0xff, 0xff, 0xff), SIZE_MAX, &t), TRUNCATED, 5);
    /* UTF-8 as RFC 3629: the edges of every lead byte's range. */
    CHECK(iotp_read_text(IN_STR("\x62\xc2\x80"), 8, &t));
    CHECK(iotp_read_text(IN_STR("\x63\xe0\xa0\x80"), 8, &t));
    CHECK(iotp_read_text(IN_STR("\x63\xed\x9f\xbf"), 8, &t));
    CHECK(iotp_read_text(IN_STR("\x63\xef\xbf\xbf"), 8, &t));
    CHECK(iotp_read_text(IN_STR("\x64\xf0\x90\x80\x80"), 8, &t));
    CHECK(iotp_read_text(IN_STR("\x64\xf4\x8f\xbf\xbf"), 8, &t));
    ERR(iotp_read_text(IN_STR("\x62\xc1\xbf"), 8, &t), INVALID_UTF8, 0);        /* overlong */
    ERR(iotp_read_text(IN_STR("\x63\xe0\x9f\xbf"), 8, &t), INVALID_UTF8, 0);    /* overlong */
    ERR(iotp_read_text(IN_STR("\x63\xed\xa0\x80"), 8, &t), INVALID_UTF8, 0);    /* surrogate */
    ERR(iotp_read_text(IN_STR("\x64\xf0\x8f\xbf\xbf"), 8, &t), INVALID_UTF8, 0); /* overlong */
    ERR(iotp_read_text(IN_STR("\x64\xf4\x90\x80\x80"), 8, &t), INVALID_UTF8, 0); /* > U+10FFFF */
    ERR(iotp_read_text(IN_STR("\x61\xf5"), 8, &t), INVALID_UTF8, 0);
    ERR(iotp_read_text(IN_STR("\x61\x80"), 8, &t), INVALID_UTF8, 0);           /* lone continuation */
    ERR(iotp_read_text(IN_STR("\x62\xe2\x82"), 8, &t), INVALID_UTF8, 0);       /* cut sequence */
    ERR(iotp_read_text(IN_STR("\x63\xe2\x82\x41"), 8, &t), INVALID_UTF8, 0);   /* bad continuation */
    ERR(iotp_read_text(IN_STR("\x64\xf0\x90\x80\xc0"), 8, &t), INVALID_UTF8, 0);
    CHECK(iotp_read_bytes(IN(0x42, 1, 2), 2, &b) && b.len == 2 && b.ptr[1] == 2 && R.pos == 3);
    ERR(iotp_read_bytes(IN(0x42, 1, 2), 1, &b), BOUND_EXCEEDED, 0);
    ERR(iotp_read_bytes(IN(0x42, 1), 2, &b), TRUNCATED, 2);
    ERR(iotp_read_bytes(IN(0x62, 1, 2), 2, &b), WRONG_TYPE, 0);
    ERR(iotp_read_bytes(IN(0x5f, 0x41, 0x00, 0xff), 2, &b), INDEFINITE_LENGTH, 0);
    CHECK(iotp_read_fixed(IN(0x42, 1, 2), 2, &b) && b.len == 2);
    ERR(iotp_read_fixed(IN(0x41, 1), 2, &b), BOUND_EXCEEDED, 0);
    ERR(iotp_read_fixed(IN(0x43, 1, 2, 3), 2, &b), BOUND_EXCEEDED, 0);
    ERR(iotp_read_fixed(IN(0x42, 1), 2, &b), TRUNCATED, 2);
}

static void containers_and_keys(void) {
    size_t n, inner;
    uint32_t k;
    CHECK(iotp_read_array(IN(0x82, 0x01, 0x02), 2, &n) && n == 2 && R.pos == 1);
    ERR(iotp_read_array(IN(0x83, 0x01, 0x02, 0x03), 2, &n), BOUND_EXCEEDED, 0);
    /* The bound on the head comes before the count's completeness (IOTP-WIRE-29, -76). */
    ERR(iotp_read_array(IN(0x85, 0x01), 4, &n), BOUND_EXCEEDED, 0);
    ERR(iotp_read_array(IN(0x85, 0x01), 5, &n), TRUNCATED, 2);
    ERR(iotp_read_array(IN(0x9a, 0xff, 0xff, 0xff, 0xff), SIZE_MAX, &n), TRUNCATED, 5);
    ERR(iotp_read_array(IN(0xa0), 1, &n), WRONG_TYPE, 0);
    ERR(iotp_read_array(IN(0x9f, 0xff), 1, &n), INDEFINITE_LENGTH, 0);
    CHECK(iotp_read_map(IN(0xa1, 0x00, 0x00), &n) && n == 1);
    ERR(iotp_read_map(IN(0xa2, 0x00, 0x00, 0x01), &n), TRUNCATED, 4);
    ERR(iotp_read_map(IN(0xbb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), &n), TRUNCATED, 9);
    ERR(iotp_read_map(IN(0x80), &n), WRONG_TYPE, 0);
    ERR(iotp_read_map(IN(0xbf, 0xff), &n), INDEFINITE_LENGTH, 0);
    /* Keys: unsigned, at most 65535, ascending. */
    iotp_reader_init(&R, (const uint8_t[]){0x01, 0x01}, 2);
    CHECK(iotp_read_key(&R, 0, &k) && k == 1);
    ERR(iotp_read_key(&R, 2, &k), DUPLICATE_KEY, 1);
    ERR(iotp_read_key(IN(0x00), 2, &k), UNSORTED_KEYS, 0);
    CHECK(iotp_read_key(IN(0x19, 0xff, 0xff), 65535, &k) && k == 65535);
    ERR(iotp_read_key(IN(0x1a, 0, 1, 0, 0), 0, &k), OUT_OF_RANGE, 0);
    ERR(iotp_read_key(IN(0x1a, 0, 1, 0, 0), 70000, &k), OUT_OF_RANGE, 0);
    ERR(iotp_read_key(IN(0x20), 0, &k), WRONG_TYPE, 0);
    ERR(iotp_read_key(IN(0x61, 'a'), 0, &k), WRONG_TYPE, 0);
    ERR(iotp_read_key(IN(0x18, 0x01), 0, &k), NON_CANONICAL_INTEGER, 0);
    /* Depth: a container with contents needs two levels; the too-deep item's head comes first. */
    CHECK(iotp_enter(IN(0x00), 2, 1, &inner) && inner == 1);
    CHECK(iotp_enter(IN(0x00), 1, 0, &inner) && inner == 0);
    ERR(iotp_enter(IN(0x00), 1, 1, &inner), DEPTH_EXCEEDED, 0);
    ERR(iotp_enter(IN(0x1c), 1, 1, &inner), INVALID_HEAD, 0);
    iotp_reader_init(&R, (const uint8_t[]){0x61, 'a'}, 2);
    ERR(iotp_depth_exceeded(&R), DEPTH_EXCEEDED, 0);
    CHECK(R.pos == 0);
    /* trailing-bytes at the first remaining byte. */
    iotp_reader_init(&R, (const uint8_t[]){0x01, 0x02}, 2);
    CHECK(iotp_read_uint(&R, 0, 9, &(uint64_t){0}));
    ERR(iotp_finish(&R), TRAILING_BYTES, 1);
    CHECK(iotp_finish(IN_STR("")));
}

static void skipping(void) {
    iotp_bytes b;
    /* {1: [h'00', "a", -1, 1.5, null]} */
    static const uint8_t ok[] = {0xa1, 0x01, 0x85, 0x41, 0x00, 0x61, 'a', 0x20, 0xf9, 0x3e, 0x00, 0xf6};
    iotp_reader_init(&R, ok, sizeof ok);
    CHECK(iotp_skip(&R, 3, &b) && b.ptr == ok && b.len == sizeof ok && R.pos == sizeof ok);
    iotp_reader_init(&R, ok, sizeof ok);
    ERR(iotp_skip(&R, 2, &b), DEPTH_EXCEEDED, 3);
    ERR(iotp_skip(IN(0xa2, 0x02, 0x00, 0x01, 0x00), 4, &b), UNSORTED_KEYS, 3);
    ERR(iotp_skip(IN(0xa2, 0x02, 0x00, 0x02, 0x00), 4, &b), DUPLICATE_KEY, 3);
    ERR(iotp_skip(IN(0xa1, 0x61, 'a', 0x00), 4, &b), WRONG_TYPE, 1);
    ERR(iotp_skip(IN(0xa1, 0x1a, 0, 1, 0, 0, 0x00), 4, &b), OUT_OF_RANGE, 1);
    ERR(iotp_skip(IN(0xc1, 0x00), 4, &b), FORBIDDEN_ITEM, 0);
    ERR(iotp_skip(IN(0xf7), 4, &b), FORBIDDEN_ITEM, 0);
    ERR(iotp_skip(IN(0x9f, 0xff), 4, &b), INDEFINITE_LENGTH, 0);
    ERR(iotp_skip(IN(0xbb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), 4, &b), TRUNCATED, 9);
    ERR(iotp_skip(IN(0x82, 0x62, 'a', 0xc0, 0x00), 4, &b), INVALID_UTF8, 1);
    ERR(iotp_skip(IN(0x82, 0x00), 4, &b), TRUNCATED, 2);
    ERR(iotp_skip(IN(0x81, 0x42, 0x00), 4, &b), TRUNCATED, 3);
    CHECK(iotp_skip(IN(0x80), 1, &b) && b.len == 1);
    CHECK(iotp_skip(IN(0xa0, 0x00), 1, &b) && b.len == 1 && R.pos == 1);
    /* The depth's item reports its broken head first (IOTP-WIRE-64). */
    ERR(iotp_skip(IN(0x81, 0x00), 1, &b), DEPTH_EXCEEDED, 1);
    ERR(iotp_skip(IN(0x81, 0x1c), 1, &b), INVALID_HEAD, 1);
    ERR(iotp_skip(IN(0x81, 0xc0), 1, &b), FORBIDDEN_ITEM, 1);
    ERR(iotp_skip(IN(0x82, 0x18, 0x01), 1, &b), NON_CANONICAL_INTEGER, 1);
    ERR(iotp_skip(IN(0x81, 0x19, 0x01), 1, &b), TRUNCATED, 3);
    {
        /* Sixteen nested arrays hold an item at depth 16; seventeen put it at 17. Beyond
         * IOTP_MAX_DEPTH the depth argument counts as IOTP_MAX_DEPTH. */
        uint8_t deep[18];
        memset(deep, 0x81, sizeof deep);
        deep[15] = 0x00;
        iotp_reader_init(&R, deep, 16);
        CHECK(iotp_skip(&R, IOTP_MAX_DEPTH, &b) && b.len == 16);
        deep[15] = 0x81;
        deep[16] = 0x00;
        iotp_reader_init(&R, deep, 17);
        ERR(iotp_skip(&R, SIZE_MAX, &b), DEPTH_EXCEEDED, 16);
        iotp_reader_init(&R, deep, 17);
        ERR(iotp_skip(&R, 0, &b), DEPTH_EXCEEDED, 1);
    }
}

static void messages_and_unions(void) {
    iotp_map m;
    uint32_t key;
    size_t inner;
    uint64_t v;
    /* {0: 1, 5: [2], 7: 3} with 5 unknown. */
    static const uint8_t msg[] = {0xa3, 0x00, 0x01, 0x05, 0x81, 0x02, 0x07, 0x03};
    unsigned seen = 0;
    iotp_reader_init(&R, msg, sizeof msg);
    CHECK(iotp_map_begin(&R, IOTP_MAX_DEPTH, &m) && m.left == 3 && m.depth == 15 && m.entries == 1);
    while (iotp_map_next(&R, &m, &key)) {
        if (key == 5) {
            CHECK(iotp_map_skip_value(&R, &m));
        } else {
            CHECK(iotp_read_uint(&R, 0, 9, &v));
            seen++;
        }
    }
    CHECK(iotp_ok(&R) && seen == 2 && m.unknown == 1 && m.key_at == 6 && iotp_finish(&R));
    /* Keys out of order stop the loop with the error. */
    iotp_reader_init(&R, (const uint8_t[]){0xa2, 0x03, 0x01, 0x02, 0x01}, 5);
    CHECK(iotp_map_begin(&R, 2, &m));
    while (iotp_map_next(&R, &m, &key)) {
        CHECK(iotp_read_uint(&R, 0, 9, &v));
    }
    ERR(false, UNSORTED_KEYS, 3);
    /* A generated decoder reports a missing field at the map, a default value at its key. */
    iotp_reader_init(&R, (const uint8_t[]){0xa0}, 1);
    CHECK(iotp_map_begin(&R, 1, &m) && !iotp_map_next(&R, &m, &key) && iotp_ok(&R));
    ERR(iotp_fail(&R, IOTP_ERR_MISSING_FIELD, m.start), MISSING_FIELD, 0);
    iotp_in_field(&R, "Type.a");
    iotp_in_field(&R, "Outer.b");
    CHECK(R.err.field != NULL && strcmp(R.err.field, "Type.a") == 0);
    ERR(iotp_map_begin(IN(0xa1, 0x00, 0x00), 1, &m), DEPTH_EXCEEDED, 1);
    ERR(iotp_map_begin(IN(0x80), 4, &m), WRONG_TYPE, 0);
    CHECK(!iotp_map_next(&R, &m, &key));
    /* Unions: one entry exactly. */
    CHECK(iotp_union_begin(IN(0xa1, 0x02, 0xf6), 2, &key, &inner) && key == 2 && inner == 1 &&
          iotp_read_null(&R));
    ERR(iotp_union_begin(IN(0xa0), 2, &key, &inner), INVALID_UNION, 0);
    ERR(iotp_union_begin(IN(0xa2, 0x00, 0xf6, 0x01, 0xf6), 2, &key, &inner), INVALID_UNION, 0);
    ERR(iotp_union_begin(IN(0xa2, 0x00, 0xf6), 2, &key, &inner), TRUNCATED, 3);
    ERR(iotp_union_begin(IN(0xa1, 0x20, 0xf6), 2, &key, &inner), WRONG_TYPE, 1);
    ERR(iotp_union_begin(IN(0xa1, 0x00, 0xf6), 1, &key, &inner), DEPTH_EXCEEDED, 1);
    CHECK(strcmp(iotp_error_class_name(IOTP_ERR_DEFAULT_VALUE_PRESENT), "default-value-present") == 0);
    CHECK(strcmp(iotp_error_class_name(IOTP_ERR_TRUNCATED), "truncated") == 0);
    CHECK(strcmp(iotp_error_class_name(IOTP_ERR_NONE), "none") == 0);
}

/* Writes with `f` into a 16-byte buffer and compares with `want`. */
#define WRITES(call, ...)                                                                          \
    do {                                                                                           \
        static const uint8_t want_[] = {__VA_ARGS__};                                              \
        uint8_t buf_[16];                                                                          \
        iotp_writer w_;                                                                            \
        iotp_writer *w = &w_;                                                                      \
        iotp_writer_init(w, buf_, sizeof buf_);                                                    \
        check((call) && w->pos == sizeof want_ && memcmp(buf_, want_, sizeof want_) == 0, #call,   \
              __LINE__);                                                                           \
    } while (0)

static void fixed_encodings(void) {
    WRITES(iotp_write_uint(w, 0), 0x00);
    WRITES(iotp_write_uint(w, 24), 0x18, 0x18);
    WRITES(iotp_write_uint(w, 1000), 0x19, 0x03, 0xe8);
    WRITES(iotp_write_uint(w, 1000000), 0x1a, 0x00, 0x0f, 0x42, 0x40);
    WRITES(iotp_write_uint(w, UINT64_MAX), 0x1b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
    WRITES(iotp_write_int(w, -1), 0x20);
    WRITES(iotp_write_int(w, -1000), 0x39, 0x03, 0xe7);
    WRITES(iotp_write_int(w, INT64_MIN), 0x3b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
    WRITES(iotp_write_bool(w, true) && iotp_write_bool(w, false) && iotp_write_null(w), 0xf5, 0xf4,
           0xf6);
    WRITES(iotp_write_text(w, "abc", 3), 0x63, 'a', 'b', 'c');
    WRITES(iotp_write_bytes(w, (const uint8_t *)"\x01\x02", 2), 0x42, 0x01, 0x02);
    WRITES(iotp_write_head(w, IOTP_MAJOR_MAP, 24), 0xb8, 0x18);
    WRITES(iotp_write_f64(w, 1.0), 0xf9, 0x3c, 0x00);
    WRITES(iotp_write_f64(w, -0.0), 0xf9, 0x80, 0x00);
    WRITES(iotp_write_f64(w, NAN), 0xf9, 0x7e, 0x00);
    WRITES(iotp_write_f64(w, -NAN), 0xf9, 0x7e, 0x00);
    WRITES(iotp_write_f64(w, -INFINITY), 0xf9, 0xfc, 0x00);
    WRITES(iotp_write_f64(w, 100000.0), 0xfa, 0x47, 0xc3, 0x50, 0x00);
    WRITES(iotp_write_f64(w, 0.1), 0xfb, 0x3f, 0xb9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a);
    WRITES(iotp_write_f64(w, ldexp(1.0, -149)), 0xfa, 0x00, 0x00, 0x00, 0x01);
    WRITES(iotp_write_f64(w, ldexp(1.0, -150)), 0xfb, 0x36, 0x90, 0, 0, 0, 0, 0, 0);
    WRITES(iotp_write_f32(w, 1.5f), 0xf9, 0x3e, 0x00);
    WRITES(iotp_write_f32(w, 0.1f), 0xfa, 0x3d, 0xcc, 0xcc, 0xcd);
}

static void writing(void) {
    static const uint64_t uints[] = {0, 23, 24, 255, 256, 65535, 65536, UINT32_MAX,
                                     UINT64_C(0x100000000), UINT64_MAX};
    static const int64_t ints[] = {0, -1, -24, -25, -256, -257, INT64_MIN, INT64_MAX};
    static const double doubles[] = {0.0, -0.0, 1.5, 65504.0, 100000.0, 0.1, 5.960464477539063e-8,
                                     1e300, -1e-300, 3.4028234663852886e38};
    size_t i;
    uint8_t buf[16];
    iotp_writer w;
    fixed_encodings();
    /* Round trips through the reader, with the lengths the sizing functions predict. */
    for (i = 0; i < sizeof uints / sizeof uints[0]; i++) {
        uint64_t back;
        iotp_writer_init(&w, buf, sizeof buf);
        CHECK(iotp_write_uint(&w, uints[i]) && w.pos == iotp_head_len(uints[i]));
        iotp_reader_init(&R, buf, w.pos);
        CHECK(iotp_read_uint(&R, 0, UINT64_MAX, &back) && back == uints[i] && iotp_finish(&R));
    }
    for (i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        int64_t back;
        iotp_writer_init(&w, buf, sizeof buf);
        CHECK(iotp_write_int(&w, ints[i]) && w.pos == iotp_int_len(ints[i]));
        iotp_reader_init(&R, buf, w.pos);
        CHECK(iotp_read_int(&R, INT64_MIN, INT64_MAX, &back) && back == ints[i] && iotp_finish(&R));
    }
    for (i = 0; i < sizeof doubles / sizeof doubles[0]; i++) {
        double back;
        iotp_writer_init(&w, buf, sizeof buf);
        CHECK(iotp_write_f64(&w, doubles[i]) && w.pos == iotp_float_len(doubles[i]));
        iotp_reader_init(&R, buf, w.pos);
        CHECK(iotp_read_f64(&R, &back) && bits(back) == bits(doubles[i]) && iotp_finish(&R));
    }
    /* A small buffer is an error, not an overflow, and the error sticks. */
    iotp_writer_init(&w, buf, 2);
    CHECK(!iotp_write_text(&w, "abc", 3) && w.err.kind == IOTP_ENC_BUFFER_TOO_SMALL &&
          w.err.needed == 4 && w.pos == 1);
    CHECK(!iotp_write_uint(&w, 0) && w.err.needed == 4 && w.pos == 1);
    iotp_writer_init(&w, NULL, 5);
    CHECK(!iotp_write_null(&w) && w.err.needed == 1);
    iotp_writer_init(&w, buf, sizeof buf);
    CHECK(!iotp_writer_fail(&w, IOTP_ENC_OUT_OF_RANGE, "T.f") && !iotp_writer_fail(&w, IOTP_ENC_BOUND_EXCEEDED, "T.g"));
    CHECK(w.err.kind == IOTP_ENC_OUT_OF_RANGE && strcmp(w.err.field, "T.f") == 0);
}

static void writer_depth(void) {
    uint8_t buf[64];
    iotp_writer w;
    unsigned i;
    static const uint8_t two_levels[] = {0x81, 0x81, 0x00};
    iotp_writer_init(&w, buf, sizeof buf);
    /* Fifteen arrays of one item each hold an item at depth 16: allowed. */
    for (i = 0; i < IOTP_MAX_DEPTH - 1; i++) {
        CHECK(iotp_write_array(&w, 1));
    }
    CHECK(iotp_writer_levels(&w) == 1);
    CHECK(iotp_write_uint(&w, 7));
    /* An empty array at depth 16 has no contents, so it is fine too; one with an item is not. */
    CHECK(iotp_write_array(&w, 0));
    CHECK(!iotp_write_map(&w, 1) && w.err.kind == IOTP_ENC_DEPTH_EXCEEDED);
    iotp_writer_init(&w, buf, sizeof buf);
    for (i = 0; i < IOTP_MAX_DEPTH - 1; i++) {
        CHECK(iotp_write_array(&w, 1));
    }
    CHECK(!iotp_write_array(&w, 1) && w.err.kind == IOTP_ENC_DEPTH_EXCEEDED);
    for (i = 0; i < IOTP_MAX_DEPTH + 3; i++) {
        iotp_write_close(&w, 1); /* never below the top */
    }
    CHECK(iotp_writer_levels(&w) == IOTP_MAX_DEPTH);
    /* Raw items are measured only when they may reach too deep. */
    iotp_writer_init(&w, buf, sizeof buf);
    for (i = 0; i < IOTP_MAX_DEPTH - 3; i++) {
        CHECK(iotp_write_array(&w, 1));
    }
    CHECK(iotp_writer_levels(&w) == 3 && iotp_write_raw_items(&w, two_levels, 3, 3));
    iotp_write_close(&w, 1);
    CHECK(iotp_write_array(&w, 1) && iotp_write_array(&w, 1) && iotp_writer_levels(&w) == 2);
    CHECK(iotp_write_raw_items(&w, two_levels + 1, 2, SIZE_MAX));
    CHECK(iotp_write_array(&w, 1));
    CHECK(!iotp_write_raw_items(&w, two_levels, 3, SIZE_MAX) &&
          w.err.kind == IOTP_ENC_DEPTH_EXCEEDED);
    /* Checked for no more than is left: copied without a look (the caller vouches for them). */
    iotp_writer_init(&w, buf, sizeof buf);
    CHECK(iotp_write_raw_items(&w, (const uint8_t[]){0x18, 0x01}, 2, 1) && w.pos == 2);
    CHECK(iotp_write_raw_checked(&w, (const uint8_t[]){0x01}, 1) && w.pos == 3);
    /* An unchecked raw item must be one canonical item. */
    iotp_writer_init(&w, buf, sizeof buf);
    CHECK(iotp_write_raw_item(&w, (const uint8_t[]){0x82, 0x01, 0x02}, 3) && w.pos == 3);
    CHECK(!iotp_write_raw_item(&w, (const uint8_t[]){0x18, 0x01}, 2) &&
          w.err.kind == IOTP_ENC_INVALID_UNKNOWN && w.pos == 3);
    iotp_writer_init(&w, buf, sizeof buf);
    CHECK(!iotp_write_raw_item(&w, (const uint8_t[]){0x01, 0x02}, 2) &&
          w.err.kind == IOTP_ENC_INVALID_UNKNOWN);
    iotp_writer_init(&w, buf, sizeof buf);
    CHECK(!iotp_write_raw_item(&w, NULL, 0) && w.err.kind == IOTP_ENC_INVALID_UNKNOWN);
    iotp_writer_init(&w, buf, sizeof buf);
    CHECK(!iotp_write_raw_items(&w, (const uint8_t[]){0x18, 0x01}, 2, SIZE_MAX) &&
          w.err.kind == IOTP_ENC_INVALID_UNKNOWN);
}

/* Unknown fields: kept as a view of the map on decode, merged back in key order on encode, so that
 * decode then encode reproduces the input (IOTP-WIRE-55 to -57). */
static void unknown_fields(void) {
    /* {0: 1, 3: [true], 5: 2, 9: "x"}; the schema knows 0 and 5. */
    static const uint8_t in[] = {0xa4, 0x00, 0x01, 0x03, 0x81, 0xf5, 0x05, 0x02, 0x09, 0x61, 'x'};
    static const uint32_t known[] = {0, 5};
    iotp_map m;
    iotp_unknown u;
    iotp_merge g;
    iotp_writer w;
    uint8_t out[32];
    uint32_t key;
    uint64_t a = 0, b = 0;
    size_t n, inner;
    iotp_reader_init(&R, in, sizeof in);
    CHECK(iotp_map_begin(&R, IOTP_MAX_DEPTH, &m));
    while (iotp_map_next(&R, &m, &key)) {
        if (key == 0) {
            CHECK(iotp_read_uint(&R, 0, 9, &a));
        } else if (key == 5) {
            CHECK(iotp_read_uint(&R, 0, 9, &b));
        } else {
            CHECK(iotp_map_skip_value(&R, &m));
        }
    }
    CHECK(iotp_ok(&R) && iotp_finish(&R) && a == 1 && b == 2);
    iotp_map_unknown(&R, &m, &u);
    CHECK(u.count == 2 && u.entries == in + 1 && u.len == sizeof in - 1);
    iotp_writer_init(&w, out, sizeof out);
    iotp_merge_init(&g, &u);
    CHECK(iotp_write_map(&w, 2 + u.count) && iotp_merge_before(&w, &g, 0) && iotp_write_uint(&w, 0) &&
          iotp_write_uint(&w, a) && iotp_merge_before(&w, &g, 5) && iotp_write_uint(&w, 5) &&
          iotp_write_uint(&w, b) && iotp_merge_finish(&w, &g));
    iotp_write_close(&w, 2 + u.count);
    CHECK(w.pos == sizeof in && memcmp(out, in, sizeof in) == 0 && iotp_writer_levels(&w) == 16);
    /* A known field left out (5, named to the merge without a value) is not written from its old
     * value: {0: 1, 3: [true], 9: "x"}. */
    {
        static const uint8_t without_5[] = {0xa3, 0x00, 0x01, 0x03, 0x81, 0xf5, 0x09, 0x61, 'x'};
        iotp_writer_init(&w, out, sizeof out);
        iotp_merge_init(&g, &u);
        CHECK(iotp_write_map(&w, 1 + u.count) && iotp_write_key(&w, &g, 0) && iotp_write_uint(&w, a) &&
              iotp_merge_before(&w, &g, 5) && iotp_merge_finish(&w, &g));
        iotp_write_close(&w, 1 + u.count);
        CHECK(w.pos == sizeof without_5 && memcmp(out, without_5, sizeof without_5) == 0);
    }
    /* Retained entries that are not a decoder's (an application's own bytes) are refused. */
    {
        static const uint8_t not_canonical[] = {0x07, 0x18, 0x01}; /* 7: 1 in two bytes */
        iotp_unknown bad = {not_canonical, sizeof not_canonical, 1};
        iotp_writer_init(&w, out, sizeof out);
        iotp_merge_init(&g, &bad);
        CHECK(!iotp_merge_finish(&w, &g) && w.err.kind == IOTP_ENC_INVALID_UNKNOWN);
    }
    /* No unknown fields (a message an application built): the merge writes nothing. */
    memset(&u, 0, sizeof u);
    iotp_writer_init(&w, out, sizeof out);
    iotp_merge_init(&g, &u);
    CHECK(iotp_merge_before(&w, &g, 5) && iotp_merge_finish(&w, &g) && w.pos == 0);
    /* Retained entries that now sit deeper than they were checked for are measured again. */
    {
        static const uint8_t deep_entry[] = {0x07, 0x81, 0x81, 0x00}; /* 7: [[0]] */
        unsigned i;
        u.entries = deep_entry;
        u.len = sizeof deep_entry;
        u.count = 1;
        iotp_writer_init(&w, out, sizeof out);
        for (i = 0; i < IOTP_MAX_DEPTH - 2; i++) {
            CHECK(iotp_write_array(&w, 1));
        }
        CHECK(iotp_write_map(&w, 1));
        iotp_merge_init(&g, &u);
        CHECK(!iotp_merge_finish(&w, &g) && w.err.kind == IOTP_ENC_DEPTH_EXCEEDED);
    }
    /* An unknown union variant needs a key the union does not define, at most 65535. */
    iotp_writer_init(&w, out, sizeof out);
    CHECK(iotp_check_unknown_variant(&w, 7, known, 2) && iotp_check_unknown_variant(&w, 65535, known, 2));
    CHECK(!iotp_check_unknown_variant(&w, 5, known, 2) && w.err.kind == IOTP_ENC_INVALID_UNKNOWN);
    iotp_writer_init(&w, out, sizeof out);
    CHECK(!iotp_check_unknown_variant(&w, 65536, NULL, 0) && w.err.kind == IOTP_ENC_INVALID_UNKNOWN);
    /* Arrays: the head, its bound, then the depth of its first item. */
    CHECK(iotp_array_begin(IN(0x82, 0x01, 0x02), 2, 2, &n, &inner) && n == 2 && inner == 1);
    ERR(iotp_array_begin(IN(0x82, 0x01, 0x02), 2, 1, &n, &inner), DEPTH_EXCEEDED, 1);
    ERR(iotp_array_begin(IN(0x83, 0x01, 0x02, 0x03), 2, 4, &n, &inner), BOUND_EXCEEDED, 0);
    CHECK(iotp_array_begin(IN(0x80), 0, 1, &n, &inner) && n == 0);
}

/* Every truncation of a valid item is truncated at its own length: the reader never reads past it
 * (the sanitizers and valgrind watch each of these runs). */
static void every_truncation(void) {
    static const uint8_t item[] = {0xa3, 0x01, 0x83, 0x63, 0xe2, 0x82, 0xac, 0xfa, 0x47, 0xc3, 0x50,
                                   0x00, 0x3b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02,
                                   0xa1, 0x00, 0x42, 0x01, 0x02, 0x19, 0x01, 0x00, 0xfb, 0x3f, 0xb9,
                                   0x99, 0x99, 0x99, 0x99, 0x99, 0x9a};
    size_t n;
    unsigned bad = 0;
    for (n = 0; n < sizeof item; n++) {
        /* A heap copy of exactly n bytes, so that AddressSanitizer sees where the input ends. */
        uint8_t *copy = malloc(n ? n : 1);
        iotp_bytes b;
        if (copy == NULL) {
            bad++;
            continue;
        }
        memcpy(copy, item, n);
        iotp_reader_init(&R, copy, n);
        bad += !(!iotp_skip(&R, IOTP_MAX_DEPTH, &b) && R.err.cls == IOTP_ERR_TRUNCATED &&
                 R.err.offset == n);
        free(copy);
    }
    CHECK(bad == 0);
    iotp_reader_init(&R, item, sizeof item);
    CHECK(iotp_skip(&R, IOTP_MAX_DEPTH, &(iotp_bytes){NULL, 0}) && iotp_finish(&R));
}

/* The table-driven codec on a hand-made table (generated ones are tested with the generated code):
 * a missing field is reported in source order where that differs from key order, and a message
 * that does not keep its unknown fields still checks them but writes the known fields only. */
typedef struct two {
    uint16_t a;
    uint16_t b;
} two;
static const iotp_field two_fields[2] = {
    {NULL, offsetof(two, a), 0, 1, IOTP_FK_U16, IOTP_FF_REQUIRED IOTP_ENTRY_NAME("Two.a")},
    {NULL, offsetof(two, b), 0, 2, IOTP_FK_U16, IOTP_FF_REQUIRED IOTP_ENTRY_NAME("Two.b")},
};
static const uint32_t two_keys[2] = {1, 2};
static const uint8_t b_declared_first[2] = {1, 0};
static const iotp_record two_record = {two_fields, two_keys, b_declared_first, sizeof(two),
                                       IOTP_NO_UNKNOWN, 2, 2, false};

static void tables(void) {
    static const uint8_t empty[] = {0xa0};
    /* {1: 5, 2: 6, 3: "x"}, and the same with 3: 0x18 0x00 (not canonical) */
    static const uint8_t with_unknown[] = {0xa3, 0x01, 0x05, 0x02, 0x06, 0x03, 0x61, 'x'};
    static const uint8_t bad_unknown[] = {0xa3, 0x01, 0x05, 0x02, 0x06, 0x03, 0x18, 0x00};
    static const uint8_t known[] = {0xa2, 0x01, 0x05, 0x02, 0x06};
    two v;
    iotp_reader r;
    iotp_writer w;
    uint8_t out[16];
    iotp_reader_init(&r, empty, sizeof empty);
    CHECK(!iotp_record_decode(&r, IOTP_MAX_DEPTH, &two_record, &v) &&
          r.err.cls == IOTP_ERR_MISSING_FIELD && r.err.offset == 0 &&
          strcmp(r.err.field, "Two.b") == 0);
    iotp_reader_init(&r, with_unknown, sizeof with_unknown);
    CHECK(iotp_record_decode(&r, IOTP_MAX_DEPTH, &two_record, &v) && v.a == 5 && v.b == 6 &&
          r.pos == sizeof with_unknown);
    iotp_writer_init(&w, out, sizeof out);
    CHECK(iotp_record_encode(&w, &two_record, &v) && w.pos == sizeof known &&
          memcmp(out, known, sizeof known) == 0);
    iotp_reader_init(&r, bad_unknown, sizeof bad_unknown);
    CHECK(!iotp_record_decode(&r, IOTP_MAX_DEPTH, &two_record, &v) &&
          r.err.cls == IOTP_ERR_NON_CANONICAL_INTEGER && r.err.offset == 6);
}

int main(void) {
    initial_bytes_follow_the_spec_table();
    heads();
    integers();
    bools_and_null();
    floats();
    every_half_round_trips();
    strings();
    containers_and_keys();
    skipping();
    messages_and_unions();
    writing();
    writer_depth();
    unknown_fields();
    every_truncation();
    tables();
    return checks_done();
}
