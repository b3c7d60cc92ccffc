/*
 * iotp2p.c: the strict canonical CBOR reader and writer of iotp2p's C codecs (see iotp2p.h).
 *
 * It mirrors codec/src/runtime/{reader,writer,float}.rs check for check, so that both report the same
 * class at the same offset for every input; codec-c/tests/differential.rs holds them to it.
 */
#include "iotp2p.h"

/* ---------------------------------------------------------------------------------------------- */
/* Floats, on their bit patterns only: no floating-point arithmetic, so nothing pulls in soft-float   */
/* double routines on a core with a single-precision FPU (or none).                                  */

#define F64_SIGN 0x8000000000000000u
#define F64_EXP 0x7ff0000000000000u
#define F64_MANT 0x000fffffffffffffu
#define F64_NAN 0x7ff8000000000000u /* Rust's f64::NAN, what a canonical NaN reads as */
#define F32_NAN 0x7fc00000u         /* Rust's f32::NAN */

typedef union {
    double d;
    uint64_t u;
} f64_bits;

typedef union {
    float f;
    uint32_t u;
} f32_bits;

static uint64_t bits_of_f64(double v) {
    f64_bits b;
    b.d = v;
    return b.u;
}

static double f64_of_bits(uint64_t u) {
    f64_bits b;
    b.u = u;
    return b.d;
}

static bool f64_is_nan(uint64_t bits) {
    return (bits & F64_EXP) == F64_EXP && (bits & F64_MANT) != 0;
}

/* Position of the highest set bit of a non-zero value below 2^24. */
static unsigned top_bit(uint32_t v) {
    unsigned p = 0;
    while (v >> 1) {
        v >>= 1;
        p++;
    }
    return p;
}

/* The binary64 bits of a narrower float's value: `mant_bits` fraction bits, exponent bias `bias`,
 * exponent all ones at `exp_max`. Exact for every finite value and infinity; NaN becomes F64_NAN. */
static uint64_t widen(uint64_t sign, uint32_t exp, uint32_t mant, unsigned mant_bits, uint32_t bias,
                      uint32_t exp_max) {
    if (exp == exp_max) {
        return mant != 0 ? F64_NAN : sign | F64_EXP;
    }
    if (exp == 0) {
        if (mant == 0) {
            return sign;
        }
        /* Subnormal: mant x 2^(1 - bias - mant_bits); normalise on its highest bit p. */
        unsigned p = top_bit(mant);
        uint64_t e = (uint64_t)(1023u + 1u + p) - bias - mant_bits;
        return sign | (e << 52) | (((uint64_t)mant << (52u - p)) & F64_MANT);
    }
    return sign | ((uint64_t)(exp + 1023u - bias) << 52) | ((uint64_t)mant << (52u - mant_bits));
}

static uint64_t f16_to_f64_bits(uint16_t h) {
    return widen((uint64_t)(h & 0x8000u) << 48, (h >> 10) & 0x1fu, h & 0x3ffu, 10u, 15u, 0x1fu);
}

static uint64_t f32_to_f64_bits(uint32_t s) {
    return widen((uint64_t)(s & 0x80000000u) << 32, (s >> 23) & 0xffu, s & 0x7fffffu, 23u, 127u,
                 0xffu);
}

/* Whether a finite, non-zero float is exactly a float of a narrower format. `mag` is its bit pattern
 * without the sign, in a format of `src_mant` fraction bits and exponent bias `src_bias`; the narrower
 * format's normal exponents run from `emin` to `emax`, with `mant_bits` fraction bits. Stores the
 * narrower float's bits without the sign. The narrower subnormals (exponents emin - mant_bits to
 * emin - 1) count as exact (IOTP-WIRE-15); the wider format's own subnormals are never exact. */
static bool narrow_exact(uint64_t mag, unsigned src_mant, int src_bias, int emin, int emax,
                         unsigned mant_bits, uint32_t *out) {
    int e = (int)(mag >> src_mant) - src_bias;
    uint64_t mant = mag & ((UINT64_C(1) << src_mant) - 1u);
    if (e >= emin && e <= emax) {
        unsigned drop = src_mant - mant_bits;
        if ((mant & ((UINT64_C(1) << drop) - 1u)) != 0) {
            return false;
        }
        *out = ((uint32_t)(e - emin + 1) << mant_bits) | (uint32_t)(mant >> drop);
        return true;
    }
    if (e >= emin - (int)mant_bits && e < emin) {
        /* A whole multiple of the smallest subnormal, 2^(emin - mant_bits). */
        uint64_t significand = (UINT64_C(1) << src_mant) | mant;
        unsigned shift = (unsigned)((int)src_mant + emin - (int)mant_bits - e);
        if ((significand & ((UINT64_C(1) << shift) - 1u)) != 0) {
            return false;
        }
        *out = (uint32_t)(significand >> shift);
        return true;
    }
    return false;
}

/* Whether the low `n` bits (0 to 63) of the 64-bit value hi:lo are all zero, in 32-bit operations
 * (a Cortex-M4 has no 64-bit shifts). */
static bool low_bits_zero(uint32_t hi, uint32_t lo, unsigned n) {
    if (n < 32u) {
        return (lo & ((UINT32_C(1) << n) - 1u)) == 0;
    }
    return lo == 0 && (hi & ((UINT32_C(1) << (n - 32u)) - 1u)) == 0;
}

/* The reader's checks of floats (IOTP-WIRE-17). Same verdicts as narrow_exact, on 32-bit words. */

/* Whether single-precision bits are the shortest form of their value: not a half exactly. */
static bool single_canonical(uint32_t bits) {
    uint32_t mag = bits & 0x7fffffffu;
    int e = (int)(mag >> 23) - 127;
    if (mag == 0 || (mag >> 23) == 0xffu) {
        return false; /* zero, infinity, NaN: all halves */
    }
    if (e > 15 || e < -24) {
        return true;
    }
    /* A half keeps 10 of the 23 fraction bits when normal (e >= -14), and is a multiple of 2^-24
     * when subnormal: the low 13, or -1 - e, bits of the significand must be zero. */
    return !low_bits_zero(0, (mag & 0x7fffffu) | 0x800000u, e >= -14 ? 13u : (unsigned)(-1 - e));
}

/* Whether double-precision bits are the shortest form of their value: not a single exactly. */
static bool double_canonical(uint64_t bits) {
    uint32_t hi = (uint32_t)(bits >> 32) & 0x7fffffffu;
    uint32_t lo = (uint32_t)bits;
    int e = (int)(hi >> 20) - 1023;
    if ((hi == 0 && lo == 0) || (hi >> 20) == 0x7ffu) {
        return false; /* zero, infinity, NaN: all halves */
    }
    if (e > 127 || e < -149) {
        return true;
    }
    /* A single keeps 23 of the 52 fraction bits when normal (e >= -126), and is a multiple of
     * 2^-149 when subnormal: the low 29, or -97 - e, bits of the significand must be zero. */
    return !low_bits_zero((hi & 0xfffffu) | 0x100000u, lo, e >= -126 ? 29u : (unsigned)(-97 - e));
}

/* The binary16 bits of a binary64 value exactly representable in half precision (every NaN as 7e00),
 * as float.rs's f64_to_f16_exact. */
static bool f64_to_f16_exact(uint64_t bits, uint16_t *out) {
    uint16_t sign = (uint16_t)((bits >> 48) & 0x8000u);
    uint32_t h;
    if (f64_is_nan(bits)) {
        *out = 0x7e00u;
        return true;
    }
    if ((bits & ~F64_SIGN) == F64_EXP) {
        *out = (uint16_t)(sign | 0x7c00u);
        return true;
    }
    if ((bits & ~F64_SIGN) == 0) {
        *out = sign;
        return true;
    }
    if (!narrow_exact(bits & ~F64_SIGN, 52u, 1023, -14, 15, 10u, &h)) {
        return false;
    }
    *out = (uint16_t)(sign | h);
    return true;
}

