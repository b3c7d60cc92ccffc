/*
 * iotp2p_json.c: the canonical JSON mapping (spec §4.18) over encoded values; see iotp2p_json.h.
 *
 * Two directions, each one recursive walk of a value's shape bounded by IOTP_MAX_DEPTH:
 * JSON text → canonical CBOR (a strict RFC 8259 reader that keeps each number's digits), and
 * canonical CBOR → JSON text (through the runtime's reader, so that nothing is read twice
 * differently). What the type allows beyond its shape (bounds, ranges, required fields, canonical
 * unknown contents) is the generated decoder's to check.
 */
#include "iotp2p_json.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------------------------------
 * JSON text in
 * ------------------------------------------------------------------------------------------- */

/* A cursor over the JSON text. */
typedef struct json_in {
    const char *s;
    size_t len;
    size_t pos;
    iotp_json_error *err;
} json_in;

/* The canonical encoding being written. `full` marks a write that did not fit. */
typedef struct cbor_out {
    uint8_t *buf;
    size_t cap;
    size_t len;
    bool full;
} cbor_out;

/* A member name longer than this is no name of any type: it is read, and refused as unknown. */
#define NAME_CAP 128u
/* A float's digits are copied for strtod; no JSON writer writes this many. */
#define NUMBER_CAP 1024u

static bool fail_at(json_in *in, size_t at, const char *why) {
    if (in->err != NULL) {
        in->err->offset = at;
        in->err->why = why;
    }
    return false;
}

static int peek(const json_in *in) {
    return in->pos < in->len ? (unsigned char)in->s[in->pos] : -1;
}

/* RFC 8259 whitespace. */
static void skip_ws(json_in *in) {
    while (in->pos < in->len) {
        char c = in->s[in->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
            break;
        }
        in->pos++;
    }
}

static bool expect(json_in *in, char c, const char *why) {
    skip_ws(in);
    if (peek(in) != (unsigned char)c) {
        return fail_at(in, in->pos, why);
    }
    in->pos++;
    return true;
}

/* Whether the text at the cursor is `word` (true, false, null); consumes it if so. */
static bool take_word(json_in *in, const char *word) {
    size_t n = strlen(word);
    if (in->len - in->pos >= n && memcmp(in->s + in->pos, word, n) == 0) {
        in->pos += n;
        return true;
    }
    return false;
}

static int hex_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* A digit of a byte string's or a retained item's hex: lowercase only (IOTP-WIRE-83). */
static int lower_hex(uint8_t c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ? hex_value((char)c) : -1;
}

/* Four hex digits of a \u escape (either case, as RFC 8259 allows). */
static bool read_u4(json_in *in, uint32_t *out) {
    uint32_t v = 0;
    size_t i;
    if (in->len - in->pos < 4) {
        return fail_at(in, in->pos, "four hex digits after \\u");
    }
    for (i = 0; i < 4; i++) {
        int d = hex_value(in->s[in->pos + i]);
        if (d < 0) {
            return fail_at(in, in->pos + i, "four hex digits after \\u");
        }
        v = v * 16u + (uint32_t)d;
    }
    in->pos += 4;
    *out = v;
    return true;
}

/* Appends byte `b` at `*n` of `out` (when there is an `out` and room). */
static void emit_byte(char *out, size_t cap, size_t *n, uint32_t b) {
    if (out != NULL && *n < cap) {
        out[*n] = (char)(uint8_t)b;
    }
    (*n)++;
}

/* Reads the string at the cursor (its opening quote included) and writes its contents as UTF-8 to
 * `out` (up to `cap` bytes; NULL to only measure); `*n` is the whole length. Escapes are decoded;
 * a control character, a bad escape or a lone surrogate is refused, as no Unicode string holds it. */
static bool read_string(json_in *in, char *out, size_t cap, size_t *n) {
    *n = 0;
    if (peek(in) != '"') {
        return fail_at(in, in->pos, "a string");
    }
    in->pos++;
    for (;;) {
        uint32_t cp;
        int c = peek(in);
        if (c < 0) {
            return fail_at(in, in->pos, "the end of the string");
        }
        if (c == '"') {
            in->pos++;
            return true;
        }
        if (c < 0x20) {
            return fail_at(in, in->pos, "no control character inside a string");
        }
        in->pos++;
        if (c != '\\') {
            emit_byte(out, cap, n, (uint32_t)c);
            continue;
        }
        switch (peek(in)) {
        case '"': cp = '"'; break;
        case '\\': cp = '\\'; break;
        case '/': cp = '/'; break;
        case 'b': cp = 0x08; break;
        case 'f': cp = 0x0c; break;
        case 'n': cp = 0x0a; break;
        case 'r': cp = 0x0d; break;
        case 't': cp = 0x09; break;
        case 'u': cp = 0x110000; break;
        default: return fail_at(in, in->pos, "an escape of RFC 8259");
        }
        in->pos++;
        if (cp == 0x110000) {
            size_t at = in->pos - 2;
            if (!read_u4(in, &cp)) {
                return false;
            }
            if (cp >= 0xdc00 && cp <= 0xdfff) {
                return fail_at(in, at, "no lone low surrogate");
            }
            if (cp >= 0xd800 && cp <= 0xdbff) {
                uint32_t low;
                if (!take_word(in, "\\u") || !read_u4(in, &low) || low < 0xdc00 || low > 0xdfff) {
                    return fail_at(in, at, "a high surrogate followed by a low one");
                }
                cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
            }
        }
        if (cp < 0x80) {
            emit_byte(out, cap, n, cp);
        } else if (cp < 0x800) {
            emit_byte(out, cap, n, 0xc0 | (cp >> 6));
            emit_byte(out, cap, n, 0x80 | (cp & 0x3f));
        } else if (cp < 0x10000) {
            emit_byte(out, cap, n, 0xe0 | (cp >> 12));
            emit_byte(out, cap, n, 0x80 | ((cp >> 6) & 0x3f));
            emit_byte(out, cap, n, 0x80 | (cp & 0x3f));
        } else {
            emit_byte(out, cap, n, 0xf0 | (cp >> 18));
            emit_byte(out, cap, n, 0x80 | ((cp >> 12) & 0x3f));
            emit_byte(out, cap, n, 0x80 | ((cp >> 6) & 0x3f));
            emit_byte(out, cap, n, 0x80 | (cp & 0x3f));
        }
    }
}

