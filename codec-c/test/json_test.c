/*
 * Tests of the JSON mapping (runtime/iotp2p_json.c with the generated generated/pet_json.c and
 * generated/iotp2p_conformance_json.c): a Pet to JSON and back, the rules of spec §4.18 a reader
 * enforces itself (duplicate members, `-0`, fractions, lowercase hex, `#<key>` names, null, text
 * after the value, nesting, a union's one member), what the decoder refuses after it (a bound), every truncation of a
 * JSON text, and outputs that do not fit. The conformance vectors check the mapping of every type;
 * these pin the unit's own API. Closes with "N passed, N failed".
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "iotp2p_conformance_json.h"
#include "pet_json.h"

static uint8_t scratch[4096];

/* Whether `text` reads as a Pet. */
static bool pet_reads(const char *text) {
    pet_pet p;
    iotp_json_error err;
    return pet_pet_from_json(text, strlen(text), &p, scratch, sizeof scratch, &err);
}

/* Whether `text` reads as the conformance suite's Scalars, and encodes to `hex` when it does. */
static bool scalars_read_as(const char *text, const char *hex) {
    static const char digits[] = "0123456789abcdef";
    iotp2p_conformance_scalars s;
    uint8_t out[256];
    char written[513];
    size_t n, i;
    iotp_encode_error e;
    if (!iotp2p_conformance_scalars_from_json(text, strlen(text), &s, scratch, sizeof scratch,
                                              NULL) ||
        !iotp2p_conformance_scalars_encode(&s, out, sizeof out, &n, &e)) {
        return false;
    }
    for (i = 0; i < n; i++) {
        written[2 * i] = digits[out[i] >> 4];
        written[2 * i + 1] = digits[out[i] & 15];
    }
    written[2 * n] = '\0';
    return strcmp(written, hex) == 0;
}

/* The JSON that `text` (a Scalars) is written back as. */
static const char *scalars_json(const char *text) {
    static char json[512];
    static uint8_t encoded[512];
    iotp2p_conformance_scalars s;
    size_t len;
    if (!iotp2p_conformance_scalars_from_json(text, strlen(text), &s, scratch, sizeof scratch,
                                              NULL) ||
        !iotp2p_conformance_scalars_to_json(&s, encoded, sizeof encoded, json, sizeof json, &len)) {
        return "(refused)";
    }
    return json;
}

static void round_trip(void) {
    const char *text = "{\"species\": \"Dog\", \"names\": [\"Rex\", \"R\\u00e9x\"],"
                       " \"birthday\": \"0102030405060708\"}";
    pet_pet p;
    char json[256];
    uint8_t encoded[PET_PET_MAX_ENCODED_SIZE];
    size_t len;
    iotp_json_error err;
    CHECK(pet_pet_from_json(text, strlen(text), &p, scratch, sizeof scratch, &err));
    CHECK(p.names_count == 2 && p.species == PET_SPECIES_DOG && p.birthday.len == 8);
    CHECK(p.names[1].len == 4 && memcmp(p.names[1].ptr, "R\xc3\xa9x", 4) == 0);
    /* Members in key order, no whitespace. */
    CHECK(pet_pet_to_json(&p, encoded, sizeof encoded, json, sizeof json, &len));
    CHECK(strcmp(json, "{\"names\":[\"Rex\",\"R\xc3\xa9x\"],\"birthday\":\"0102030405060708\","
                       "\"species\":\"Dog\"}") == 0);
    CHECK(len == strlen(json));
    /* An output one byte too small (the NUL needs its own). */
    CHECK(!pet_pet_to_json(&p, encoded, sizeof encoded, json, len, &len));
    /* An unknown species is a number, and reads back as one. */
    CHECK(pet_reads("{\"names\":[],\"birthday\":\"0000000000000000\",\"species\":7}"));
    {
        const char *unknown = "{\"names\":[],\"birthday\":\"0000000000000000\",\"species\":7}";
        CHECK(pet_pet_from_json(unknown, strlen(unknown), &p, scratch, sizeof scratch, &err));
        CHECK(p.species == 7);
    }
}