/* The binary32 bits of a non-NaN binary64 value exactly representable in single precision. */
static bool f64_to_f32_exact(uint64_t bits, uint32_t *out) {
    uint32_t sign = (uint32_t)(bits >> 32) & 0x80000000u;
    uint32_t s;
    if ((bits & ~F64_SIGN) == F64_EXP) {
        *out = sign | 0x7f800000u;
        return true;
    }
    if ((bits & ~F64_SIGN) == 0) {
        *out = sign;
        return true;
    }
    if (!narrow_exact(bits & ~F64_SIGN, 52u, 1023, -126, 127, 23u, &s)) {
        return false;
    }
    *out = sign | s;
    return true;
}

/* Bytes of the shortest exact encoding of a binary64 value, head included (float.rs's shortest_len). */
static size_t shortest_len(uint64_t bits) {
    uint16_t h;
    uint32_t s;
    if (f64_to_f16_exact(bits, &h)) {
        return 3;
    }
    return f64_to_f32_exact(bits, &s) ? 5 : 9;
}

/* ---------------------------------------------------------------------------------------------- */
/* Reader                                                                                          */

void iotp_reader_init(iotp_reader *r, const uint8_t *data, size_t len) {
    r->data = data;
    r->len = data != NULL ? len : 0;
    r->pos = 0;
    r->err.cls = IOTP_ERR_NONE;
    r->err.offset = 0;
    r->err.field = NULL;
}

bool iotp_fail(iotp_reader *r, iotp_error_class cls, size_t offset) {
    if (r->err.cls == IOTP_ERR_NONE) {
        r->err.cls = cls;
        r->err.offset = offset;
    }
    return false;
}

/* Records the reader's error where it cannot have one yet: every caller below has just read
 * successfully (a read starts by checking iotp_ok), so iotp_fail's test of a first error is not
 * repeated at each of them. */
static bool fail(iotp_reader *r, iotp_error_class cls, size_t offset) {
    r->err.cls = cls;
    r->err.offset = offset;
    return false;
}

void iotp_in_field(iotp_reader *r, const char *field) {
    if (r->err.cls != IOTP_ERR_NONE && r->err.field == NULL) {
        r->err.field = field;
    }
}

const char *iotp_error_class_name(iotp_error_class cls) {
    static const char *const names[] = {
        "truncated",     "trailing-bytes", "invalid-head",   "indefinite-length",
        "non-canonical-integer", "non-canonical-float", "forbidden-item", "invalid-utf8",
        "wrong-type",    "unsorted-keys",  "duplicate-key",  "invalid-union",
        "bound-exceeded", "out-of-range",  "depth-exceeded", "missing-field",
        "default-value-present",
    };
    if ((unsigned)cls < sizeof names / sizeof names[0]) {
        return names[cls];
    }
    return "none";
}

bool iotp_finish(iotp_reader *r) {
    if (!iotp_ok(r)) {
        return false;
    }
    if (r->pos < r->len) {
        return fail(r, IOTP_ERR_TRAILING_BYTES, r->pos);
    }
    return true;
}

/* truncated is reported at the length of the input (spec §4.17). */
static bool truncated(iotp_reader *r) { return fail(r, IOTP_ERR_TRUNCATED, r->len); }

/* Takes `n` bytes of content; truncated when the input holds fewer. */
static bool take(iotp_reader *r, uint64_t n, const uint8_t **out) {
    if (n > (uint64_t)(r->len - r->pos)) {
        return truncated(r);
    }
    *out = r->data + r->pos;
    r->pos += (size_t)n;
    return true;
}

static uint64_t big_endian(const uint8_t *p, unsigned n) {
    uint64_t v = 0;
    unsigned i;
    for (i = 0; i < n; i++) {
        v = (v << 8) | p[i];
    }
    return v;
}

/* The class of an initial byte the profile does not admit (spec §4.3), or IOTP_ERR_NONE. */
static iotp_error_class initial_byte_class(uint8_t b) {
    unsigned major = b >> 5u, info = b & 0x1fu;
    /* Additional information 28-30 is reserved; 31 is an indefinite length (or ff, its break) for
     * strings, arrays and maps, and no head at all for integers and tags. */
    if (info >= 28) {
        return info == 31 && major >= 2 && major != 6 ? IOTP_ERR_INDEFINITE_LENGTH
                                                      : IOTP_ERR_INVALID_HEAD;
    }
    /* Tags, and simple values other than false, true, null and the floats (f4-f6, f9-fb). */
    if (major == 6 || (major == 7 && ((UINT32_C(0x0e700000) >> info) & 1u) == 0)) {
        return IOTP_ERR_FORBIDDEN_ITEM;
    }
    return IOTP_ERR_NONE;
}

bool iotp_read_head(iotp_reader *r, iotp_head *h) {
    /* Smallest argument that needs 1, 2, 4 or 8 following bytes (additional information 24-27). */
    static const uint64_t shortest_min[4] = {24u, 0x100u, 0x10000u, UINT64_C(0x100000000)};
    size_t at = r->pos;
    /* Set before every use; initialised for gcc, which cannot see it through `take` in -fPIC
     * builds (-Wmaybe-uninitialized), as for the other out-parameters below. */
    const uint8_t *p = NULL;
    uint8_t b;
    unsigned info, n;
    bool canonical;
    iotp_error_class cls;
    if (!iotp_ok(r)) {
        return false;
    }
    if (at >= r->len) {
        return truncated(r);
    }
    b = r->data[at];
    cls = initial_byte_class(b);
    if (cls != IOTP_ERR_NONE) {
        return fail(r, cls, at);
    }
    r->pos = at + 1;
    info = b & 0x1fu;
    h->width = 0;
    h->kind = (b >> 5) == 7 ? IOTP_KIND_FLOAT : (iotp_kind)(b >> 5);
    if (b >= 0xf4 && b <= 0xf6) {
        h->kind = b == 0xf6 ? IOTP_KIND_NULL : IOTP_KIND_BOOL;
        h->arg = b == 0xf5;
        return true;
    }
    if (info < 24) {
        h->arg = info;
        return true;
    }
    /* 1, 2, 4 or 8 following bytes (additional information 24 to 27): an integer's argument, or a
     * half, single or double (f9, fa, fb), read by the same code. */
    n = 1u << (info - 24);
    if (!take(r, n, &p)) {
        return false;
    }
    h->arg = big_endian(p, n);
    if (h->kind != IOTP_KIND_FLOAT) {
        return h->arg >= shortest_min[info - 24] || fail(r, IOTP_ERR_NON_CANONICAL_INTEGER, at);
    }
    h->width = (uint8_t)(n + 1);
    if (n == 2) {
        /* Every half is its own shortest form; of the NaNs only 7e00 is canonical. */
        canonical = (h->arg & 0x7c00u) != 0x7c00u || (h->arg & 0x3ffu) == 0 || h->arg == 0x7e00u;
    } else {
        /* A single or double is canonical unless the next narrower format holds it exactly (half
         * precision for a single, single for a double: it holds every half too). Infinities, zeros
         * and NaNs all have half-precision forms, so none is canonical here. */
        canonical = n == 4 ? single_canonical((uint32_t)h->arg) : double_canonical(h->arg);
    }
    return canonical || fail(r, IOTP_ERR_NON_CANONICAL_FLOAT, at);
}

bool iotp_read_uint(iotp_reader *r, uint64_t min, uint64_t max, uint64_t *out) {
    size_t at = r->pos;
    iotp_head h;
    if (!iotp_read_head(r, &h)) {
        return false;
    }
    if (h.kind == IOTP_KIND_UINT && h.arg >= min && h.arg <= max) {
        *out = h.arg;
        return true;
    }
    if (h.kind == IOTP_KIND_UINT || h.kind == IOTP_KIND_NINT) {
        return fail(r, IOTP_ERR_OUT_OF_RANGE, at);
    }
    return fail(r, IOTP_ERR_WRONG_TYPE, at);
}