/* A number as written: its span, its sign, and whether it has a fraction or an exponent. */
typedef struct number {
    size_t start;
    size_t end;
    bool negative;
    bool integer;
} number;

static bool is_digit(int c) { return c >= '0' && c <= '9'; }

/* Reads a number of RFC 8259's grammar at the cursor. */
static bool read_number(json_in *in, number *num) {
    num->start = in->pos;
    num->negative = peek(in) == '-';
    num->integer = true;
    if (num->negative) {
        in->pos++;
    }
    if (peek(in) == '0') {
        in->pos++;
    } else if (is_digit(peek(in))) {
        while (is_digit(peek(in))) {
            in->pos++;
        }
    } else {
        return fail_at(in, num->start, "a value");
    }
    if (peek(in) == '.') {
        in->pos++;
        num->integer = false;
        if (!is_digit(peek(in))) {
            return fail_at(in, in->pos, "a digit after the decimal point");
        }
        while (is_digit(peek(in))) {
            in->pos++;
        }
    }
    if (peek(in) == 'e' || peek(in) == 'E') {
        in->pos++;
        num->integer = false;
        if (peek(in) == '+' || peek(in) == '-') {
            in->pos++;
        }
        if (!is_digit(peek(in))) {
            return fail_at(in, in->pos, "a digit in the exponent");
        }
        while (is_digit(peek(in))) {
            in->pos++;
        }
    }
    num->end = in->pos;
    return true;
}

/* The magnitude of an integer number, exactly (never through a double: IOTP-WIRE-67). */
static bool magnitude(json_in *in, const number *num, uint64_t *out) {
    size_t i = num->start + (num->negative ? 1u : 0u);
    uint64_t v = 0;
    for (; i < num->end; i++) {
        uint64_t d = (uint64_t)(in->s[i] - '0');
        if (v > (UINT64_MAX - d) / 10u) {
            return fail_at(in, num->start, "an integer within 64 bits");
        }
        v = v * 10u + d;
    }
    *out = v;
    return true;
}

/* Reserves `n` bytes of the output; NULL (and `full`) when they do not fit. */
static uint8_t *reserve(cbor_out *out, size_t n) {
    uint8_t *p;
    if (out->full || out->cap - out->len < n) {
        out->full = true;
        return NULL;
    }
    p = out->buf + out->len;
    out->len += n;
    return p;
}

/* A head in its shortest form (spec §4.3) into `h`; returns its length. */
static size_t head_bytes(uint8_t major, uint64_t arg, uint8_t h[9]) {
    size_t n, i;
    uint8_t m = (uint8_t)(major << 5);
    if (arg < 24) {
        h[0] = (uint8_t)(m | arg);
        return 1;
    }
    if (arg <= UINT8_MAX) {
        h[0] = (uint8_t)(m | 24);
        n = 1;
    } else if (arg <= UINT16_MAX) {
        h[0] = (uint8_t)(m | 25);
        n = 2;
    } else if (arg <= UINT32_MAX) {
        h[0] = (uint8_t)(m | 26);
        n = 4;
    } else {
        h[0] = (uint8_t)(m | 27);
        n = 8;
    }
    for (i = 0; i < n; i++) {
        h[1 + i] = (uint8_t)(arg >> (8 * (n - 1 - i)));
    }
    return 1 + n;
}

static bool put_head(cbor_out *out, uint8_t major, uint64_t arg) {
    uint8_t h[9];
    size_t n = head_bytes(major, arg, h);
    uint8_t *p = reserve(out, n);
    if (p == NULL) {
        return false;
    }
    memcpy(p, h, n);
    return true;
}

/* Puts the head of `count` items before what was written from `start` on. */
static bool wrap(cbor_out *out, size_t start, uint8_t major, size_t count) {
    uint8_t h[9];
    size_t n = head_bytes(major, count, h);
    if (reserve(out, n) == NULL) {
        return false;
    }
    memmove(out->buf + start + n, out->buf + start, out->len - n - start);
    memcpy(out->buf + start, h, n);
    return true;
}

