/*
 * iotp2p.h: the hand-written runtime of iotp2p's C codecs.
 *
 * A strict reader and a canonical writer for the iotp2p profile of deterministic CBOR
 * (spec/04-wire-format.md). Generated per-message code (`iotp2p gen c`) calls these functions only;
 * applications call the generated code.
 *
 * The reader accepts only the one canonical encoding of each value and rejects everything else with
 * the spec's error class (§4.17) and byte offset, the same class and offset as the Rust reference
 * runtime (codec/src/runtime/reader.rs) for the same input and the same call. The writer produces that
 * canonical encoding and refuses to nest deeper than MAX_DEPTH (§4.16).
 *
 * C99 and freestanding: only <stdbool.h>, <stddef.h> and <stdint.h>; no dynamic allocation, no global
 * mutable state (every function works on the reader or writer it is given, so it is reentrant), no
 * recursion (iotp_skip keeps an explicit stack of at most IOTP_MAX_DEPTH - 1 frames), and no floating
 * point arithmetic (floats are checked and converted on their bit patterns, so a Cortex-M4 pulls in
 * no software double-precision routines).
 *
 * Errors are sticky, in the manner of a stream: the first failure is recorded in the reader or writer,
 * the failing call returns false, and every later call returns false at once without touching the
 * input or output. Generated code therefore needs one test per call, `if (!iotp_read_...) return
 * false;`, and reports the error recorded in the reader.
 */
#ifndef IOTP2P_H
#define IOTP2P_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** MAX_DEPTH of spec §4.16: a top-level item has depth 1, an item inside a map or array of depth d
 * has depth d + 1, and nothing may be deeper. */
#define IOTP_MAX_DEPTH 16u

/** Largest map key of the profile (spec §4.8 rule 2). */
#define IOTP_MAX_KEY 65535u

/** CBOR major types, as iotp_write_head takes them. */
enum {
    /** Unsigned integer. */
    IOTP_MAJOR_UINT = 0,
    /** Negative integer (the value is -1 - argument). */
    IOTP_MAJOR_NINT = 1,
    /** Byte string. */
    IOTP_MAJOR_BYTES = 2,
    /** Text string. */
    IOTP_MAJOR_TEXT = 3,
    /** Array. */
    IOTP_MAJOR_ARRAY = 4,
    /** Map. */
    IOTP_MAJOR_MAP = 5
};

/**
 * Why a decoder rejected its input: the closed list of classes of spec §4.17, numbered as the spec
 * numbers them (and as the core schema's `DecodeError` enum carries them). Never renumber one.
 */
typedef enum iotp_error_class {
    /** The input ends inside a head or inside the content a head announces (offset: the input's
     * length). */
    IOTP_ERR_TRUNCATED = 0,
    /** Bytes follow the top-level item. */
    IOTP_ERR_TRAILING_BYTES = 1,
    /** A reserved additional-information value, or 31 with major type 0, 1 or 6. */
    IOTP_ERR_INVALID_HEAD = 2,
    /** An indefinite-length string, array or map, or a "break". */
    IOTP_ERR_INDEFINITE_LENGTH = 3,
    /** An integer, length or count not in its shortest form. */
    IOTP_ERR_NON_CANONICAL_INTEGER = 4,
    /** A float not in its shortest exact form, or a NaN other than f9 7e 00. */
    IOTP_ERR_NON_CANONICAL_FLOAT = 5,
    /** A tag, or a simple value other than false, true and null. */
    IOTP_ERR_FORBIDDEN_ITEM = 6,
    /** A text string that is not well-formed UTF-8. */
    IOTP_ERR_INVALID_UTF8 = 7,
    /** A data item of another kind than the schema's type, or a map key that is not an unsigned
     * integer. */
    IOTP_ERR_WRONG_TYPE = 8,
    /** A map key less than the previous one. */
    IOTP_ERR_UNSORTED_KEYS = 9,
    /** A map key equal to the previous one. */
    IOTP_ERR_DUPLICATE_KEY = 10,
    /** A union that is not a map of exactly one entry. */
    IOTP_ERR_INVALID_UNION = 11,
    /** A string, byte string or array longer than its bound, or fixed-size bytes of another
     * length. */
    IOTP_ERR_BOUND_EXCEEDED = 12,
    /** An integer outside its type or range, an enum number beyond 32 bits, a map key above 65535,
     * or a double where an f32 is expected. */
    IOTP_ERR_OUT_OF_RANGE = 13,
    /** Nesting deeper than MAX_DEPTH or a type's @max_depth. */
    IOTP_ERR_DEPTH_EXCEEDED = 14,
    /** A required field is absent (offset: the message's map). */
    IOTP_ERR_MISSING_FIELD = 15,
    /** A defaulted field is present with its default value (offset: its key). */
    IOTP_ERR_DEFAULT_VALUE_PRESENT = 16,
    /** Not a class of the spec: no error has happened. */
    IOTP_ERR_NONE = 17
} iotp_error_class;