bool iotp_read_int(iotp_reader *r, int64_t min, int64_t max, int64_t *out) {
    size_t at = r->pos;
    iotp_head h;
    int64_t v;
    if (!iotp_read_head(r, &h)) {
        return false;
    }
    if (h.kind != IOTP_KIND_UINT && h.kind != IOTP_KIND_NINT) {
        return fail(r, IOTP_ERR_WRONG_TYPE, at);
    }
    if (h.arg > (uint64_t)INT64_MAX) {
        return fail(r, IOTP_ERR_OUT_OF_RANGE, at);
    }
    /* -1 - arg cannot overflow: arg is at most INT64_MAX. */
    v = h.kind == IOTP_KIND_UINT ? (int64_t)h.arg : -1 - (int64_t)h.arg;
    if (v < min || v > max) {
        return fail(r, IOTP_ERR_OUT_OF_RANGE, at);
    }
    *out = v;
    return true;
}

bool iotp_read_u8(iotp_reader *r, uint8_t min, uint8_t max, uint8_t *out) {
    uint64_t v;
    if (!iotp_read_uint(r, min, max, &v)) {
        return false;
    }
    *out = (uint8_t)v;
    return true;
}

bool iotp_read_u16(iotp_reader *r, uint16_t min, uint16_t max, uint16_t *out) {
    uint64_t v;
    if (!iotp_read_uint(r, min, max, &v)) {
        return false;
    }
    *out = (uint16_t)v;
    return true;
}

bool iotp_read_u32(iotp_reader *r, uint32_t min, uint32_t max, uint32_t *out) {
    uint64_t v;
    if (!iotp_read_uint(r, min, max, &v)) {
        return false;
    }
    *out = (uint32_t)v;
    return true;
}

bool iotp_read_i8(iotp_reader *r, int8_t min, int8_t max, int8_t *out) {
    int64_t v;
    if (!iotp_read_int(r, min, max, &v)) {
        return false;
    }
    *out = (int8_t)v;
    return true;
}

bool iotp_read_i16(iotp_reader *r, int16_t min, int16_t max, int16_t *out) {
    int64_t v;
    if (!iotp_read_int(r, min, max, &v)) {
        return false;
    }
    *out = (int16_t)v;
    return true;
}

bool iotp_read_i32(iotp_reader *r, int32_t min, int32_t max, int32_t *out) {
    int64_t v;
    if (!iotp_read_int(r, min, max, &v)) {
        return false;
    }
    *out = (int32_t)v;
    return true;
}

/* As iotp_read_u32(r, 0, UINT32_MAX, out), on the head directly: a firmware whose schema reads
 * enums and no other integer then links no 64-bit range check. */
bool iotp_read_enum(iotp_reader *r, uint32_t *out) {
    size_t at = r->pos;
    iotp_head h;
    if (!iotp_read_head(r, &h)) {
        return false;
    }
    if (h.kind == IOTP_KIND_UINT && h.arg <= UINT32_MAX) {
        *out = (uint32_t)h.arg;
        return true;
    }
    return fail(r, h.kind == IOTP_KIND_NINT || h.kind == IOTP_KIND_UINT ? IOTP_ERR_OUT_OF_RANGE
                                                                            : IOTP_ERR_WRONG_TYPE,
                     at);
}

/* The next item's head, which must be of `kind` (else wrong-type at the item). */
static bool expect(iotp_reader *r, iotp_kind kind, iotp_head *h) {
    size_t at = r->pos;
    if (!iotp_read_head(r, h)) {
        return false;
    }
    if (h->kind != kind) {
        return fail(r, IOTP_ERR_WRONG_TYPE, at);
    }
    return true;
}

bool iotp_read_bool(iotp_reader *r, bool *out) {
    iotp_head h;
    if (!expect(r, IOTP_KIND_BOOL, &h)) {
        return false;
    }
    *out = h.arg != 0;
    return true;
}

bool iotp_read_null(iotp_reader *r) {
    iotp_head h;
    return expect(r, IOTP_KIND_NULL, &h);
}

bool iotp_read_f64(iotp_reader *r, double *out) {
    iotp_head h;
    uint64_t bits;
    if (!expect(r, IOTP_KIND_FLOAT, &h)) {
        return false;
    }
    bits = h.width == 3   ? f16_to_f64_bits((uint16_t)h.arg)
           : h.width == 5 ? f32_to_f64_bits((uint32_t)h.arg)
                          : h.arg;
    *out = f64_of_bits(bits);
    return true;
}

bool iotp_read_f32(iotp_reader *r, float *out) {
    size_t at = r->pos;
    iotp_head h;
    f32_bits b;
    if (!expect(r, IOTP_KIND_FLOAT, &h)) {
        return false;
    }
    if (h.width == 9) {
        return fail(r, IOTP_ERR_OUT_OF_RANGE, at);
    }
    b.u = (uint32_t)h.arg;
    if (h.width == 3) {
        /* A half is exactly a single; the canonical NaN reads as Rust's f32::NAN. */
        uint64_t wide = f16_to_f64_bits((uint16_t)h.arg);
        if (f64_is_nan(wide) || !f64_to_f32_exact(wide, &b.u)) {
            b.u = F32_NAN;
        }
    }
    *out = b.f;
    return true;
}

/* Well-formed UTF-8 (RFC 3629; Unicode table 3-7), the rule of Rust's core::str::from_utf8: each
 * sequence decoded, then refused if a shorter one would do, if it is a surrogate or beyond U+10FFFF. */
static bool utf8_valid(const uint8_t *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        uint32_t c = s[i++];
        uint32_t min;
        unsigned more;
        if (c < 0x80) {
            continue;
        }
        if (c < 0xc0 || c >= 0xf8) {
            return false; /* a continuation byte, or no lead byte at all */
        }
        more = c >= 0xf0 ? 3u : c >= 0xe0 ? 2u : 1u;
        min = more == 3 ? 0x10000u : more == 2 ? 0x800u : 0x80u;
        c &= 0x3fu >> more;
        if (more > n - i) {
            return false;
        }
        while (more-- > 0) {
            uint8_t t = s[i++];
            if ((t & 0xc0u) != 0x80u) {
                return false;
            }
            c = (c << 6) | (t & 0x3fu);
        }
        if (c < min || c > 0x10ffffu || (c >> 11) == 0x1bu) {
            return false;
        }
    }
    return true;
}

/* A string or byte string's head of `kind`: wrong-type, then its bound (exact or maximum), then its
 * content's completeness; stores the content. */
static bool read_string(iotp_reader *r, iotp_kind kind, size_t bound, bool exact, const uint8_t **out,
                   size_t *len) {
    size_t at = r->pos;
    iotp_head h;
    if (!expect(r, kind, &h)) {
        return false;
    }
    if (exact ? h.arg != (uint64_t)bound : h.arg > (uint64_t)bound) {
        return fail(r, IOTP_ERR_BOUND_EXCEEDED, at);
    }
    if (!take(r, h.arg, out)) {
        return false;
    }
    *len = (size_t)h.arg;
    return true;
}

bool iotp_read_text(iotp_reader *r, size_t max, iotp_text *out) {
    size_t at = r->pos;
    const uint8_t *p = NULL;
    size_t len = 0;
    if (!read_string(r, IOTP_KIND_TEXT, max, false, &p, &len)) {
        return false;
    }
    if (!utf8_valid(p, len)) {
        return fail(r, IOTP_ERR_INVALID_UTF8, at);
    }
    out->ptr = (const char *)p;
    out->len = len;
    return true;
}

bool iotp_read_bytes(iotp_reader *r, size_t max, iotp_bytes *out) {
    return read_string(r, IOTP_KIND_BYTES, max, false, &out->ptr, &out->len);
}

bool iotp_read_fixed(iotp_reader *r, size_t len, iotp_bytes *out) {
    return read_string(r, IOTP_KIND_BYTES, len, true, &out->ptr, &out->len);
}

/* A count that the remaining input cannot hold (each item takes at least one byte, each map entry
 * two: 1 << shift) is truncated, found before any loop runs on a claimed count of billions. */
static bool check_count(iotp_reader *r, uint64_t n, unsigned shift, size_t *count) {
    if (n > (uint64_t)((r->len - r->pos) >> shift)) {
        return truncated(r);
    }
    *count = (size_t)n;
    return true;
}