static bool value(json_in *in, cbor_out *out, const iotp_json_shape *shape, unsigned arrays,
                  size_t depth);

/* A JSON string of lowercase hex digits as bytes (IOTP-WIRE-83), written after `*at` at the
 * output's end: the digits are written, then packed in place. */
static bool hex_string(json_in *in, cbor_out *out, size_t *at, size_t *n) {
    size_t start = in->pos, digits, i;
    uint8_t *p;
    json_in probe = *in;
    if (!read_string(&probe, NULL, 0, &digits)) {
        return false;
    }
    if (digits % 2 != 0) {
        return fail_at(in, start, "an even number of hex digits");
    }
    *at = out->len;
    p = reserve(out, digits);
    if (p == NULL) {
        return false;
    }
    (void)read_string(in, (char *)p, digits, &digits);
    for (i = 0; i < digits; i += 2) {
        int hi = lower_hex(p[i]), lo = lower_hex(p[i + 1]);
        if (hi < 0 || lo < 0) {
            return fail_at(in, start, "lowercase hex digits only (IOTP-WIRE-83)");
        }
        p[i / 2] = (uint8_t)(hi * 16 + lo);
    }
    out->len -= digits / 2;
    *n = digits / 2;
    return true;
}

/* The hex string of a `#<key>` member: the encoding of one retained item, checked to be exactly
 * one well-formed item so that it cannot shift the entries around it. */
static bool hex_item(json_in *in, cbor_out *out) {
    size_t at, n, start = in->pos;
    iotp_reader r;
    iotp_bytes item;
    if (peek(in) == 'n') {
        return fail_at(in, start, "hex digits, not null (IOTP-WIRE-84)");
    }
    if (!hex_string(in, out, &at, &n)) {
        return false;
    }
    iotp_reader_init(&r, out->buf + at, n);
    if (!iotp_skip(&r, IOTP_MAX_DEPTH, &item) || r.pos != n) {
        return fail_at(in, start, "the encoding of one data item");
    }
    return true;
}

/* `#<key>`: `#` and a key of 0 to 65535 in decimal without sign or leading zeros (IOTP-WIRE-81). */
static bool hash_key(const char *name, size_t n, uint32_t *key) {
    uint32_t v = 0;
    size_t i;
    if (n < 2 || n > 6 || name[0] != '#' || (name[1] == '0' && n > 2)) {
        return false;
    }
    for (i = 1; i < n; i++) {
        if (!is_digit((unsigned char)name[i])) {
            return false;
        }
        v = v * 10u + (uint32_t)(name[i] - '0');
    }
    *key = v;
    return v <= IOTP_MAX_KEY;
}

/* The member of `type` called `name`, or NULL. */
static const iotp_json_member *by_name(const iotp_json_type *type, const char *name, size_t n) {
    size_t i;
    for (i = 0; i < type->count; i++) {
        const char *m = type->members[i].name;
        if (strlen(m) == n && memcmp(m, name, n) == 0) {
            return &type->members[i];
        }
    }
    return NULL;
}

static const iotp_json_member *by_key(const iotp_json_type *type, uint32_t key) {
    size_t i;
    for (i = 0; i < type->count; i++) {
        if (type->members[i].key == key) {
            return &type->members[i];
        }
    }
    return NULL;
}

/* A member's name, and what it names: a member of `type`, or (`*m` NULL) an unknown `#<key>`. */
static bool member_name(json_in *in, const iotp_json_type *type, const iotp_json_member **m,
                        uint32_t *key) {
    char name[NAME_CAP];
    size_t n, at;
    skip_ws(in);
    at = in->pos;
    if (!read_string(in, name, sizeof name, &n) || !expect(in, ':', "`:` after the member name")) {
        return false;
    }
    /* At the value: the callers look at its first character (a `null` is refused by name). */
    skip_ws(in);
    *m = n <= sizeof name ? by_name(type, name, n) : NULL;
    if (*m != NULL) {
        *key = (*m)->key;
        return true;
    }
    if (n > sizeof name || !hash_key(name, n, key)) {
        return fail_at(in, at, "a member the type has, or #<key> (IOTP-WIRE-72, IOTP-WIRE-81)");
    }
    if (by_key(type, *key) != NULL) {
        return fail_at(in, at, "a known key written by its name (IOTP-WIRE-82)");
    }
    return true;
}

/* A message's members are collected as entries, each a header and its value's encoding: the
 * key, the encoding's length, whether the member is left out (equal to its default), and the
 * offset of the next entry (a list, sorted by key once the object ends). Offsets and lengths are
 * 32-bit: iotp_json_to_cbor uses at most 4 GiB of its buffer. */
#define ENTRY_KEY 0u
#define ENTRY_LEN 4u
#define ENTRY_DROPPED 8u
#define ENTRY_NEXT 9u
#define ENTRY_HEAD 13u
/* The end of a list of entries. */
#define NIL UINT32_MAX