/** A rejected input: which rule, and where. */
typedef struct iotp_decode_error {
    /** Which rule was broken; IOTP_ERR_NONE while nothing was rejected. */
    iotp_error_class cls;
    /** Byte offset, from the start of the input, of the item (or head) that broke it. */
    size_t offset;
    /** The field being decoded (`Type.field`) when generated code named it, else NULL. */
    const char *field;
} iotp_decode_error;

/** A cursor over one encoded input. Initialise with iotp_reader_init; treat the members as
 * read-only. */
typedef struct iotp_reader {
    /** The input. */
    const uint8_t *data;
    /** Its length in bytes. */
    size_t len;
    /** Offset of the next byte to read (never above len). */
    size_t pos;
    /** The first error, or class IOTP_ERR_NONE. */
    iotp_decode_error err;
} iotp_reader;

/** A text string inside the input: not NUL-terminated, validated UTF-8 (zero-copy). */
typedef struct iotp_text {
    /** First byte (inside the reader's input). */
    const char *ptr;
    /** Length in bytes. */
    size_t len;
} iotp_text;

/** A byte string inside the input, or a run of encoded items (zero-copy). */
typedef struct iotp_bytes {
    /** First byte (inside the reader's input). */
    const uint8_t *ptr;
    /** Length in bytes. */
    size_t len;
} iotp_bytes;

/** The kind of a parsed head. */
typedef enum iotp_kind {
    /** Major type 0; arg is the value. */
    IOTP_KIND_UINT = 0,
    /** Major type 1; arg is the argument (the value is -1 - arg). */
    IOTP_KIND_NINT = 1,
    /** Major type 2; arg is the length. */
    IOTP_KIND_BYTES = 2,
    /** Major type 3; arg is the length. */
    IOTP_KIND_TEXT = 3,
    /** Major type 4; arg is the count. */
    IOTP_KIND_ARRAY = 4,
    /** Major type 5; arg is the number of entries. */
    IOTP_KIND_MAP = 5,
    /** false (arg 0) or true (arg 1). */
    IOTP_KIND_BOOL = 6,
    /** null. */
    IOTP_KIND_NULL = 7,
    /** A canonical float; arg holds its bit pattern in the width it was encoded in. */
    IOTP_KIND_FLOAT = 8
} iotp_kind;

/** A parsed item head: everything but the content of strings, arrays and maps. */
typedef struct iotp_head {
    /** What the item is. */
    iotp_kind kind;
    /** For a float, its encoded width in bytes, head included: 3, 5 or 9; otherwise 0. */
    uint8_t width;
    /** The argument (see iotp_kind). */
    uint64_t arg;
} iotp_head;

/** A message's map while generated code reads its entries (see iotp_map_begin). */
typedef struct iotp_map {
    /** Offset of the map's initial byte: where missing-field is reported. */
    size_t start;
    /** Offset of the first entry: the retained unknown entries lie from here to the map's end. */
    size_t entries;
    /** Entries not read yet. */
    size_t left;
    /** How many levels each key and value may use, itself included. */
    size_t depth;
    /** Offset of the last key read: where default-value-present is reported. */
    size_t key_at;
    /** Unknown entries skipped so far (see iotp_map_skip_value). */
    size_t unknown;
    /** Smallest key allowed next: the previous key plus one (0 at first). */
    uint32_t next_key;
} iotp_map;

/** Starts reading `len` bytes at `data` (which must stay valid while values point into it). */
void iotp_reader_init(iotp_reader *r, const uint8_t *data, size_t len);