bool iotp_read_array(iotp_reader *r, size_t max, size_t *count) {
    size_t at = r->pos;
    iotp_head h;
    if (!expect(r, IOTP_KIND_ARRAY, &h)) {
        return false;
    }
    if (h.arg > (uint64_t)max) {
        return fail(r, IOTP_ERR_BOUND_EXCEEDED, at);
    }
    return check_count(r, h.arg, 0, count);
}

bool iotp_read_map(iotp_reader *r, size_t *count) {
    iotp_head h;
    if (!expect(r, IOTP_KIND_MAP, &h)) {
        return false;
    }
    return check_count(r, h.arg, 1, count);
}

bool iotp_read_key(iotp_reader *r, uint32_t min, uint32_t *key) {
    size_t at = r->pos;
    iotp_head h;
    if (!iotp_read_head(r, &h)) {
        return false;
    }
    if (h.kind != IOTP_KIND_UINT) {
        return fail(r, IOTP_ERR_WRONG_TYPE, at);
    }
    if (h.arg > IOTP_MAX_KEY) {
        return fail(r, IOTP_ERR_OUT_OF_RANGE, at);
    }
    if (h.arg < min) {
        return fail(r, h.arg + 1 == min ? IOTP_ERR_DUPLICATE_KEY : IOTP_ERR_UNSORTED_KEYS, at);
    }
    *key = (uint32_t)h.arg;
    return true;
}

bool iotp_depth_exceeded(iotp_reader *r) {
    size_t at = r->pos;
    iotp_head h;
    if (iotp_read_head(r, &h)) {
        fail(r, IOTP_ERR_DEPTH_EXCEEDED, at);
    }
    r->pos = at;
    return false;
}

bool iotp_enter(iotp_reader *r, size_t depth, size_t count, size_t *inner) {
    if (!iotp_ok(r)) {
        return false;
    }
    if (count > 0 && depth <= 1) {
        return iotp_depth_exceeded(r);
    }
    /* An empty container has no contents: depth 0 then leaves 0 (Rust's enter would underflow, but no
     * caller passes 0). */
    *inner = depth > 0 ? depth - 1 : 0;
    return true;
}

/* Marks an array's frame in iotp_skip: above every map's next key (at most IOTP_MAX_KEY + 1). */
#define ARRAY_FRAME UINT32_MAX

bool iotp_skip(iotp_reader *r, size_t depth, iotp_bytes *out) {
    /* One frame for each open map or array: what is left of it, and for a map the smallest key
     * allowed next (ARRAY_FRAME marks an array). A container is opened only when its contents may use
     * a level (depth - top > 1), so at most IOTP_MAX_DEPTH - 1 frames are used: 8 bytes each on a
     * 32-bit core. */
    struct frame {
        size_t left;
        uint32_t next_key;
    } stack[IOTP_MAX_DEPTH - 1];
    size_t top = 0;
    size_t start = r->pos;
    if (depth > IOTP_MAX_DEPTH) {
        depth = IOTP_MAX_DEPTH;
    }
    for (;;) {
        size_t at = r->pos;
        iotp_head h;
        const uint8_t *content;
        size_t n = 0;
        if (!iotp_read_head(r, &h)) {
            return false;
        }
        switch (h.kind) {
        case IOTP_KIND_BYTES:
        case IOTP_KIND_TEXT:
            /* A text's bytes are the ones `take` passes over (read back from the reader rather than
             * through `content`, which gcc cannot see set in -fPIC builds). */
            if (!take(r, h.arg, &content)) {
                return false;
            }
            if (h.kind == IOTP_KIND_TEXT &&
                !utf8_valid(r->data + (r->pos - (size_t)h.arg), (size_t)h.arg)) {
                return fail(r, IOTP_ERR_INVALID_UTF8, at);
            }
            break;
        case IOTP_KIND_ARRAY:
        case IOTP_KIND_MAP:
            if (!check_count(r, h.arg, h.kind == IOTP_KIND_MAP ? 1u : 0u, &n)) {
                return false;
            }
            if (n > 0) {
                if (depth - top <= 1) {
                    return iotp_depth_exceeded(r);
                }
                stack[top].left = n;
                stack[top].next_key = h.kind == IOTP_KIND_MAP ? 0 : ARRAY_FRAME;
                top++;
            }
            break;
        default:
            break;
        }
        /* Close the containers that are complete, then read the next entry's key, if any. */
        while (top > 0 && stack[top - 1].left == 0) {
            top--;
        }
        if (top == 0) {
            break;
        }
        stack[top - 1].left--;
        if (stack[top - 1].next_key != ARRAY_FRAME) {
            uint32_t key;
            if (!iotp_read_key(r, stack[top - 1].next_key, &key)) {
                return false;
            }
            stack[top - 1].next_key = key + 1;
        }
    }
    out->ptr = r->data + start;
    out->len = r->pos - start;
    return true;
}

bool iotp_map_begin(iotp_reader *r, size_t depth, iotp_map *m) {
    m->start = r->pos;
    m->entries = r->pos;
    m->left = 0;
    m->depth = 0;
    m->key_at = r->pos;
    m->unknown = 0;
    m->next_key = 0;
    if (!iotp_read_map(r, &m->left)) {
        return false;
    }
    m->entries = r->pos;
    m->key_at = r->pos;
    return iotp_enter(r, depth, m->left, &m->depth);
}

bool iotp_map_next(iotp_reader *r, iotp_map *m, uint32_t *key) {
    if (m->left == 0 || !iotp_ok(r)) {
        return false;
    }
    m->left--;
    m->key_at = r->pos;
    if (!iotp_read_key(r, m->next_key, key)) {
        return false;
    }
    m->next_key = *key + 1;
    return true;
}

bool iotp_map_skip_value(iotp_reader *r, iotp_map *m) {
    iotp_bytes ignored;
    if (!iotp_skip(r, m->depth, &ignored)) {
        return false;
    }
    m->unknown++;
    return true;
}

bool iotp_union_begin(iotp_reader *r, size_t depth, uint32_t *key, size_t *inner) {
    size_t start = r->pos;
    size_t count;
    if (!iotp_read_map(r, &count)) {
        return false;
    }
    if (count != 1) {
        return fail(r, IOTP_ERR_INVALID_UNION, start);
    }
    return iotp_enter(r, depth, 1, inner) && iotp_read_key(r, 0, key);
}

bool iotp_array_begin(iotp_reader *r, size_t max, size_t depth, size_t *count, size_t *inner) {
    return iotp_read_array(r, max, count) && iotp_enter(r, depth, *count, inner);
}

bool iotp_missing_field(iotp_reader *r, const iotp_map *m, const char *field) {
    iotp_fail(r, IOTP_ERR_MISSING_FIELD, m->start);
    return iotp_field_error(r, field);
}

bool iotp_default_present(iotp_reader *r, const iotp_map *m, const char *field) {
    iotp_fail(r, IOTP_ERR_DEFAULT_VALUE_PRESENT, m->key_at);
    return iotp_field_error(r, field);
}

bool iotp_text_equals(iotp_text t, const char *s, size_t len) {
    return iotp_chars_equal(t.ptr, t.len, s, len);
}

bool iotp_chars_equal(const char *data, size_t n, const char *s, size_t len) {
    size_t i;
    if (n != len) {
        return false;
    }
    for (i = 0; i < len; i++) {
        if (data[i] != s[i]) {
            return false;
        }
    }
    return true;
}

void iotp_chars_copy(char *data, size_t *n, const char *s, size_t len) {
    size_t i;
    for (i = 0; i < len; i++) {
        data[i] = s[i];
    }
    data[len] = '\0';
    *n = len;
}

/* The content of `b` into `data` (no library: the runtime is freestanding). */
static bool copy_bytes(iotp_bytes b, uint8_t *data, size_t *len) {
    size_t i;
    for (i = 0; i < b.len; i++) {
        data[i] = b.ptr[i];
    }
    *len = b.len;
    return true;
}

