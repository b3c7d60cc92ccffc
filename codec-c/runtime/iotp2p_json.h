/*
 * iotp2p_json.h: the canonical JSON mapping of spec/04-wire-format.md §4.18 for the C codecs.
 *
 * An optional unit beside the codec: tools, gateways and tests that show or take values as JSON
 * link it; firmware that links only the codec (iotp2p.c and the generated `<package>.c`) never
 * pulls it in. Unlike the codec it is hosted C99: it uses the C library's correctly rounded
 * `strtod`/`strtof` and `snprintf` for floats (spec IOTP-WIRE-69, IOTP-WIRE-70).
 *
 * The mapping works on the encoding, driven by the description of each type that `iotp2p gen c`
 * writes to `<package>_json.c` (member names, keys, shapes, encoded defaults):
 *
 * - iotp_json_to_cbor reads one JSON text as a value of a type and writes its canonical encoding,
 *   which the generated decoder then checks (bounds, ranges, required fields, unknown contents) and
 *   turns into the C struct; the generated `<type>_from_json` does both.
 * - iotp_json_from_cbor writes the canonical JSON of an encoded value (one the generated encoder
 *   wrote, or the decoder accepted); the generated `<type>_to_json` encodes the struct first.
 *
 * So the rules of the wire format live in one place, the codec, and this unit adds only what JSON
 * itself asks: exact integers (never through a double), shortest floats, member names, duplicate
 * members, `#<key>` members, hex. No allocation: every output goes into the caller's buffer, and
 * nesting is refused beyond IOTP_MAX_DEPTH, which bounds the recursion.
 */
#ifndef IOTP2P_JSON_H
#define IOTP2P_JSON_H

#include "iotp2p.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What a value of a shape is at its innermost level. */
typedef enum iotp_json_kind {
    IOTP_JSON_BOOL = 0,
    /** An unsigned integer type (any width: the decoder checks the type's range). */
    IOTP_JSON_UINT = 1,
    /** A signed integer type. */
    IOTP_JSON_INT = 2,
    IOTP_JSON_F32 = 3,
    IOTP_JSON_F64 = 4,
    IOTP_JSON_TEXT = 5,
    /** Bytes of a bound or of a fixed length: hex in JSON. */
    IOTP_JSON_BYTES = 6,
    /** An enum: its value's name, or a number for one the schema does not name. */
    IOTP_JSON_ENUM = 7,
    /** A message or a union. */
    IOTP_JSON_RECORD = 8
} iotp_json_kind;

/** What a type is. */
typedef enum iotp_json_form {
    IOTP_JSON_MESSAGE = 0,
    IOTP_JSON_UNION = 1,
    IOTP_JSON_ENUMERATION = 2
} iotp_json_form;

typedef struct iotp_json_type iotp_json_type;

/** The shape of a value: `arrays` levels of arrays around a leaf of `kind`. */
typedef struct iotp_json_shape {
    /** How many arrays are nested around the leaf (0 for a plain value). */
    uint8_t arrays;
    /** The leaf. */
    iotp_json_kind kind;
    /** For an enum or a record, its description; otherwise NULL. */
    const iotp_json_type *type;
} iotp_json_shape;

/** A message's field, a union's variant or an enum's value. */
typedef struct iotp_json_member {
    /** The name in JSON (the schema's name). */
    const char *name;
    /** The field's or variant's key, the enum value's number. */
    uint32_t key;
    /** False for a unit variant (`null` in JSON) and for enum values. */
    bool has_value;
    /** The value's shape, when has_value. */
    iotp_json_shape shape;
    /** A defaulted field's default, encoded (a member equal to it is left out: IOTP-WIRE-74);
     * NULL for other members. */
    const uint8_t *default_cbor;
    /** The length of default_cbor. */
    size_t default_len;
} iotp_json_member;

/** A message, union or enum, as `iotp2p gen c` describes it in `<package>_json.c`. */
struct iotp_json_type {
    /** The fully-qualified schema name. */
    const char *name;
    iotp_json_form form;
    /** Fields, variants or values (NULL when there are none). */
    const iotp_json_member *members;
    /** How many. */
    size_t count;
};

/** What went wrong, for people: the byte offset in the JSON text and what was expected there. */
typedef struct iotp_json_error {
    /** Byte offset in the JSON text (iotp_json_to_cbor) or in the encoding (iotp_json_from_cbor). */
    size_t offset;
    /** A static description. */
    const char *why;
} iotp_json_error;

/** The outcome of a conversion. */
typedef enum iotp_json_result {
    /** Done: `*out_len` bytes written. */
    IOTP_JSON_OK = 0,
    /** The input is not a value of the type (or not JSON, or not a valid encoding): `err` says
     * where. In the conformance protocol's terms, `invalid-value`. */
    IOTP_JSON_INVALID = 1,
    /** The output buffer is too small. */
    IOTP_JSON_NO_ROOM = 2
} iotp_json_result;

/** Room in bytes that iotp_json_to_cbor always has enough of for `len` bytes of JSON text. A byte
 * of text becomes at most 2.25 bytes of encoding (`0.1,` in an array of f64: 9 bytes for 4), which
 * a message holds twice while it sorts its members, beside a 13-byte header per member (whose
 * text takes at least 6 bytes): under 5 bytes a byte of text, and heads of at most 9 bytes for
 * each of MAX_DEPTH levels. */
#define IOTP_JSON_ROOM(len) (5u * (size_t)(len) + 9u * (IOTP_MAX_DEPTH + 1u))

/**
 * Reads `len` bytes of JSON text as one value of `type` (RFC 8259; whitespace around the value,
 * nothing else after it: IOTP-WIRE-78) and writes its canonical encoding to `out`. The encoding is
 * not checked against the schema's bounds and ranges here: decode it with the type's generated
 * decoder, which rejects what a value of the type cannot hold. While it works, `out` holds more
 * than the encoding (members are collected, then sorted by key): IOTP_JSON_ROOM(len) bytes are
 * always enough, and a smaller buffer may give IOTP_JSON_NO_ROOM.
 */
iotp_json_result iotp_json_to_cbor(const iotp_json_type *type, const char *text, size_t len,
                                   uint8_t *out, size_t cap, size_t *out_len, iotp_json_error *err);

/**
 * Writes the canonical JSON (§4.18) of the encoded value of `type` at `data` as text to `out`,
 * NUL-terminated (`*out_len` excludes the NUL). `data` must be a value the type's decoder accepts;
 * anything else is IOTP_JSON_INVALID, never an overrun.
 */
iotp_json_result iotp_json_from_cbor(const iotp_json_type *type, const uint8_t *data, size_t len,
                                     char *out, size_t cap, size_t *out_len, iotp_json_error *err);

/** Records in `err` (may be NULL) that the codec's decoder rejected the encoding read from JSON:
 * the class's name, at the offset in the encoding. Returns false, for generated `_from_json`. */
bool iotp_json_rejected(iotp_json_error *err, const iotp_decode_error *rejected);

/**
 * Finds the member `name` of the JSON object that `text` holds and gives the span of its value as
 * written (`text + *start` to `text + *end`), so that a caller reads it with iotp_json_to_cbor with
 * the digits of its numbers intact. False when `text` is not one JSON object or has no such member.
 */
bool iotp_json_member_span(const char *text, size_t len, const char *name, size_t *start,
                           size_t *end);

#ifdef __cplusplus
}
#endif

#endif /* IOTP2P_JSON_H */