/** Whether no error has been recorded. */
static inline bool iotp_ok(const iotp_reader *r) { return r->err.cls == IOTP_ERR_NONE; }

/** Records an error of class `cls` at `offset` (unless one is recorded already) and returns false.
 * Generated code reports missing-field, default-value-present and invalid-union through it. */
bool iotp_fail(iotp_reader *r, iotp_error_class cls, size_t offset);

/** Names the field (`Type.field`) of the recorded error unless a deeper field already did. */
void iotp_in_field(iotp_reader *r, const char *field);

/** How generated code names a field (`Type.field`) in errors. Define IOTP_NO_FIELD_NAMES to leave
 * the names out (errors keep their class and offset, `field` is NULL): one string less per field in
 * read-only memory. */
#ifdef IOTP_NO_FIELD_NAMES
#define IOTP_FIELD(name) NULL
#else
#define IOTP_FIELD(name) (name)
#endif

/** Records missing-field at the start of the map `m` for `field` (the first required field absent);
 * returns false. */
bool iotp_missing_field(iotp_reader *r, const iotp_map *m, const char *field);

/** Records default-value-present at the key just read from `m` for `field`; returns false. */
bool iotp_default_present(iotp_reader *r, const iotp_map *m, const char *field);

/** Names the field of the recorded error as iotp_in_field does and returns false, so that a decoder
 * reports a failed field in one statement: `return iotp_field_error(r, "Type.field");`. */
static inline bool iotp_field_error(iotp_reader *r, const char *field) {
#ifdef IOTP_NO_FIELD_NAMES
    /* Nothing to record: every failed field's exit is the same `return false`. */
    (void)r;
    (void)field;
#else
    iotp_in_field(r, field);
#endif
    return false;
}

/** The class's name as the spec and the conformance vectors write it (`truncated`, ...), or "none". */
const char *iotp_error_class_name(iotp_error_class cls);

/** Fails with trailing-bytes (at the first remaining byte) unless the whole input was read. */
bool iotp_finish(iotp_reader *r);

/** Parses the next item's head, checked in the order of spec §4.17.1: initial byte (§4.3), then a
 * complete head with its argument in shortest form, or a float in its shortest exact form (NaN only
 * as f9 7e 00). The content of strings, arrays and maps is left to the caller. */
bool iotp_read_head(iotp_reader *r, iotp_head *h);

/** An unsigned integer within [min, max] (the type's range or its @range); a negative integer or one
 * outside the range is out-of-range, any other item wrong-type. */
bool iotp_read_uint(iotp_reader *r, uint64_t min, uint64_t max, uint64_t *out);

/** An unsigned or negative integer within [min, max]; one beyond int64_t is out-of-range. */
bool iotp_read_int(iotp_reader *r, int64_t min, int64_t max, int64_t *out);

/** A u8 within [min, max]. */
bool iotp_read_u8(iotp_reader *r, uint8_t min, uint8_t max, uint8_t *out);
/** A u16 within [min, max]. */
bool iotp_read_u16(iotp_reader *r, uint16_t min, uint16_t max, uint16_t *out);
/** A u32 within [min, max]. */
bool iotp_read_u32(iotp_reader *r, uint32_t min, uint32_t max, uint32_t *out);
/** An i8 within [min, max]. */
bool iotp_read_i8(iotp_reader *r, int8_t min, int8_t max, int8_t *out);
/** An i16 within [min, max]. */
bool iotp_read_i16(iotp_reader *r, int16_t min, int16_t max, int16_t *out);
/** An i32 within [min, max]. */
bool iotp_read_i32(iotp_reader *r, int32_t min, int32_t max, int32_t *out);

/** An enum number: 0 to 4294967295 (spec §4.9: enums are open, so any such number is accepted). */
bool iotp_read_enum(iotp_reader *r, uint32_t *out);

/** false or true. */
bool iotp_read_bool(iotp_reader *r, bool *out);

/** null (a unit union variant's value). */
bool iotp_read_null(iotp_reader *r);

/** A float (f64) in its shortest exact encoding, widened exactly; the NaN is the quiet NaN
 * 0x7ff8000000000000, as Rust's f64::NAN. */
bool iotp_read_f64(iotp_reader *r, double *out);