bool iotp_read_text_copy(iotp_reader *r, size_t max, char *data, size_t *len) {
    iotp_text t = {NULL, 0};
    if (!iotp_read_text(r, max, &t)) {
        return false;
    }
    iotp_chars_copy(data, len, t.ptr, t.len);
    return true;
}

bool iotp_read_bytes_copy(iotp_reader *r, size_t max, uint8_t *data, size_t *len) {
    iotp_bytes b = {NULL, 0};
    return iotp_read_bytes(r, max, &b) && copy_bytes(b, data, len);
}

bool iotp_read_fixed_copy(iotp_reader *r, size_t len, uint8_t *data, size_t *n) {
    iotp_bytes b = {NULL, 0};
    return iotp_read_fixed(r, len, &b) && copy_bytes(b, data, n);
}

uint32_t iotp_f32_bits(float v) {
    f32_bits b;
    b.f = v;
    return b.u;
}

uint64_t iotp_f64_bits(double v) {
    return bits_of_f64(v);
}

void iotp_map_unknown(const iotp_reader *r, const iotp_map *m, iotp_unknown *out) {
    out->entries = r->data + m->entries;
    out->len = r->pos - m->entries;
    out->count = m->unknown;
}

/* ---------------------------------------------------------------------------------------------- */
/* Writer                                                                                          */

void iotp_writer_init(iotp_writer *w, uint8_t *buf, size_t cap) {
    w->buf = buf;
    w->cap = buf != NULL ? cap : 0;
    w->pos = 0;
    w->depth = 1;
    w->err.kind = IOTP_ENC_NONE;
    w->err.needed = 0;
    w->err.field = NULL;
}

bool iotp_writer_fail(iotp_writer *w, iotp_encode_error_kind kind, const char *field) {
    if (w->err.kind == IOTP_ENC_NONE) {
        w->err.kind = kind;
        w->err.field = field;
    }
    return false;
}

size_t iotp_writer_levels(const iotp_writer *w) { return IOTP_MAX_DEPTH + 1u - w->depth; }

size_t iotp_head_len(uint64_t arg) {
    if (arg < 24u) {
        return 1;
    }
    if (arg <= 0xffu) {
        return 2;
    }
    if (arg <= 0xffffu) {
        return 3;
    }
    return arg <= 0xffffffffu ? 5 : 9;
}

size_t iotp_int_len(int64_t v) {
    /* A negative v is written with argument -1 - v, which is ~v in two's complement. */
    return iotp_head_len(v >= 0 ? (uint64_t)v : ~(uint64_t)v);
}

size_t iotp_float_len(double v) { return shortest_len(bits_of_f64(v)); }

static bool put(iotp_writer *w, const uint8_t *bytes, size_t n) {
    uint8_t *dst;
    size_t i;
    if (!iotp_writer_ok(w)) {
        return false;
    }
    if (n > w->cap - w->pos) {
        iotp_writer_fail(w, IOTP_ENC_BUFFER_TOO_SMALL, NULL);
        /* Saturates where pos + n would not fit a size_t (it cannot fit any buffer then either). */
        w->err.needed = n > SIZE_MAX - w->pos ? SIZE_MAX : w->pos + n;
        return false;
    }
    /* Through a local pointer: a store through w->buf may alias w->pos (uint8_t is a character
     * type), which would reload it at every byte and keep gcc from vectorising the copy. */
    dst = w->buf + w->pos;
    for (i = 0; i < n; i++) {
        dst[i] = bytes[i];
    }
    w->pos += n;
    return true;
}

/* An initial byte followed by the low `n` bytes of `arg`, big-endian. */
static bool put_head(iotp_writer *w, uint8_t initial, uint64_t arg, unsigned n) {
    uint8_t b[9];
    unsigned i;
    b[0] = initial;
    for (i = 0; i < n; i++) {
        b[n - i] = (uint8_t)(arg >> (8u * i));
    }
    return put(w, b, n + 1u);
}

bool iotp_write_head(iotp_writer *w, uint8_t major, uint64_t arg) {
    uint8_t initial = (uint8_t)(major << 5);
    unsigned n = 1;
    if (arg < 24u) {
        return put_head(w, (uint8_t)(initial | arg), 0, 0);
    }
    /* The fewest following bytes, 1, 2, 4 or 8, with additional information 24, 25, 26 or 27. */
    initial = (uint8_t)(initial | 24u);
    while (n < 8u && (arg >> (8u * n)) != 0) {
        n <<= 1;
        initial = (uint8_t)(initial + 1u);
    }
    return put_head(w, initial, arg, n);
}

bool iotp_write_uint(iotp_writer *w, uint64_t v) { return iotp_write_head(w, IOTP_MAJOR_UINT, v); }

bool iotp_write_int(iotp_writer *w, int64_t v) {
    if (v >= 0) {
        return iotp_write_head(w, IOTP_MAJOR_UINT, (uint64_t)v);
    }
    return iotp_write_head(w, IOTP_MAJOR_NINT, ~(uint64_t)v);
}

bool iotp_write_bool(iotp_writer *w, bool v) {
    uint8_t b = v ? 0xf5 : 0xf4;
    return put(w, &b, 1);
}

bool iotp_write_null(iotp_writer *w) {
    static const uint8_t null_byte = 0xf6;
    return put(w, &null_byte, 1);
}

static bool write_float_bits(iotp_writer *w, uint64_t bits) {
    uint16_t half;
    uint32_t single;
    if (f64_to_f16_exact(bits, &half)) {
        return put_head(w, 0xf9, half, 2);
    }
    if (f64_to_f32_exact(bits, &single)) {
        return put_head(w, 0xfa, single, 4);
    }
    return put_head(w, 0xfb, bits, 8);
}

bool iotp_write_f64(iotp_writer *w, double v) { return write_float_bits(w, bits_of_f64(v)); }

bool iotp_write_f32(iotp_writer *w, float v) {
    f32_bits b;
    b.f = v;
    return write_float_bits(w, f32_to_f64_bits(b.u));
}

bool iotp_write_text(iotp_writer *w, const char *s, size_t len) {
    /* The same bytes, seen as uint8_t: a cast between character types changes no qualifier. */
    return iotp_write_head(w, IOTP_MAJOR_TEXT, len) && put(w, (const uint8_t *)s, len);
}

bool iotp_write_bytes(iotp_writer *w, const uint8_t *b, size_t len) {
    return iotp_write_head(w, IOTP_MAJOR_BYTES, len) && put(w, b, len);
}

/* A map or array with contents puts them one level deeper, which must stay within MAX_DEPTH. */
static bool open_container(iotp_writer *w, uint8_t major, size_t n) {
    if (!iotp_writer_ok(w)) {
        return false;
    }
    if (n > 0) {
        if (w->depth >= IOTP_MAX_DEPTH) {
            return iotp_writer_fail(w, IOTP_ENC_DEPTH_EXCEEDED, NULL);
        }
        w->depth++;
    }
    return iotp_write_head(w, major, n);
}

bool iotp_write_array(iotp_writer *w, size_t n) { return open_container(w, IOTP_MAJOR_ARRAY, n); }

bool iotp_write_map(iotp_writer *w, size_t n) { return open_container(w, IOTP_MAJOR_MAP, n); }

void iotp_write_close(iotp_writer *w, size_t n) {
    /* Never below the top level, even for a close without its open after an error. */
    if (n > 0 && w->depth > 1) {
        w->depth--;
    }
}

/* Why already-encoded content cannot be written: too deep, or not canonical content at all. */
static bool refuse(iotp_writer *w, const iotp_reader *r) {
    return iotp_writer_fail(w,
                            r->err.cls == IOTP_ERR_DEPTH_EXCEEDED ? IOTP_ENC_DEPTH_EXCEEDED
                                                                  : IOTP_ENC_INVALID_UNKNOWN,
                            NULL);
}