static void refusals(void) {
    iotp_json_error err;
    pet_pet p;
    const char *bound = "{\"names\":[\"a\",\"b\",\"c\",\"d\",\"e\"],\"birthday\":\"0000000000000000\","
                        "\"species\":\"Cat\"}";
    /* Five names: the JSON is well-formed, the decoder refuses the array's bound. */
    CHECK(!pet_pet_from_json(bound, strlen(bound), &p, scratch, sizeof scratch, &err));
    CHECK(strcmp(err.why, "bound-exceeded") == 0);
    /* The birthday's hex: uppercase, odd, prefixed. */
    CHECK(!pet_reads("{\"names\":[],\"birthday\":\"00000000000000AA\",\"species\":\"Cat\"}"));
    CHECK(!pet_reads("{\"names\":[],\"birthday\":\"000000000000000\",\"species\":\"Cat\"}"));
    CHECK(!pet_reads("{\"names\":[],\"birthday\":\"0x00000000000000\",\"species\":\"Cat\"}"));
    /* A species that is not a name of the enum, a negative or fractional number, -0. */
    CHECK(!pet_reads("{\"names\":[],\"birthday\":\"0000000000000000\",\"species\":\"Cow\"}"));
    CHECK(!pet_reads("{\"names\":[],\"birthday\":\"0000000000000000\",\"species\":-1}"));
    CHECK(!pet_reads("{\"names\":[],\"birthday\":\"0000000000000000\",\"species\":1.0}"));
    CHECK(!pet_reads("{\"names\":[],\"birthday\":\"0000000000000000\",\"species\":-0}"));
    /* null for a member (named as the reason, whitespace or not), a member twice, an unknown
     * member, text after the value. */
    {
        const char *null_member = "{\"names\": null,\"birthday\":\"0000000000000000\",\"species\":0}";
        CHECK(!pet_pet_from_json(null_member, strlen(null_member), &p, scratch, sizeof scratch, &err));
        CHECK(strstr(err.why, "null") != NULL && err.offset == 10);
    }
    CHECK(!pet_reads("{\"names\":null,\"birthday\":\"0000000000000000\",\"species\":\"Cat\"}"));
    CHECK(!pet_reads("{\"names\":[],\"names\":[],\"birthday\":\"0000000000000000\",\"species\":0}"));
    CHECK(!pet_reads("{\"names\":[],\"age\":3,\"birthday\":\"0000000000000000\",\"species\":0}"));
    CHECK(!pet_reads("{\"names\":[],\"birthday\":\"0000000000000000\",\"species\":0} 1"));
    CHECK(pet_reads(" {\"names\":[],\"birthday\":\"0000000000000000\",\"species\":0}\n"));
    /* `#<key>`: a key the type has, leading zeros, past 65535; the value one whole item. */
    CHECK(!pet_reads("{\"#0\":\"80\",\"birthday\":\"0000000000000000\",\"species\":0}"));
    CHECK(!pet_reads("{\"names\":[],\"#07\":\"01\",\"birthday\":\"0000000000000000\",\"species\":0}"));
    CHECK(!pet_reads("{\"names\":[],\"#65536\":\"01\",\"birthday\":\"0000000000000000\",\"species\":0}"));
    CHECK(!pet_reads("{\"names\":[],\"#7\":\"0101\",\"birthday\":\"0000000000000000\",\"species\":0}"));
    CHECK(pet_reads("{\"names\":[],\"#7\":\"01\",\"birthday\":\"0000000000000000\",\"species\":0}"));
}

static void numbers(void) {
    /* Integers with all their digits, at the ends of their types and past them. */
    CHECK(scalars_read_as("{\"u64\":18446744073709551615}", "a1041bffffffffffffffff"));
    CHECK(!scalars_read_as("{\"u64\":18446744073709551616}", ""));
    CHECK(scalars_read_as("{\"i64\":-9223372036854775808}", "a1083b7fffffffffffffff"));
    CHECK(!scalars_read_as("{\"i64\":-9223372036854775809}", ""));
    CHECK(!scalars_read_as("{\"u8\":256}", ""));
    CHECK(!scalars_read_as("{\"u8\":1e2}", ""));
    /* Floats: rounded once to binary32 from the digits (spec §4.18's example), -0 kept,
     * infinities only as strings. */
    CHECK(scalars_read_as("{\"f32\":1.0000000596046448}", "a109fa3f800001"));
    CHECK(scalars_read_as("{\"f64\":-0}", "a10af98000"));
    CHECK(!scalars_read_as("{\"f32\":1e39}", ""));
    CHECK(scalars_read_as("{\"f32\":\"-Infinity\"}", "a109f9fc00"));
    /* Written with the fewest digits that read back as the field's type. */
    CHECK(strcmp(scalars_json("{\"f32\":0.1}"), "{\"f32\":0.1}") == 0);
    CHECK(strcmp(scalars_json("{\"f64\":0.1}"), "{\"f64\":0.1}") == 0);
    CHECK(strcmp(scalars_json("{\"f64\":\"NaN\"}"), "{\"f64\":\"NaN\"}") == 0);
    /* 2^-24: the 16-digit decimal printf rounds to reads back as the double below; the one above
     * is the shortest. */
    CHECK(strcmp(scalars_json("{\"f64\":5.9604644775390625e-08}"),
                 "{\"f64\":5.960464477539063e-8}") == 0);
    CHECK(strcmp(scalars_json("{\"f64\":-5.9604644775390625e-08}"),
                 "{\"f64\":-5.960464477539063e-8}") == 0);
    CHECK(strcmp(scalars_json("{\"text\":\"a\\\"\\n\\u0001\"}"),
                 "{\"text\":\"a\\\"\\n\\u0001\"}") == 0);
}