/** A binary32 float (f32): a double-precision item is out-of-range (spec §4.5.3). */
bool iotp_read_f32(iotp_reader *r, float *out);

/** A text string of at most `max` bytes of well-formed UTF-8 (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF). Checks the bound before the content (`bound-first`). */
bool iotp_read_text(iotp_reader *r, size_t max, iotp_text *out);

/** A byte string of at most `max` bytes. */
bool iotp_read_bytes(iotp_reader *r, size_t max, iotp_bytes *out);

/** A byte string of exactly `len` bytes (`bytes[N]`); another length is bound-exceeded. */
bool iotp_read_fixed(iotp_reader *r, size_t len, iotp_bytes *out);

/* The same three copied into a buffer of the value (`iotp2p gen c --strings copy`), so that it
 * outlives the input: the same checks and errors, then the content copied and its length stored. */

/** iotp_read_text into the `max` + 1 bytes at `data`: the text, then a NUL. */
bool iotp_read_text_copy(iotp_reader *r, size_t max, char *data, size_t *len);

/** iotp_read_bytes into the `max` bytes at `data`. */
bool iotp_read_bytes_copy(iotp_reader *r, size_t max, uint8_t *data, size_t *len);

/** iotp_read_fixed into the `len` bytes at `data` (and `len` into `*n`). */
bool iotp_read_fixed_copy(iotp_reader *r, size_t len, uint8_t *data, size_t *n);

/** An array head with at most `max` items (checked on the head); stores the count. A count that the
 * remaining bytes cannot hold (one byte an item) is truncated, before any item is read. */
bool iotp_read_array(iotp_reader *r, size_t max, size_t *count);

/** A map head; stores the number of entries. A count that the remaining bytes cannot hold (two bytes
 * an entry) is truncated, before any entry is read. */
bool iotp_read_map(iotp_reader *r, size_t *count);

/** A map key (spec §4.8 rules 1-4): an unsigned integer up to 65535 and at least `min` (the previous
 * key plus one, or 0). Below `min` it is duplicate-key when it equals the previous key, else
 * unsorted-keys. */
bool iotp_read_key(iotp_reader *r, uint32_t min, uint32_t *key);

/** Enters a map or array of `count` entries or items whose first one starts at the reader's position.
 * `depth` is how many levels the container may use, itself included; stores what is left for its
 * contents (depth - 1). Contents that would lie too deep fail as iotp_depth_exceeded does. */
bool iotp_enter(iotp_reader *r, size_t depth, size_t count, size_t *inner);

/** Records the error for an item at the reader's position that lies too deep (MAX_DEPTH, or a
 * recursive type's @max_depth): the item's own initial byte and head are checked first, as §4.17.1
 * orders, so a broken head reports its own class; otherwise depth-exceeded at the item. The position
 * does not move. Always returns false. */
bool iotp_depth_exceeded(iotp_reader *r);

/** Skips one profile-conformant item (spec §4.15: an unknown field's value or an unknown variant's
 * payload), checking all of it, and stores its bytes. `depth` is how many levels the item may use,
 * itself included; values above IOTP_MAX_DEPTH count as IOTP_MAX_DEPTH, the most any caller has. */
bool iotp_skip(iotp_reader *r, size_t depth, iotp_bytes *out);

/** Reads a message's map head and enters it (`depth`: levels the map may use, itself included).
 * Then iotp_map_next gives each key in turn. */
bool iotp_map_begin(iotp_reader *r, size_t depth, iotp_map *m);

/** Reads the next key of the map, ascending (rules 1-4 of §4.8). Returns false at the end of the map
 * and on an error: iotp_ok tells which. */
bool iotp_map_next(iotp_reader *r, iotp_map *m, uint32_t *key);

/** Skips the value of an unknown field (checked to fit the map's depth) and counts it. */
bool iotp_map_skip_value(iotp_reader *r, iotp_map *m);

/** Reads a union's map: exactly one entry (else invalid-union at the map), entered with `depth`
 * levels; stores the variant's key and the levels left for its value. */
bool iotp_union_begin(iotp_reader *r, size_t depth, uint32_t *key, size_t *inner);

/** Reads an array head of at most `max` items and enters it (`depth`: levels the array may use,
 * itself included); stores the count and the levels left for each item. */