bool iotp_write_raw_items(iotp_writer *w, const uint8_t *bytes, size_t len, size_t room) {
    if (!iotp_writer_ok(w)) {
        return false;
    }
    if (room > iotp_writer_levels(w)) {
        /* Checked for more levels than are left here: measure them again. */
        iotp_reader r;
        iotp_bytes item;
        iotp_reader_init(&r, bytes, len);
        while (r.pos < r.len) {
            if (!iotp_skip(&r, iotp_writer_levels(w), &item)) {
                return refuse(w, &r);
            }
        }
    }
    return put(w, bytes, len);
}

bool iotp_write_raw_checked(iotp_writer *w, const uint8_t *bytes, size_t len) {
    return put(w, bytes, len);
}

bool iotp_write_raw_item(iotp_writer *w, const uint8_t *bytes, size_t len) {
    iotp_reader r;
    iotp_bytes item;
    if (!iotp_writer_ok(w)) {
        return false;
    }
    iotp_reader_init(&r, bytes, len);
    if (!iotp_skip(&r, iotp_writer_levels(w), &item) || !iotp_finish(&r)) {
        return refuse(w, &r);
    }
    return put(w, bytes, len);
}

/* Whether `key` is among the `n` ascending keys of `known` (binary search). */
static bool is_known(uint32_t key, const uint32_t *known, size_t n) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (known[mid] == key) {
            return true;
        }
        if (known[mid] < key) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return false;
}

#define NO_KEY UINT32_MAX

void iotp_merge_init(iotp_merge *g, const iotp_unknown *u) {
    /* No unknown entries: an empty cursor, so every call is one comparison. */
    iotp_reader_init(&g->r, u->entries, u->count > 0 ? u->len : 0);
}

bool iotp_merge_before(iotp_writer *w, iotp_merge *g, uint32_t key) {
    iotp_reader *r = &g->r;
    while (r->pos < r->len) {
        size_t start = r->pos;
        uint32_t k = 0;
        iotp_bytes value;
        /* The entries were validated when they were decoded; entries that were not (an application's
         * own) fail here or in the skip below, and are refused. */
        (void)iotp_read_key(r, 0, &k);
        if (k > key) {
            r->pos = start;
            break;
        }
        /* An unknown entry must fit the levels left where it is written now; the known field's old
         * value is passed over whatever its depth. */
        if (!iotp_skip(r, k < key ? iotp_writer_levels(w) : IOTP_MAX_DEPTH, &value)) {
            return refuse(w, r);
        }
        if (k < key && !put(w, r->data + start, r->pos - start)) {
            return false;
        }
    }
    return iotp_writer_ok(w);
}

bool iotp_merge_finish(iotp_writer *w, iotp_merge *g) { return iotp_merge_before(w, g, NO_KEY); }

bool iotp_write_key(iotp_writer *w, iotp_merge *g, uint32_t key) {
    return iotp_merge_before(w, g, key) && iotp_write_uint(w, key);
}

bool iotp_check_unknown_variant(iotp_writer *w, uint32_t key, const uint32_t *known,
                                size_t known_count) {
    if (key > IOTP_MAX_KEY || is_known(key, known, known_count)) {
        return iotp_writer_fail(w, IOTP_ENC_INVALID_UNKNOWN, NULL);
    }
    return iotp_writer_ok(w);
}

/* ---------------------------------------------------------------------------------------------- */
/* Table-driven messages and unions                                                                */
/*                                                                                                 */
/* The interpreters recurse once per nested message or union (iotp_record_decode -> decode_value ->  */
/* iotp_record_decode). The stack stays bounded: decoding enters a map or array for every level    */
/* (iotp_enter refuses past `depth`, at most IOTP_MAX_DEPTH), and encoding follows the struct, whose */
/* nesting is the schema's: types on a recursive cycle are never table-driven (the generator keeps  */
/* them as code with their @max_depth budget), so a table never reaches itself again. The deepest    */
/* chain is the schema's deepest nesting of types times one level's frames (benches/c-size).       */

/* Kept out of the recursive functions' frames, which every level of nesting pays again (gcc and
 * clang would inline a static function called once). */
#if defined(__GNUC__)
#define LEAF_FN __attribute__((noinline))
#else
#define LEAF_FN
#endif

/* A member at `p` of type T (the tables hold offsets computed by offsetof, so the member is there and
 * aligned for T). */
#define AT(T, p) ((T *)(void *)(p))
#define CAT(T, p) ((const T *)(const void *)(p))

/* Bytes one value of each kind takes in a struct: an array's stride (a record's is its own size). */
static const uint8_t kind_size[IOTP_FK_UNIT + 1] = {
    sizeof(bool), 1, 2, 4, 8, 1, 2, 4, 8, sizeof(float), sizeof(double),
    sizeof(iotp_text), sizeof(iotp_bytes), sizeof(iotp_bytes), 0, 0,
};

/* Whether the field's text or bytes are copied into the struct (IOTP_FF_COPY). Only a runtime built
 * with IOTP_COPIED_STRINGS reads them: the others leave the code out (about 290 bytes on a
 * Cortex-M4), and code generated with copies refuses to compile without it. */
#ifdef IOTP_COPIED_STRINGS
#define COPIED(f) (((f)->flags & IOTP_FF_COPY) != 0)
#else
#define COPIED(f) false
#endif

/* Where a copied string's bytes lie: after its `size_t` length, the struct's first member. */
#define COPY_DATA(p) ((p) + sizeof(size_t))

/* The alignment of size_t, in C99: where a size_t after a char lies. */
struct size_align {
    char c;
    size_t s;
};

/* Bytes a copied string takes in a struct (`struct { size_t len; char data[N + 1]; }` or
 * `uint8_t data[N]`): its length and buffer, padded to the struct's alignment, size_t's. */
static size_t copy_size(const iotp_field *f) {
    const size_t align = offsetof(struct size_align, s);
    size_t n = sizeof(size_t) + f->len + (f->kind == IOTP_FK_TEXT ? 1u : 0u);
    return (n + align - 1u) / align * align;
}

/* The largest value of each integer kind (the smallest of a signed one is -max - 1). */
static const uint64_t kind_max[IOTP_FK_I64 + 1] = {
    1u, UINT8_MAX, UINT16_MAX, UINT32_MAX, UINT64_MAX, INT8_MAX, INT16_MAX, INT32_MAX, INT64_MAX,
};

/* A number of kind `kind` at `p` as iotp_scalar holds numbers: signed ones as the int64_t's bits,
 * floats as their IEEE bits (so that a default is compared as the Rust codec does: -0.0 is not 0.0). */
static uint64_t load_bits(unsigned kind, const uint8_t *p) {
    switch (kind) {
    case IOTP_FK_BOOL:
        return *CAT(bool, p) ? 1u : 0u;
    case IOTP_FK_U8:
        return *p;
    case IOTP_FK_U16:
        return *CAT(uint16_t, p);
    case IOTP_FK_U32:
        return *CAT(uint32_t, p);
    case IOTP_FK_I8:
        return (uint64_t)(int64_t)*CAT(int8_t, p);
    case IOTP_FK_I16:
        return (uint64_t)(int64_t)*CAT(int16_t, p);
    case IOTP_FK_I32:
        return (uint64_t)(int64_t)*CAT(int32_t, p);
    case IOTP_FK_F32:
        return iotp_f32_bits(*CAT(float, p));
    case IOTP_FK_F64:
        return bits_of_f64(*CAT(double, p));
    default: /* IOTP_FK_U64, IOTP_FK_I64 */
        return *CAT(uint64_t, p);
    }
}

/* Stores `v` (as load_bits gives it) into the number of kind `kind` at `p`. */
static void store_bits(unsigned kind, uint8_t *p, uint64_t v) {
    f32_bits f;
    switch (kind) {
    case IOTP_FK_BOOL:
        *AT(bool, p) = v != 0;
        break;
    case IOTP_FK_U8:
    case IOTP_FK_I8:
        *p = (uint8_t)v;
        break;
    case IOTP_FK_U16:
    case IOTP_FK_I16:
        *AT(uint16_t, p) = (uint16_t)v;
        break;
    case IOTP_FK_U32:
    case IOTP_FK_I32:
        *AT(uint32_t, p) = (uint32_t)v;
        break;
    case IOTP_FK_F32:
        f.u = (uint32_t)v;
        *AT(float, p) = f.f;
        break;
    case IOTP_FK_F64:
        *AT(double, p) = f64_of_bits(v);
        break;
    default:
        *AT(uint64_t, p) = v;
        break;
    }
}