static void put_u32(uint8_t *p, size_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get_u32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static uint32_t next_of(const uint8_t *buf, uint32_t e) { return get_u32(buf + e + ENTRY_NEXT); }

static uint32_t key_of(const uint8_t *buf, uint32_t e) { return get_u32(buf + e + ENTRY_KEY); }

/* Sorts the list of entries from `list` by key, stably: a bottom-up merge sort of the list, so
 * O(n log n) steps for any order of members, no recursion and no memory beyond the entries. */
static uint32_t sort_entries(uint8_t *buf, uint32_t list) {
    size_t width;
    for (width = 1;; width *= 2) {
        uint32_t p = list, tail = NIL;
        size_t merges = 0;
        list = NIL;
        while (p != NIL) {
            uint32_t q = p;
            size_t psize = 0, qsize = width;
            merges++;
            while (psize < width && q != NIL) {
                psize++;
                q = next_of(buf, q);
            }
            while (psize > 0 || (qsize > 0 && q != NIL)) {
                uint32_t e;
                if (psize > 0 && (qsize == 0 || q == NIL || key_of(buf, p) <= key_of(buf, q))) {
                    e = p;
                    p = next_of(buf, p);
                    psize--;
                } else {
                    e = q;
                    q = next_of(buf, q);
                    qsize--;
                }
                if (tail == NIL) {
                    list = e;
                } else {
                    put_u32(buf + tail + ENTRY_NEXT, e);
                }
                tail = e;
            }
            p = q;
        }
        if (tail != NIL) {
            put_u32(buf + tail + ENTRY_NEXT, NIL);
        }
        if (merges <= 1) {
            return list;
        }
    }
}

/* A message: its members in any order (IOTP-WIRE-71) collected as entries, then written as a map
 * in ascending key order, defaults left out, a key given twice refused (IOTP-WIRE-73). */
static bool message(json_in *in, cbor_out *out, const iotp_json_type *type, size_t depth) {
    size_t start = out->len, end, n = 0, at;
    uint32_t list = NIL, last = NIL, e;
    int64_t previous = -1;
    if (!expect(in, '{', "an object")) {
        return false;
    }
    skip_ws(in);
    if (peek(in) == '}') {
        in->pos++;
    } else {
        for (;;) {
            const iotp_json_member *m;
            uint32_t key;
            uint8_t *head;
            size_t v;
            bool dropped;
            if (!member_name(in, type, &m, &key)) {
                return false;
            }
            if (peek(in) == 'n') {
                return fail_at(in, in->pos, "a value, not null (IOTP-WIRE-84)");
            }
            if (reserve(out, ENTRY_HEAD) == NULL) {
                return false;
            }
            v = out->len;
            if (m != NULL ? !value(in, out, &m->shape, m->shape.arrays, depth + 1)
                          : !hex_item(in, out)) {
                return false;
            }
            dropped = m != NULL && m->default_cbor != NULL && out->len - v == m->default_len &&
                      memcmp(out->buf + v, m->default_cbor, m->default_len) == 0;
            head = out->buf + v - ENTRY_HEAD;
            put_u32(head + ENTRY_KEY, key);
            put_u32(head + ENTRY_LEN, out->len - v);
            head[ENTRY_DROPPED] = dropped ? 1u : 0u;
            put_u32(head + ENTRY_NEXT, NIL);
            if (last == NIL) {
                list = (uint32_t)(v - ENTRY_HEAD);
            } else {
                put_u32(out->buf + last + ENTRY_NEXT, v - ENTRY_HEAD);
            }
            last = (uint32_t)(v - ENTRY_HEAD);
            n += dropped ? 0u : 1u;
            skip_ws(in);
            if (peek(in) == ',') {
                in->pos++;
                continue;
            }
            if (!expect(in, '}', "`,` or `}` after a member")) {
                return false;
            }
            break;
        }
    }
    /* The map, after the collected entries, in ascending key order; then moved over them. */
    at = in->pos;
    end = out->len;
    if (!put_head(out, IOTP_MAJOR_MAP, n)) {
        return false;
    }
    for (e = sort_entries(out->buf, list); e != NIL; e = next_of(out->buf, e)) {
        uint32_t key = key_of(out->buf, e);
        size_t len = get_u32(out->buf + e + ENTRY_LEN);
        uint8_t *p;
        if ((int64_t)key == previous) {
            return fail_at(in, at, "each member once (IOTP-WIRE-73)");
        }
        previous = key;
        if (out->buf[e + ENTRY_DROPPED]) {
            continue;
        }
        if (!put_head(out, IOTP_MAJOR_UINT, key) || (p = reserve(out, len)) == NULL) {
            return false;
        }
        memcpy(p, out->buf + e + ENTRY_HEAD, len);
    }
    memmove(out->buf + start, out->buf + end, out->len - end);
    out->len = start + (out->len - end);
    return true;
}

/* A union: an object of one member, the variant by name (`null` for a unit variant) or an
 * unknown one as `#<key>` with its encoding. */
static bool union_value(json_in *in, cbor_out *out, const iotp_json_type *type, size_t depth) {
    const iotp_json_member *m;
    uint32_t key;
    if (!expect(in, '{', "an object of one member")) {
        return false;
    }
    skip_ws(in);
    if (peek(in) == '}') {
        return fail_at(in, in->pos, "the variant's member");
    }
    if (!member_name(in, type, &m, &key) || !put_head(out, IOTP_MAJOR_MAP, 1) ||
        !put_head(out, IOTP_MAJOR_UINT, key)) {
        return false;
    }
    if (m == NULL) {
        if (!hex_item(in, out)) {
            return false;
        }
    } else if (!m->has_value) {
        if (!take_word(in, "null")) {
            return fail_at(in, in->pos, "null for a unit variant");
        }
        if (!put_head(out, 7, 22)) {
            return false;
        }
    } else {
        if (peek(in) == 'n') {
            return fail_at(in, in->pos, "the variant's value, not null");
        }
        if (!value(in, out, &m->shape, m->shape.arrays, depth + 1)) {
            return false;
        }
    }
    return expect(in, '}', "`}`: a union has one member");
}

/* A float: its digits rounded once to the field's type (IOTP-WIRE-70), or a string of §4.18. */
static bool float_value(json_in *in, cbor_out *out, bool single) {
    size_t at = in->pos;
    uint8_t buf[9];
    iotp_writer w;
    double v;
    float f = 0;
    if (peek(in) == '"') {
        char name[10];
        size_t n;
        if (!read_string(in, name, sizeof name, &n)) {
            return false;
        }
        if (n == 3 && memcmp(name, "NaN", 3) == 0) {
            v = NAN;
        } else if (n == 8 && memcmp(name, "Infinity", 8) == 0) {
            v = INFINITY;
        } else if (n == 9 && memcmp(name, "-Infinity", 9) == 0) {
            v = -INFINITY;
        } else {
            return fail_at(in, at, "a number, \"NaN\", \"Infinity\" or \"-Infinity\"");
        }
        f = (float)v;
    } else {
        char digits[NUMBER_CAP];
        number num;
        if (!read_number(in, &num)) {
            return false;
        }
        if (num.end - num.start >= sizeof digits) {
            return fail_at(in, at, "a number of fewer digits");
        }
        memcpy(digits, in->s + num.start, num.end - num.start);
        digits[num.end - num.start] = '\0';
        if (single) {
            f = strtof(digits, NULL);
            v = f;
        } else {
            v = strtod(digits, NULL);
        }
        if (isinf(v)) {
            return fail_at(in, at, "a finite number (IOTP-WIRE-80)");
        }
    }
    iotp_writer_init(&w, buf, sizeof buf);
    if (single ? !iotp_write_f32(&w, f) : !iotp_write_f64(&w, v)) {
        return fail_at(in, at, "a float");
    }
    {
        uint8_t *p = reserve(out, w.pos);
        if (p == NULL) {
            return false;
        }
        memcpy(p, buf, w.pos);
    }
    return true;
}

/* An integer with all its digits, no fraction or exponent (IOTP-WIRE-68), and no `-0`
 * (IOTP-WIRE-79). The decoder checks the type's range. */
static bool integer_value(json_in *in, cbor_out *out, bool enumeration) {
    number num;
    uint64_t m;
    if (!read_number(in, &num)) {
        return false;
    }
    if (!num.integer) {
        return fail_at(in, num.start, "an integer: no fraction, no exponent (IOTP-WIRE-68)");
    }
    if (!magnitude(in, &num, &m)) {
        return false;
    }
    if (num.negative && m == 0) {
        return fail_at(in, num.start, "0 written without a sign (IOTP-WIRE-79)");
    }
    if (enumeration && (num.negative || m > UINT32_MAX)) {
        return fail_at(in, num.start, "an enum number from 0 to 4294967295 (IOTP-WIRE-85)");
    }
    return num.negative ? put_head(out, IOTP_MAJOR_NINT, m - 1) : put_head(out, IOTP_MAJOR_UINT, m);
}

static bool value(json_in *in, cbor_out *out, const iotp_json_shape *shape, unsigned arrays,
                  size_t depth) {
    skip_ws(in);
    if (depth > IOTP_MAX_DEPTH) {
        return fail_at(in, in->pos, "no deeper nesting than MAX_DEPTH");
    }
    if (arrays > 0) {
        size_t start = out->len, count = 0;
        if (!expect(in, '[', "an array")) {
            return false;
        }
        skip_ws(in);
        if (peek(in) == ']') {
            in->pos++;
        } else {
            for (;;) {
                if (!value(in, out, shape, arrays - 1, depth + 1)) {
                    return false;
                }
                count++;
                skip_ws(in);
                if (peek(in) == ',') {
                    in->pos++;
                    continue;
                }
                if (!expect(in, ']', "`,` or `]` after an item")) {
                    return false;
                }
                break;
            }
        }
        return wrap(out, start, IOTP_MAJOR_ARRAY, count);
    }
    switch (shape->kind) {
    case IOTP_JSON_BOOL:
        if (take_word(in, "true")) {
            return put_head(out, 7, 21);
        }
        if (take_word(in, "false")) {
            return put_head(out, 7, 20);
        }
        return fail_at(in, in->pos, "true or false");
    case IOTP_JSON_UINT:
    case IOTP_JSON_INT:
        return integer_value(in, out, false);
    case IOTP_JSON_F32:
    case IOTP_JSON_F64:
        return float_value(in, out, shape->kind == IOTP_JSON_F32);
    case IOTP_JSON_TEXT: {
        json_in probe = *in;
        size_t n;
        uint8_t *p;
        if (!read_string(&probe, NULL, 0, &n)) {
            return false;
        }
        if (!put_head(out, IOTP_MAJOR_TEXT, n) || (p = reserve(out, n)) == NULL) {
            return false;
        }
        return read_string(in, (char *)p, n, &n);
    }
    case IOTP_JSON_BYTES: {
        size_t at, n, start = out->len;
        if (!hex_string(in, out, &at, &n)) {
            return false;
        }
        return wrap(out, start, IOTP_MAJOR_BYTES, n);
    }
    case IOTP_JSON_ENUM:
        if (peek(in) == '"') {
            char name[NAME_CAP];
            size_t n, at = in->pos;
            const iotp_json_member *m;
            if (!read_string(in, name, sizeof name, &n)) {
                return false;
            }
            m = n <= sizeof name ? by_name(shape->type, name, n) : NULL;
            if (m == NULL) {
                return fail_at(in, at, "a value of the enum (IOTP-WIRE-85)");
            }
            return put_head(out, IOTP_MAJOR_UINT, m->key);
        }
        return integer_value(in, out, true);
    case IOTP_JSON_RECORD:
        return shape->type->form == IOTP_JSON_UNION ? union_value(in, out, shape->type, depth)
                                                    : message(in, out, shape->type, depth);
    }
    return fail_at(in, in->pos, "a value of a known kind");
}

iotp_json_result iotp_json_to_cbor(const iotp_json_type *type, const char *text, size_t len,
                                   uint8_t *out, size_t cap, size_t *out_len, iotp_json_error *err) {
    json_in in;
    cbor_out o;
    iotp_json_shape shape;
    iotp_json_error ignored;
    in.s = text;
    in.len = len;
    in.pos = 0;
    in.err = err != NULL ? err : &ignored;
    o.buf = out;
    /* Entries are linked by 32-bit offsets (see ENTRY_HEAD); no encoding needs more. */
    o.cap = cap < (size_t)UINT32_MAX ? cap : (size_t)UINT32_MAX;
    o.len = 0;
    o.full = false;
    shape.arrays = 0;
    shape.kind = type->form == IOTP_JSON_ENUMERATION ? IOTP_JSON_ENUM : IOTP_JSON_RECORD;
    shape.type = type;
    if (!value(&in, &o, &shape, 0, 1)) {
        return o.full ? IOTP_JSON_NO_ROOM : IOTP_JSON_INVALID;
    }
    skip_ws(&in);
    if (in.pos != in.len) {
        fail_at(&in, in.pos, "nothing after the value (IOTP-WIRE-78)");
        return IOTP_JSON_INVALID;
    }
    *out_len = o.len;
    return IOTP_JSON_OK;
}

bool iotp_json_rejected(iotp_json_error *err, const iotp_decode_error *rejected) {
    if (err != NULL) {
        err->offset = rejected->offset;
        err->why = iotp_error_class_name(rejected->cls);
    }
    return false;
}

bool iotp_json_member_span(const char *text, size_t len, const char *name, size_t *start,
                           size_t *end) {
    json_in in;
    in.s = text;
    in.len = len;
    in.pos = 0;
    in.err = NULL;
    if (!expect(&in, '{', "an object")) {
        return false;
    }
    for (;;) {
        char key[NAME_CAP];
        size_t n, nest = 0;
        bool string = false;
        skip_ws(&in);
        if (!read_string(&in, key, sizeof key, &n) || !expect(&in, ':', "`:`")) {
            return false;
        }
        skip_ws(&in);
        *start = in.pos;
        /* Brackets counted, strings stepped over: the value itself is checked by its reader. */
        while (in.pos < in.len) {
            char c = in.s[in.pos];
            if (string) {
                in.pos += c == '\\' ? 2u : 1u;
                string = c != '"';
                if (!string && nest == 0) {
                    break;
                }
                continue;
            }
            if (nest == 0 && (c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' ||
                              c == '\n' || c == '\r')) {
                break;
            }
            in.pos++;
            if (c == '"') {
                string = true;
            } else if (c == '{' || c == '[') {
                nest++;
            } else if (c == '}' || c == ']') {
                if (--nest == 0) {
                    break;
                }
            }
        }
        if (in.pos > in.len) {
            return false;
        }
        *end = in.pos;
        if (n == strlen(name) && n <= sizeof key && memcmp(key, name, n) == 0) {
            return true;
        }
        skip_ws(&in);
        if (peek(&in) != ',') {
            return false;
        }
        in.pos++;
    }
}

/* ---------------------------------------------------------------------------------------------
 * JSON text out
 * ------------------------------------------------------------------------------------------- */

typedef struct json_out {
    char *buf;
    size_t cap;
    size_t len;
    bool full;
} json_out;

static void put(json_out *o, const char *s, size_t n) {
    /* One byte is kept for the terminating NUL. */
    if (o->full || o->cap - o->len <= n) {
        o->full = true;
        return;
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

static void puts_json(json_out *o, const char *s) { put(o, s, strlen(s)); }

static void put_hex(json_out *o, const uint8_t *b, size_t n) {
    static const char digits[] = "0123456789abcdef";
    size_t i;
    put(o, "\"", 1);
    for (i = 0; i < n; i++) {
        char pair[2];
        pair[0] = digits[b[i] >> 4];
        pair[1] = digits[b[i] & 15];
        put(o, pair, 2);
    }
    put(o, "\"", 1);
}

/* Text as a JSON string: quotes, backslashes and control characters escaped, the rest as it is
 * (the decoder has checked that it is UTF-8). */
static void put_text(json_out *o, const char *s, size_t n) {
    size_t i, run = 0;
    put(o, "\"", 1);
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') {
            continue;
        }
        put(o, s + run, i - run);
        run = i + 1;
        if (c == '"') {
            put(o, "\\\"", 2);
        } else if (c == '\\') {
            put(o, "\\\\", 2);
        } else if (c == '\n') {
            put(o, "\\n", 2);
        } else if (c == '\t') {
            put(o, "\\t", 2);
        } else if (c == '\r') {
            put(o, "\\r", 2);
        } else {
            char esc[7];
            (void)snprintf(esc, sizeof esc, "\\u%04x", c);
            put(o, esc, 6);
        }
    }
    put(o, s + run, n - run);
    put(o, "\"", 1);
}

static bool reads_back(const char *digits, double v, bool single) {
    return single ? strtof(digits, NULL) == (float)v : strtod(digits, NULL) == v;
}

/* The decimal next to `e` (as "%.*e" writes one: "-d.ddde-x"), one unit of its last digit away,
 * larger in magnitude or smaller, with as many digits, written to `out`. */
static void neighbour(const char *e, bool larger, char *out, size_t cap) {
    char digits[24];
    size_t n = 0, i;
    int exponent;
    const char *p = e;
    bool negative = *p == '-';
    if (negative) {
        p++;
    }
    for (; *p != 'e' && *p != '\0' && n < sizeof digits - 1; p++) {
        if (*p != '.') {
            digits[n++] = *p;
        }
    }
    exponent = *p == 'e' ? atoi(p + 1) : 0;
    i = n;
    if (larger) {
        while (i > 0 && digits[i - 1] == '9') {
            digits[--i] = '0';
        }
        if (i == 0) {
            /* 9.99e4 + 0.01e4: 1.00e5. */
            digits[0] = '1';
            exponent++;
        } else {
            digits[i - 1]++;
        }
    } else {
        while (i > 1 && digits[i - 1] == '0') {
            digits[--i] = '9';
        }
        digits[i - 1]--;
        if (digits[0] == '0') {
            /* 1.00e5 - 0.01e5: 9.99e4 at the same number of digits. */
            memmove(digits, digits + 1, n - 1);
            digits[n - 1] = '9';
            exponent--;
        }
    }
    digits[n] = '\0';
    (void)snprintf(out, cap, "%s%c%s%se%d", negative ? "-" : "", digits[0], n > 1 ? "." : "",
                   digits + 1, exponent);
}

/* A float as the fewest significant digits that read back as the same value of its type
 * (IOTP-WIRE-69); the non-finite ones as the strings of §4.18. At each number of digits the
 * correctly rounded decimal comes first; when it does not read back, its neighbour on the value's
 * other side may (2^-24 as a double: 5.960464477539062e-08 reads as the double below, whose gap is
 * half as wide, and 5.960464477539063e-08 reads back). */
static void put_float(json_out *o, double v, bool single) {
    char digits[40], e[40];
    int precision;
    if (isnan(v)) {
        puts_json(o, "\"NaN\"");
        return;
    }
    if (isinf(v)) {
        puts_json(o, v > 0 ? "\"Infinity\"" : "\"-Infinity\"");
        return;
    }
    for (precision = 1; precision <= 17; precision++) {
        (void)snprintf(digits, sizeof digits, "%.*g", precision, v);
        if (reads_back(digits, v, single)) {
            break;
        }
        (void)snprintf(e, sizeof e, "%.*e", precision - 1, v);
        neighbour(e, (strtod(e, NULL) < v) != (v < 0), digits, sizeof digits);
        if (reads_back(digits, v, single)) {
            break;
        }
    }
    puts_json(o, digits);
}

static bool fail_cbor(const iotp_reader *r, iotp_json_error *err, const char *why) {
    err->offset = r->err.cls != IOTP_ERR_NONE ? r->err.offset : r->pos;
    err->why = why;
    return false;
}

static bool emit(iotp_reader *r, json_out *o, const iotp_json_shape *shape, unsigned arrays,
                 size_t depth, iotp_json_error *err);

/* A message's entries in key order (the encoding's), unknown ones as `#<key>`, or a union's one
 * entry. */
static bool emit_record(iotp_reader *r, json_out *o, const iotp_json_type *type, size_t depth,
                        iotp_json_error *err) {
    size_t count, i;
    uint32_t min = 0;
    if (!iotp_read_map(r, &count) || (type->form == IOTP_JSON_UNION && count != 1)) {
        return fail_cbor(r, err, "a map of the type");
    }
    put(o, "{", 1);
    for (i = 0; i < count; i++) {
        const iotp_json_member *m;
        uint32_t key;
        if (!iotp_read_key(r, min, &key)) {
            return fail_cbor(r, err, "a key");
        }
        min = key + 1;
        if (i > 0) {
            put(o, ",", 1);
        }
        m = by_key(type, key);
        if (m == NULL) {
            char name[16];
            iotp_bytes item;
            (void)snprintf(name, sizeof name, "\"#%" PRIu32 "\":", key);
            puts_json(o, name);
            if (!iotp_skip(r, IOTP_MAX_DEPTH, &item)) {
                return fail_cbor(r, err, "a retained item");
            }
            put_hex(o, item.ptr, item.len);
            continue;
        }
        put_text(o, m->name, strlen(m->name));
        put(o, ":", 1);
        if (!m->has_value) {
            if (!iotp_read_null(r)) {
                return fail_cbor(r, err, "null for a unit variant");
            }
            puts_json(o, "null");
        } else if (!emit(r, o, &m->shape, m->shape.arrays, depth + 1, err)) {
            return false;
        }
    }
    put(o, "}", 1);
    return true;
}

static bool emit(iotp_reader *r, json_out *o, const iotp_json_shape *shape, unsigned arrays,
                 size_t depth, iotp_json_error *err) {
    if (depth > IOTP_MAX_DEPTH) {
        return fail_cbor(r, err, "no deeper nesting than MAX_DEPTH");
    }
    if (arrays > 0) {
        size_t count, i;
        if (!iotp_read_array(r, SIZE_MAX, &count)) {
            return fail_cbor(r, err, "an array");
        }
        put(o, "[", 1);
        for (i = 0; i < count; i++) {
            if (i > 0) {
                put(o, ",", 1);
            }
            if (!emit(r, o, shape, arrays - 1, depth + 1, err)) {
                return false;
            }
        }
        put(o, "]", 1);
        return true;
    }
    switch (shape->kind) {
    case IOTP_JSON_BOOL: {
        bool b;
        if (!iotp_read_bool(r, &b)) {
            return fail_cbor(r, err, "a bool");
        }
        puts_json(o, b ? "true" : "false");
        return true;
    }
    case IOTP_JSON_UINT: {
        uint64_t v;
        char digits[24];
        if (!iotp_read_uint(r, 0, UINT64_MAX, &v)) {
            return fail_cbor(r, err, "an unsigned integer");
        }
        (void)snprintf(digits, sizeof digits, "%" PRIu64, v);
        puts_json(o, digits);
        return true;
    }
    case IOTP_JSON_INT: {
        int64_t v;
        char digits[24];
        if (!iotp_read_int(r, INT64_MIN, INT64_MAX, &v)) {
            return fail_cbor(r, err, "an integer");
        }
        (void)snprintf(digits, sizeof digits, "%" PRId64, v);
        puts_json(o, digits);
        return true;
    }
    case IOTP_JSON_F32: {
        float v;
        if (!iotp_read_f32(r, &v)) {
            return fail_cbor(r, err, "an f32");
        }
        put_float(o, (double)v, true);
        return true;
    }
    case IOTP_JSON_F64: {
        double v;
        if (!iotp_read_f64(r, &v)) {
            return fail_cbor(r, err, "an f64");
        }
        put_float(o, v, false);
        return true;
    }
    case IOTP_JSON_TEXT: {
        iotp_text t;
        if (!iotp_read_text(r, SIZE_MAX, &t)) {
            return fail_cbor(r, err, "a text string");
        }
        put_text(o, t.ptr, t.len);
        return true;
    }
    case IOTP_JSON_BYTES: {
        iotp_bytes b;
        if (!iotp_read_bytes(r, SIZE_MAX, &b)) {
            return fail_cbor(r, err, "a byte string");
        }
        put_hex(o, b.ptr, b.len);
        return true;
    }
    case IOTP_JSON_ENUM: {
        uint32_t v;
        const iotp_json_member *m;
        if (!iotp_read_enum(r, &v)) {
            return fail_cbor(r, err, "an enum's number");
        }
        m = by_key(shape->type, v);
        if (m != NULL) {
            put_text(o, m->name, strlen(m->name));
        } else {
            char digits[16];
            (void)snprintf(digits, sizeof digits, "%" PRIu32, v);
            puts_json(o, digits);
        }
        return true;
    }
    case IOTP_JSON_RECORD:
        return emit_record(r, o, shape->type, depth, err);
    }
    return fail_cbor(r, err, "a value of a known kind");
}

iotp_json_result iotp_json_from_cbor(const iotp_json_type *type, const uint8_t *data, size_t len,
                                     char *out, size_t cap, size_t *out_len, iotp_json_error *err) {
    iotp_reader r;
    json_out o;
    iotp_json_shape shape;
    iotp_json_error ignored;
    if (err == NULL) {
        err = &ignored;
    }
    if (cap == 0) {
        return IOTP_JSON_NO_ROOM;
    }
    iotp_reader_init(&r, data, len);
    o.buf = out;
    o.cap = cap;
    o.len = 0;
    o.full = false;
    shape.arrays = 0;
    shape.kind = type->form == IOTP_JSON_ENUMERATION ? IOTP_JSON_ENUM : IOTP_JSON_RECORD;
    shape.type = type;
    if (!emit(&r, &o, &shape, 0, 1, err)) {
        return IOTP_JSON_INVALID;
    }
    if (r.pos != len) {
        fail_cbor(&r, err, "nothing after the value");
        return IOTP_JSON_INVALID;
    }
    if (o.full) {
        return IOTP_JSON_NO_ROOM;
    }
    out[o.len] = '\0';
    *out_len = o.len;
    return IOTP_JSON_OK;
}