bool iotp_array_begin(iotp_reader *r, size_t max, size_t depth, size_t *count, size_t *inner);

/** The retained unknown fields of one decoded message (spec §4.15), zero-copy: the map's entries as
 * decoded (known ones included; they are skipped when written) and how many are unknown. A message
 * that an application builds has none: all members zero. */
typedef struct iotp_unknown {
    /** The map's entries, keys and values (inside the decoded input). */
    const uint8_t *entries;
    /** Their length in bytes. */
    size_t len;
    /** How many entries have keys the schema does not define. */
    size_t count;
} iotp_unknown;

/** The unknown fields of the map `m` whose last entry the reader has just read. */
void iotp_map_unknown(const iotp_reader *r, const iotp_map *m, iotp_unknown *out);

/** Whether `t` holds exactly the `len` bytes at `s` (a decoder's and encoder's test of a text
 * field's default value). */
bool iotp_text_equals(iotp_text t, const char *s, size_t len);

/** Whether the `n` bytes at `data` are exactly the `len` bytes at `s` (the same test for a copied
 * text). */
bool iotp_chars_equal(const char *data, size_t n, const char *s, size_t len);

/** Copies the `len` bytes at `s`, then a NUL, into `data`, and `len` into `*n`: a copied text's
 * default, set by a decoder when the field is absent. */
void iotp_chars_copy(char *data, size_t *n, const char *s, size_t len);

/** The bits of a float, by which a float field is compared with its default (as the Rust codec
 * does: -0.0 is not 0.0). */
uint32_t iotp_f32_bits(float v);

/** The bits of a double (see iotp_f32_bits). */
uint64_t iotp_f64_bits(double v);

/** Why an encoder refused. */
typedef enum iotp_encode_error_kind {
    /** No error has happened. */
    IOTP_ENC_NONE = 0,
    /** The output buffer is too small; `needed` bytes would have taken the failing write. */
    IOTP_ENC_BUFFER_TOO_SMALL = 1,
    /** A string, byte string or array is longer than its bound (`field` names it). */
    IOTP_ENC_BOUND_EXCEEDED = 2,
    /** An integer is outside its @range (`field` names it). */
    IOTP_ENC_OUT_OF_RANGE = 3,
    /** The value nests deeper than MAX_DEPTH, which no encoder may produce (IOTP-WIRE-61). */
    IOTP_ENC_DEPTH_EXCEEDED = 4,
    /** Already-encoded content that cannot be written as it is: not one canonical item, or an
     * unknown variant whose key is too large or defined. */
    IOTP_ENC_INVALID_UNKNOWN = 5
} iotp_encode_error_kind;

/** A refused encoding. */
typedef struct iotp_encode_error {
    /** Why; IOTP_ENC_NONE while nothing was refused. */
    iotp_encode_error_kind kind;
    /** For IOTP_ENC_BUFFER_TOO_SMALL: the buffer size the failing write needed. */
    size_t needed;
    /** The field (`Type.field`) for bound and range errors, else NULL. */
    const char *field;
} iotp_encode_error;

/** A cursor over an output buffer. Initialise with iotp_writer_init; treat the members as
 * read-only. */
typedef struct iotp_writer {
    /** The output buffer. */
    uint8_t *buf;
    /** Its size in bytes. */
    size_t cap;
    /** Bytes written so far. */
    size_t pos;
    /** Depth of the next item written: 1 at the top, one more inside each open map or array. */
    size_t depth;
    /** The first error, or kind IOTP_ENC_NONE. */
    iotp_encode_error err;
} iotp_writer;

/** Starts writing into the `cap` bytes at `buf`. */
void iotp_writer_init(iotp_writer *w, uint8_t *buf, size_t cap);

/** Whether no error has been recorded. */
static inline bool iotp_writer_ok(const iotp_writer *w) { return w->err.kind == IOTP_ENC_NONE; }

/** Records a refusal (unless one is recorded already) and returns false. Generated encoders report
 * IOTP_ENC_BOUND_EXCEEDED and IOTP_ENC_OUT_OF_RANGE for `field` through it. */
bool iotp_writer_fail(iotp_writer *w, iotp_encode_error_kind kind, const char *field);

/** How many levels the next item may use, itself included, before MAX_DEPTH. */
size_t iotp_writer_levels(const iotp_writer *w);