/* The presence flag of an optional field (declared right before its member). */
static bool *has_flag(const iotp_field *f, uint8_t *base) {
    return AT(bool, base + f->offset - (f->flags >> 4));
}

/* Whether the field at `p` holds its default (the iotp_scalar at f->type). */
static bool is_default(const iotp_field *f, const uint8_t *p) {
    const iotp_scalar *s = f->type;
    if (f->kind == IOTP_FK_TEXT && COPIED(f)) {
        return iotp_chars_equal(CAT(char, COPY_DATA(p)), *CAT(size_t, p), s->text, (size_t)s->dflt);
    }
    if (f->kind == IOTP_FK_TEXT) {
        return iotp_text_equals(*CAT(iotp_text, p), s->text, (size_t)s->dflt);
    }
    return load_bits(f->kind, p) == s->dflt;
}

/* Whether an encoder writes the field of the value at `base`. */
static bool is_present(const iotp_field *f, const uint8_t *base) {
    switch (f->flags & IOTP_FF_PRESENCE) {
    case IOTP_FF_OPTIONAL:
        return *CAT(bool, base + f->offset - (f->flags >> 4));
    case IOTP_FF_DEFAULT:
        return !is_default(f, base + f->offset);
    default:
        return true;
    }
}

/* An array's stride (`type`: the items' type, an iotp_record for a record). */
static size_t item_size(const iotp_field *f, const void *type) {
    if (COPIED(f)) {
        return copy_size(f);
    }
    return f->kind == IOTP_FK_RECORD ? ((const iotp_record *)type)->size : kind_size[f->kind];
}

/* The field's name for errors: NULL under IOTP_NO_FIELD_NAMES, where entries have none. */
#ifdef IOTP_NO_FIELD_NAMES
#define FIELD_NAME(f) ((void)(f), (const char *)NULL)
#else
#define FIELD_NAME(f) ((f)->name)
#endif

/* Reads one value of the field (an array's item, not a record) into `p`; `s`: its range, or NULL. */
LEAF_FN static bool decode_leaf(iotp_reader *r, const iotp_field *f, const iotp_scalar *s,
                                uint8_t *p) {
    unsigned kind = f->kind;
    uint64_t v;
    int64_t i;
    if (COPIED(f)) {
        size_t *len = AT(size_t, p);
        return kind == IOTP_FK_TEXT    ? iotp_read_text_copy(r, f->len, AT(char, COPY_DATA(p)), len)
               : kind == IOTP_FK_BYTES ? iotp_read_bytes_copy(r, f->len, COPY_DATA(p), len)
                                       : iotp_read_fixed_copy(r, f->len, COPY_DATA(p), len);
    }
    switch (kind) {
    case IOTP_FK_BOOL:
        return iotp_read_bool(r, AT(bool, p));
    case IOTP_FK_F32:
        return iotp_read_f32(r, AT(float, p));
    case IOTP_FK_F64:
        return iotp_read_f64(r, AT(double, p));
    case IOTP_FK_TEXT:
        return iotp_read_text(r, f->len, AT(iotp_text, p));
    case IOTP_FK_BYTES:
        return iotp_read_bytes(r, f->len, AT(iotp_bytes, p));
    case IOTP_FK_FIXED:
        return iotp_read_fixed(r, f->len, AT(iotp_bytes, p));
    case IOTP_FK_UNIT:
        return iotp_read_null(r);
    default:
        break;
    }
    if (kind <= IOTP_FK_U64) {
        if (!iotp_read_uint(r, s != NULL ? s->min : 0, s != NULL ? s->max : kind_max[kind], &v)) {
            return false;
        }
    } else {
        if (!iotp_read_int(r, s != NULL ? (int64_t)s->min : -(int64_t)kind_max[kind] - 1,
                           s != NULL ? (int64_t)s->max : (int64_t)kind_max[kind], &i)) {
            return false;
        }
        v = (uint64_t)i;
    }
    store_bits(kind, p, v);
    return true;
}

/* Reads the field's value (an array of them, or one) into the struct at `base`. A record is read here
 * rather than in decode_leaf, so that one level of nesting costs this frame and iotp_record_decode's
 * only. */
static bool decode_value(iotp_reader *r, size_t depth, const iotp_field *f, uint8_t *base) {
    const void *type = f->type;
    uint8_t *p = base + f->offset;
    size_t one = 1;
    size_t *count = &one;
    size_t n;
    if ((f->flags & IOTP_FF_ARRAY) != 0) {
        const iotp_items *items = f->type;
        type = items->type;
        count = AT(size_t, base + items->count_at);
        if (!iotp_array_begin(r, items->max_items, depth, count, &depth)) {
            return false;
        }
    }
    for (n = 0; n < *count; n++, p += item_size(f, type)) {
        if (!(f->kind == IOTP_FK_RECORD ? iotp_record_decode(r, depth, type, p)
                                        : decode_leaf(r, f, type, p))) {
            return false;
        }
    }
    return true;
}

static bool decode_message(iotp_reader *r, size_t depth, const iotp_record *t, uint8_t *out) {
    iotp_map m;
    uint32_t key;
    uint32_t seen = 0; /* bit i: the required fields[i] was read (a table has at most 32 fields) */
    const iotp_field *f;
    size_t i, j;
    for (i = 0; i < t->field_count; i++) {
        f = &t->fields[i];
        if ((f->flags & IOTP_FF_PRESENCE) == IOTP_FF_OPTIONAL) {
            *has_flag(f, out) = false;
        } else if ((f->flags & IOTP_FF_PRESENCE) == IOTP_FF_DEFAULT) {
            const iotp_scalar *s = f->type;
            if (f->kind == IOTP_FK_TEXT && COPIED(f)) {
                iotp_chars_copy(AT(char, COPY_DATA(out + f->offset)), AT(size_t, out + f->offset),
                                s->text, (size_t)s->dflt);
            } else if (f->kind == IOTP_FK_TEXT) {
                AT(iotp_text, out + f->offset)->ptr = s->text;
                AT(iotp_text, out + f->offset)->len = (size_t)s->dflt;
            } else {
                store_bits(f->kind, out + f->offset, s->dflt);
            }
        }
    }
    if (!iotp_map_begin(r, depth, &m)) {
        return false;
    }
    i = 0;
    while (iotp_map_next(r, &m, &key)) {
        /* Keys ascend and so do the fields: the one for this key, if any, is at or after the last. */
        while (i < t->field_count && t->fields[i].key < key) {
            i++;
        }
        if (i == t->field_count || t->fields[i].key != key) {
            /* A field this version of the schema does not define: checked, and kept. */
            if (!iotp_map_skip_value(r, &m)) {
                return false;
            }
            continue;
        }
        f = &t->fields[i];
        if (!decode_value(r, m.depth, f, out)) {
            return iotp_field_error(r, FIELD_NAME(f));
        }
        switch (f->flags & IOTP_FF_PRESENCE) {
        case IOTP_FF_OPTIONAL:
            *has_flag(f, out) = true;
            break;
        case IOTP_FF_DEFAULT:
            if (is_default(f, out + f->offset)) {
                return iotp_default_present(r, &m, FIELD_NAME(f));
            }
            break;
        default:
            seen |= (uint32_t)1u << i;
            break;
        }
    }
    if (!iotp_ok(r)) {
        return false;
    }
    /* The first required field absent, in source order (as the Rust codec reports it). */
    for (j = 0; j < t->field_count; j++) {
        i = t->source_order != NULL ? t->source_order[j] : j;
        f = &t->fields[i];
        if ((f->flags & IOTP_FF_PRESENCE) == IOTP_FF_REQUIRED && (seen & ((uint32_t)1u << i)) == 0) {
            return iotp_missing_field(r, &m, FIELD_NAME(f));
        }
    }
    if (t->unknown_at != IOTP_NO_UNKNOWN) {
        iotp_map_unknown(r, &m, AT(iotp_unknown, out + t->unknown_at));
    }
    return true;
}