/* Whether `text` reads as the conformance suite's Choice and encodes to the `len` bytes `want`. */
static bool choice_reads_as(const char *text, const uint8_t *want, size_t len) {
    iotp2p_conformance_choice c;
    uint8_t out[64];
    size_t n;
    iotp_encode_error e;
    return iotp2p_conformance_choice_from_json(text, strlen(text), &c, scratch, sizeof scratch,
                                               NULL) &&
           iotp2p_conformance_choice_encode(&c, out, sizeof out, &n, &e) && n == len &&
           memcmp(out, want, len) == 0;
}

/* A union: one member, `null` for a unit variant, whitespace anywhere between tokens. */
static void unions(void) {
    static const uint8_t none[] = {0xa1, 0x00, 0xf6}, minus_3[] = {0xa1, 0x01, 0x22};
    CHECK(choice_reads_as("{\"none\":null}", none, sizeof none));
    CHECK(choice_reads_as(" { \"none\" : null } ", none, sizeof none));
    CHECK(choice_reads_as("{\"number\": -3}", minus_3, sizeof minus_3));
    /* No member, two members, null for a variant with a value, a value for a unit variant. */
    CHECK(!choice_reads_as("{}", none, sizeof none));
    CHECK(!choice_reads_as("{\"none\":null,\"number\":1}", none, sizeof none));
    CHECK(!choice_reads_as("{\"number\":null}", none, sizeof none));
    CHECK(!choice_reads_as("{\"none\":0}", none, sizeof none));
}

/* Many unknown members in descending key order: written back in ascending order, and a key given
 * twice, however far apart, refused. */
static void member_order(void) {
    static char text[65536], json[65536];
    static uint8_t big[131072], encoded[65536];
    static const char first[] = "{\"names\":[],\"birthday\":\"0000000000000000\",\"species\":\"Cat\","
                                "\"#3\":\"03\",\"#4\":\"04\",";
    static const char last[] = ",\"#2001\":\"09\",\"#2002\":\"0a\"}";
    pet_pet p;
    size_t n = 0, len;
    unsigned key;
    n += (size_t)sprintf(text + n, "{\"species\":0,\"birthday\":\"0000000000000000\"");
    for (key = 2002; key >= 3; key--) {
        n += (size_t)sprintf(text + n, ",\"#%u\":\"%02x\"", key, key % 24);
    }
    n += (size_t)sprintf(text + n, ",\"names\":[]}");
    CHECK(pet_pet_from_json(text, n, &p, big, sizeof big, NULL));
    CHECK(p.unknown_fields.count == 2000);
    CHECK(pet_pet_to_json(&p, encoded, sizeof encoded, json, sizeof json, &len));
    CHECK(strncmp(json, first, strlen(first)) == 0);
    CHECK(len > strlen(last) && strcmp(json + len - strlen(last), last) == 0);
    /* The same with #1500 once more, at the end. */
    n -= 1;
    n += (size_t)sprintf(text + n, ",\"#1500\":\"00\"}");
    CHECK(!pet_pet_from_json(text, n, &p, big, sizeof big, NULL));
}

/* Every proper prefix of a valid text is refused, each read from a heap copy of exactly its length
 * so that the sanitizers and valgrind watch the end. */
static void truncations(void) {
    const char *text = "{\"names\":[\"Rex\"],\"birthday\":\"0102030405060708\",\"species\":\"Dog\"}";
    size_t n, len = strlen(text);
    unsigned accepted = 0;
    for (n = 0; n < len; n++) {
        char *copy = malloc(n ? n : 1);
        pet_pet p;
        if (copy == NULL) {
            continue;
        }
        memcpy(copy, text, n);
        accepted += pet_pet_from_json(copy, n, &p, scratch, sizeof scratch, NULL) ? 1u : 0u;
        free(copy);
    }
    CHECK(accepted == 0);
}

/* Nesting past MAX_DEPTH is refused before it recurses further. */
static void depth(void) {
    char text[4096];
    size_t i, n = 0;
    n += (size_t)sprintf(text + n, "{\"names\":");
    for (i = 0; i < 1000; i++) {
        text[n++] = '[';
    }
    text[n] = '\0';
    CHECK(!pet_reads(text));
}

int main(void) {
    round_trip();
    refusals();
    numbers();
    unions();
    member_order();
    truncations();
    depth();
    return checks_done();
}