/** Bytes taken by a head carrying `arg`: 1, 2, 3, 5 or 9. */
size_t iotp_head_len(uint64_t arg);

/** Bytes taken by a signed integer. */
size_t iotp_int_len(int64_t v);

/** Bytes taken by a double in its shortest exact form: 3, 5 or 9. */
size_t iotp_float_len(double v);

/** A head of major type `major` (IOTP_MAJOR_*) with `arg` in shortest form. */
bool iotp_write_head(iotp_writer *w, uint8_t major, uint64_t arg);

/** An unsigned integer. */
bool iotp_write_uint(iotp_writer *w, uint64_t v);

/** A signed integer. */
bool iotp_write_int(iotp_writer *w, int64_t v);

/** false or true. */
bool iotp_write_bool(iotp_writer *w, bool v);

/** null. */
bool iotp_write_null(iotp_writer *w);

/** A double in its shortest exact form (half, single or double); every NaN as f9 7e 00. */
bool iotp_write_f64(iotp_writer *w, double v);

/** A float (f32), as iotp_write_f64 of the same value writes it. */
bool iotp_write_f32(iotp_writer *w, float v);

/** A text string of `len` bytes (UTF-8, which the caller guarantees). */
bool iotp_write_text(iotp_writer *w, const char *s, size_t len);

/** A byte string of `len` bytes. */
bool iotp_write_bytes(iotp_writer *w, const uint8_t *b, size_t len);

/** An array head for `n` items; the items follow, then iotp_write_close(w, n). Refused
 * (depth-exceeded) when its items would lie deeper than MAX_DEPTH. */
bool iotp_write_array(iotp_writer *w, size_t n);

/** A map head for `n` entries; keys and values follow, then iotp_write_close(w, n). */
bool iotp_write_map(iotp_writer *w, size_t n);

/** Ends the map or array of `n` entries or items opened last. */
void iotp_write_close(iotp_writer *w, size_t n);

/** Already-encoded items (retained unknown fields, an unknown variant's value), copied as they are.
 * `room` is how many levels each item was checked to use when it was decoded; when the items now sit
 * deeper than that allowed, they are measured again and refused if they would pass MAX_DEPTH. */
bool iotp_write_raw_items(iotp_writer *w, const uint8_t *bytes, size_t len, size_t room);

/** Already-encoded items that the caller has just checked against iotp_writer_levels. */
bool iotp_write_raw_checked(iotp_writer *w, const uint8_t *bytes, size_t len);

/** One already-encoded item that no decoder has checked here: it must be exactly one canonical item
 * of the profile that fits the levels left (else IOTP_ENC_INVALID_UNKNOWN, or
 * IOTP_ENC_DEPTH_EXCEEDED when only its depth is wrong). */
bool iotp_write_raw_item(iotp_writer *w, const uint8_t *bytes, size_t len);

/** Writes a message's retained unknown fields merged, in ascending key order, with the known fields
 * that a generated encoder writes (IOTP-WIRE-56), in one pass over the retained entries as the
 * encoder goes: it names every key the schema defines, ascending (iotp_write_key for a field it
 * writes, iotp_merge_before for one it leaves out), so that an entry is the old value of a known
 * field exactly when its key is the one named, and unknown when it is below. Initialise with
 * iotp_merge_init; treat the members as private. */
typedef struct iotp_merge {
    /** Cursor over the retained entries not yet passed. */
    iotp_reader r;
} iotp_merge;

/** Starts merging `u` (which may have no entries). */
void iotp_merge_init(iotp_merge *g, const iotp_unknown *u);

/** Writes the unknown entries whose keys are below `key` and passes over the entry of `key`, the known
 * field's value as decoded: call it for each known field, ascending, before writing it or instead of
 * it when it is left out. An entry that now sits deeper than MAX_DEPTH allows (it was checked for the
 * levels it had when decoded) is refused, IOTP_ENC_DEPTH_EXCEEDED. With no unknown entries left it is
 * one comparison. */
bool iotp_merge_before(iotp_writer *w, iotp_merge *g, uint32_t key);

/** Writes the key of the known field `key` after the unknown entries below it (iotp_merge_before,
 * then the key): how an encoder starts each field. */