/* The variant of `t` whose key is `key`, or NULL. */
static const iotp_field *variant(const iotp_record *t, uint32_t key) {
    size_t i;
    for (i = 0; i < t->field_count; i++) {
        if (t->fields[i].key == key) {
            return &t->fields[i];
        }
    }
    return NULL;
}

static bool decode_union(iotp_reader *r, size_t depth, const iotp_record *t, uint8_t *out) {
    size_t inner;
    uint32_t *key = AT(uint32_t, out);
    const iotp_field *f;
    if (!iotp_union_begin(r, depth, key, &inner)) {
        return false;
    }
    f = variant(t, *key);
    if (f == NULL) {
        /* A variant this version of the schema does not define: checked, and kept. */
        return iotp_skip(r, inner, AT(iotp_bytes, out + t->unknown_at));
    }
    return decode_value(r, inner, f, out) || iotp_field_error(r, FIELD_NAME(f));
}

bool iotp_record_decode(iotp_reader *r, size_t depth, const iotp_record *type, void *out) {
    return type->is_union ? decode_union(r, depth, type, out) : decode_message(r, depth, type, out);
}

/* Writes one value of the field (an array's item, not a record) from `p`, refusing what a decoder
 * would reject (`s`: its range, or NULL). */
LEAF_FN static bool encode_leaf(iotp_writer *w, const iotp_field *f, const iotp_scalar *s,
                                const uint8_t *p) {
    unsigned kind = f->kind;
    uint64_t v;
    if (COPIED(f)) {
        size_t len = *CAT(size_t, p);
        if (kind == IOTP_FK_FIXED ? len != f->len : len > f->len) {
            return iotp_writer_fail(w, IOTP_ENC_BOUND_EXCEEDED, FIELD_NAME(f));
        }
        return kind == IOTP_FK_TEXT ? iotp_write_text(w, CAT(char, COPY_DATA(p)), len)
                                    : iotp_write_bytes(w, COPY_DATA(p), len);
    }
    switch (kind) {
    case IOTP_FK_BOOL:
        return iotp_write_bool(w, *CAT(bool, p));
    case IOTP_FK_F32:
        return iotp_write_f32(w, *CAT(float, p));
    case IOTP_FK_F64:
        return iotp_write_f64(w, *CAT(double, p));
    case IOTP_FK_TEXT:
        if (CAT(iotp_text, p)->len > f->len) {
            return iotp_writer_fail(w, IOTP_ENC_BOUND_EXCEEDED, FIELD_NAME(f));
        }
        return iotp_write_text(w, CAT(iotp_text, p)->ptr, CAT(iotp_text, p)->len);
    case IOTP_FK_BYTES:
    case IOTP_FK_FIXED:
        if (kind == IOTP_FK_BYTES ? CAT(iotp_bytes, p)->len > f->len : CAT(iotp_bytes, p)->len != f->len) {
            return iotp_writer_fail(w, IOTP_ENC_BOUND_EXCEEDED, FIELD_NAME(f));
        }
        return iotp_write_bytes(w, CAT(iotp_bytes, p)->ptr, CAT(iotp_bytes, p)->len);
    case IOTP_FK_UNIT:
        return iotp_write_null(w);
    default:
        break;
    }
    v = load_bits(kind, p);
    if (kind <= IOTP_FK_U64) {
        if (s != NULL && (v < s->min || v > s->max)) {
            return iotp_writer_fail(w, IOTP_ENC_OUT_OF_RANGE, FIELD_NAME(f));
        }
        return iotp_write_uint(w, v);
    }
    if (s != NULL && ((int64_t)v < (int64_t)s->min || (int64_t)v > (int64_t)s->max)) {
        return iotp_writer_fail(w, IOTP_ENC_OUT_OF_RANGE, FIELD_NAME(f));
    }
    return iotp_write_int(w, (int64_t)v);
}

/* Writes the field's value (its key already written) from the struct at `base`; a record here, as
 * decode_value reads one. */
static bool encode_value(iotp_writer *w, const iotp_field *f, const uint8_t *base) {
    const void *type = f->type;
    const uint8_t *p = base + f->offset;
    size_t count = 1;
    size_t n;
    const bool array = (f->flags & IOTP_FF_ARRAY) != 0;
    if (array) {
        const iotp_items *items = f->type;
        type = items->type;
        count = *CAT(size_t, base + items->count_at);
        if (count > items->max_items) {
            return iotp_writer_fail(w, IOTP_ENC_BOUND_EXCEEDED, FIELD_NAME(f));
        }
        iotp_write_array(w, count);
    }
    for (n = 0; n < count; n++, p += item_size(f, type)) {
        if (!(f->kind == IOTP_FK_RECORD ? iotp_record_encode(w, type, p)
                                        : encode_leaf(w, f, type, p))) {
            return false;
        }
    }
    if (array) {
        iotp_write_close(w, count);
    }
    return iotp_writer_ok(w);
}

static bool encode_message(iotp_writer *w, const iotp_record *t, const uint8_t *v) {
    static const iotp_unknown none = {NULL, 0, 0};
    const iotp_unknown *unknown =
        t->unknown_at != IOTP_NO_UNKNOWN ? CAT(iotp_unknown, v + t->unknown_at) : &none;
    iotp_merge g;
    size_t n = unknown->count;
    size_t i;
    for (i = 0; i < t->field_count; i++) {
        n += is_present(&t->fields[i], v) ? 1u : 0u;
    }
    iotp_merge_init(&g, unknown);
    iotp_write_map(w, n);
    for (i = 0; i < t->field_count; i++) {
        const iotp_field *f = &t->fields[i];
        /* The retained unknown entries below the key first (IOTP-WIRE-56), named for a field left
         * out too, so that the merge passes over its old value. */
        iotp_merge_before(w, &g, f->key);
        if (is_present(f, v)) {
            iotp_write_uint(w, f->key);
            if (!encode_value(w, f, v)) {
                return false;
            }
        }
    }
    iotp_merge_finish(w, &g);
    iotp_write_close(w, n);
    return iotp_writer_ok(w);
}

static bool encode_union(iotp_writer *w, const iotp_record *t, const uint8_t *v) {
    const uint32_t key = *CAT(uint32_t, v);
    const iotp_field *f = variant(t, key);
    iotp_write_map(w, 1);
    if (f != NULL) {
        iotp_write_uint(w, key);
        if (!encode_value(w, f, v)) {
            return false;
        }
    } else {
        /* Built by the application, or decoded elsewhere: check what a decoder would. */
        if (!iotp_check_unknown_variant(w, key, t->keys, t->key_count)) {
            return false;
        }
        iotp_write_uint(w, key);
        iotp_write_raw_item(w, CAT(iotp_bytes, v + t->unknown_at)->ptr,
                            CAT(iotp_bytes, v + t->unknown_at)->len);
    }
    iotp_write_close(w, 1);
    return iotp_writer_ok(w);
}

bool iotp_record_encode(iotp_writer *w, const iotp_record *type, const void *v) {
    return type->is_union ? encode_union(w, type, v) : encode_message(w, type, v);
}

/* ---------------------------------------------------------------------------------------------- */
/* Transcoding by type name                                                                        */

bool iotp_name_is(const char *a, const char *b) {
    while (*a != '\0' && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

iotp_transcode_result iotp_transcode_finish(const iotp_reader *r, const iotp_writer *w,
                                            size_t *out_len, iotp_decode_error *err,
                                            iotp_encode_error *enc) {
    if (!iotp_ok(r)) {
        *err = r->err;
        return IOTP_TRANSCODE_REJECTED;
    }
    if (!iotp_writer_ok(w)) {
        *enc = w->err;
        return IOTP_TRANSCODE_REFUSED;
    }
    *out_len = w->pos;
    return IOTP_TRANSCODE_OK;
}