bool iotp_write_key(iotp_writer *w, iotp_merge *g, uint32_t key);

/** Writes the unknown entries not yet written: call it after the last known field. */
bool iotp_merge_finish(iotp_writer *w, iotp_merge *g);

/** Checks that an unknown union variant can be written: its key is at most 65535 and not one that the
 * union defines (`known`, ascending); else IOTP_ENC_INVALID_UNKNOWN. */
bool iotp_check_unknown_variant(iotp_writer *w, uint32_t key, const uint32_t *known,
                                size_t known_count);

/* ---------------------------------------------------------------------------------------------- */
/* Table-driven messages and unions: generated code describes each type in a const table (iotp_record)
 * and its `_decode_from` / `_encode_to` call these two interpreters, so that the code per field is a
 * few bytes of read-only data instead of a decoder and an encoder of its own. */

/** What a field (or a union variant) holds, as the interpreters read and write it. */
typedef enum iotp_field_kind {
    IOTP_FK_BOOL = 0,
    IOTP_FK_U8 = 1,
    IOTP_FK_U16 = 2,
    IOTP_FK_U32 = 3,
    IOTP_FK_U64 = 4,
    IOTP_FK_I8 = 5,
    IOTP_FK_I16 = 6,
    IOTP_FK_I32 = 7,
    IOTP_FK_I64 = 8,
    IOTP_FK_F32 = 9,
    IOTP_FK_F64 = 10,
    /** iotp_text, at most `len` bytes of UTF-8. */
    IOTP_FK_TEXT = 11,
    /** iotp_bytes, at most `len` bytes. */
    IOTP_FK_BYTES = 12,
    /** iotp_bytes, exactly `len` bytes. */
    IOTP_FK_FIXED = 13,
    /** A message or union described by the iotp_record at `type`. */
    IOTP_FK_RECORD = 14,
    /** A union's variant without a value (encoded as null). */
    IOTP_FK_UNIT = 15
} iotp_field_kind;

/** iotp_field.flags: a message field that must be present. */
#define IOTP_FF_REQUIRED 0x0u
/** iotp_field.flags: an optional field; its `bool has_<member>` lies `IOTP_FF_HAS_BACK` bytes before
 * the member. */
#define IOTP_FF_OPTIONAL 0x1u
/** iotp_field.flags: a field with a default value (the iotp_scalar at `type`), absent when equal. */
#define IOTP_FF_DEFAULT 0x2u
/** iotp_field.flags: which of the three above. */
#define IOTP_FF_PRESENCE 0x3u
/** iotp_field.flags: an array; its `type` is an iotp_items (the items' type, bound and count). */
#define IOTP_FF_ARRAY 0x4u
/** iotp_field.flags: text or bytes copied into the struct (`iotp2p gen c --strings copy`): a `size_t`
 * length, then the buffer (`len` bytes; a text's `len` + 1, for its NUL), instead of an iotp_text or
 * iotp_bytes. The interpreters read it only when the runtime is built with IOTP_COPIED_STRINGS (a
 * firmware without copies leaves that code out); generated code that has such fields does not
 * compile without it. */
#define IOTP_FF_COPY 0x8u
/** iotp_field.flags: how far before an optional member its presence flag lies (at most 8 bytes, an
 * alignment's padding: the flag is declared right before the member). */
#define IOTP_FF_HAS_BACK(bytes) ((unsigned)(bytes) << 4)

/** A scalar field's narrowed range and its default, when it has either (else the kind's full range
 * and no default). */
typedef struct iotp_scalar {
    /** Smallest and largest value allowed (signed kinds: the int64_t's bits). */
    uint64_t min;
    uint64_t max;
    /** The default: a number's bits (signed: the int64_t's, floats: the IEEE bits), or a text
     * default's length. */
    uint64_t dflt;
    /** A text default's bytes, else NULL. */
    const char *text;
} iotp_scalar;

/** The items of an array field (the iotp_field.type of a field flagged IOTP_FF_ARRAY): kept apart
 * so that the far more common fields that are not arrays do not carry an array's facts. */
typedef struct iotp_items {
    /** IOTP_FK_RECORD: the iotp_record of the items' type; scalars: an iotp_scalar or NULL. */
    const void *type;
    /** offsetof the array's `size_t` item count. */
    uint32_t count_at;
    /** The array's bound. */
    uint16_t max_items;
} iotp_items;

/** A field table entry's name (`Type.field`, for errors), last in the entry's initializer with the
 * comma before it: nothing under IOTP_NO_FIELD_NAMES, where iotp_field has no name member. */
#ifdef IOTP_NO_FIELD_NAMES
#define IOTP_ENTRY_NAME(name)
#else
#define IOTP_ENTRY_NAME(name) , (name)
#endif

/** One field of a message (or one variant of a union): 20 bytes on a 32-bit target, 16 under
 * IOTP_NO_FIELD_NAMES. */
typedef struct iotp_field {
    /** IOTP_FK_RECORD: the iotp_record of the value's type; scalars: an iotp_scalar or NULL; an
     * array (IOTP_FF_ARRAY): its iotp_items. */
    const void *type;
    /** offsetof the member (for an array, of its first item). */
    uint32_t offset;
    /** Text and bytes: the largest length; fixed bytes: the length (an array's: of each item). */
    uint32_t len;
    /** The key. */
    uint16_t key;
    /** An iotp_field_kind (an array's: of its items). */
    uint8_t kind;
    /** IOTP_FF_* bits. */
    uint8_t flags;
#ifndef IOTP_NO_FIELD_NAMES
    /** `Type.field` for errors (absent under IOTP_NO_FIELD_NAMES: the errors name no field then). */
    const char *name;
#endif
} iotp_field;

/** iotp_record.unknown_at of a message that does not keep its unknown fields. */
#define IOTP_NO_UNKNOWN UINT32_MAX

/** A message or union type. */
typedef struct iotp_record {
    /** Its fields (variants), ascending by key. */
    const iotp_field *fields;
    /** A union's keys, ascending (reserved ones too): unknown variants have none of them. NULL for a
     * message, whose encoder names each field's key to the merge of unknown entries instead. */
    const uint32_t *keys;
    /** A message's fields in source order, as indexes into `fields` (the order in which a missing
     * field is reported), or NULL when that is key order. */
    const uint8_t *source_order;
    /** sizeof the C struct (an array's stride). */
    uint32_t size;
    /** offsetof its `unknown_fields` (message) or `unknown` (union); IOTP_NO_UNKNOWN for a message
     * generated without unknown fields (`--drop-unknown-fields`: checked and skipped, not kept). */
    uint32_t unknown_at;
    /** How many entries `fields` and `keys` hold. */
    uint8_t field_count;
    uint8_t key_count;
    /** Whether it is a union (its `uint32_t key` first in the struct). */
    bool is_union;
} iotp_record;

/** Decodes one value of `type` into `*out` at the reader's position (`depth`: levels it may use):
 * what a generated `_decode_from` does. */
bool iotp_record_decode(iotp_reader *r, size_t depth, const iotp_record *type, void *out);

/** Encodes the value of `type` at `v`: what a generated `_encode_to` does. */
bool iotp_record_encode(iotp_writer *w, const iotp_record *type, const void *v);

/** What a generated `<package>_transcode` did. */
typedef enum iotp_transcode_result {
    /** Decoded, and encoded back: `*out_len` bytes. */
    IOTP_TRANSCODE_OK = 0,
    /** The input was rejected: `*err` says why and where. */
    IOTP_TRANSCODE_REJECTED = 1,
    /** The decoded value could not be encoded (the output is too small): `*enc` says why. */
    IOTP_TRANSCODE_REFUSED = 2,
    /** The package has no type of that name. */
    IOTP_TRANSCODE_UNKNOWN_TYPE = 3
} iotp_transcode_result;

/** Whether the NUL-terminated names `a` and `b` are the same (generated code compares type names
 * with it: the runtime needs no C library). */
bool iotp_name_is(const char *a, const char *b);

/** The result of a transcode whose decoding read with `r` and whose encoding wrote with `w`: the
 * output's length in `*out_len`, or the error in `*err` or `*enc`. */
iotp_transcode_result iotp_transcode_finish(const iotp_reader *r, const iotp_writer *w,
                                            size_t *out_len, iotp_decode_error *err,
                                            iotp_encode_error *enc);

#ifdef __cplusplus
}
#endif

#endif /* IOTP2P_H */
