/*
 * Tests of the generated Pet codec (generated/pet.c, from schema/pet.iotp): decode, byte-identical
 * re-encode (unknown fields included), the errors a generated decoder reports itself
 * (missing-field, with the field), encoder refusals, and every truncation. Closes with "N passed, N
 * failed". Built with -DPET_LEAN against the Pet generated with --drop-unknown-fields
 * (generated-lean/), where unknown fields are checked and skipped, not kept, and with -DPET_COPY
 * against the Pet generated with --strings copy (generated-copy/), whose names and birthday are
 * copied into the struct and outlive the input.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pet.h"

/* Where a string's or bytes' content is: in the input, or copied into the struct. */
#ifdef PET_COPY
#define CONTENT data
#else
#define CONTENT ptr
#endif

/* {0: ["Rex", "Rexi"], 1: h'0102030405060708', 2: 1} */
static const uint8_t rex[] = {0xa3, 0x00, 0x82, 0x63, 'R', 'e', 'x', 0x64, 'R', 'e', 'x', 'i',
                              0x01, 0x48, 1, 2, 3, 4, 5, 6, 7, 8, 0x02, 0x01};

/* The same with unknown fields 3: [true] and 9: "x" around the known ones, and species 7 (unknown). */
static const uint8_t newer[] = {0xa5, 0x00, 0x81, 0x61, 'A', 0x01, 0x48, 1, 2, 3, 4, 5, 6, 7, 8,
                                0x02, 0x07, 0x03, 0x81, 0xf5, 0x09, 0x61, 'x'};

static bool reencodes(const uint8_t *in, size_t len) {
    pet_pet p;
    iotp_decode_error e;
    uint8_t out[PET_PET_MAX_ENCODED_SIZE + 16];
    iotp_writer w;
    if (!pet_pet_decode(in, len, &p, &e)) {
        return false;
    }
    iotp_writer_init(&w, out, sizeof out);
    return pet_pet_encode_to(&w, &p) && w.pos == len && memcmp(out, in, len) == 0;
}

/* How many truncations of `src` are not rejected as truncated at their own length. Each is read from
 * a heap copy of exactly that many bytes, so AddressSanitizer and valgrind watch its end. */
static unsigned truncations(const uint8_t *src, size_t len) {
    unsigned bad = 0;
    size_t n;
    for (n = 0; n < len; n++) {
        uint8_t *copy = malloc(n ? n : 1);
        pet_pet p;
        iotp_decode_error e;
        if (copy == NULL) {
            return bad + 1;
        }
        memcpy(copy, src, n);
        bad += pet_pet_decode(copy, n, &p, &e) || e.cls != IOTP_ERR_TRUNCATED || e.offset != n;
        free(copy);
    }
    return bad;
}

int main(void) {
    pet_pet p;
    iotp_decode_error e;
    uint8_t out[PET_PET_MAX_ENCODED_SIZE];
    iotp_writer w;
    size_t n;
    unsigned bad = 0;

    CHECK(pet_pet_decode(rex, sizeof rex, &p, &e));
    CHECK(p.names_count == 2 && p.names[1].len == 4 && memcmp(p.names[1].CONTENT, "Rexi", 4) == 0);
    CHECK(p.birthday.len == 8 && p.birthday.CONTENT[7] == 8 && p.species == PET_SPECIES_DOG);
    CHECK(reencodes(rex, sizeof rex));
#ifdef PET_COPY
    /* Copies outlive the input: decoded from a heap copy that is freed (AddressSanitizer and valgrind
     * would see a read of it), then read and encoded again. A text is followed by a NUL. */
    {
        uint8_t *input = malloc(sizeof rex);
        size_t len = 0;
        iotp_encode_error ee;
        CHECK(input != NULL);
        if (input != NULL) {
            memcpy(input, rex, sizeof rex);
            CHECK(pet_pet_decode(input, sizeof rex, &p, &e));
            memset(input, 0, sizeof rex);
            free(input);
            CHECK(strcmp(p.names[0].data, "Rex") == 0 && strcmp(p.names[1].data, "Rexi") == 0);
            CHECK(pet_pet_encode(&p, out, sizeof out, &len, &ee) && len == sizeof rex &&
                  memcmp(out, rex, len) == 0);
        }
    }
#endif
#ifndef PET_LEAN
    CHECK(p.unknown_fields.count == 0);
    CHECK(pet_pet_decode(newer, sizeof newer, &p, &e) && p.unknown_fields.count == 2 && p.species == 7);
    CHECK(reencodes(newer, sizeof newer));
#else
    /* Unknown fields are accepted and checked, and re-encoding writes the known fields only. */
    {
        static const uint8_t known[] = {0xa3, 0x00, 0x81, 0x61, 'A', 0x01, 0x48, 1, 2, 3, 4, 5, 6,
                                        7, 8, 0x02, 0x07};
        /* An unknown field's value is still checked: 3: a non-canonical 0 (0x18 0x00). */
        static const uint8_t bad_unknown[] = {0xa2, 0x00, 0x80, 0x03, 0x18, 0x00};
        size_t len = 0;
        iotp_encode_error ee;
        CHECK(pet_pet_decode(newer, sizeof newer, &p, &e) && p.species == 7);
        CHECK(pet_pet_encode(&p, out, sizeof out, &len, &ee) && len == sizeof known &&
              memcmp(out, known, len) == 0);
        CHECK(!pet_pet_decode(bad_unknown, sizeof bad_unknown, &p, &e) &&
              e.cls == IOTP_ERR_NON_CANONICAL_INTEGER && e.offset == 4);
    }
#endif

    /* A missing field is reported at the map, with the field's name. */
    {
        static const uint8_t no_species[] = {0xa2, 0x00, 0x80, 0x01, 0x48, 1, 2, 3, 4, 5, 6, 7, 8};
        CHECK(!pet_pet_decode(no_species, sizeof no_species, &p, &e) &&
              e.cls == IOTP_ERR_MISSING_FIELD && e.offset == 0 && field_is(e.field, "Pet.species"));
    }
    /* A field's error names the field; a fifth name breaks the array's bound at its head. */
    {
        static const uint8_t five[] = {0xa1, 0x00, 0x85, 0x60, 0x60, 0x60, 0x60, 0x60};
        static const uint8_t short_birthday[] = {0xa1, 0x01, 0x47, 1, 2, 3, 4, 5, 6, 7};
        CHECK(!pet_pet_decode(five, sizeof five, &p, &e) && e.cls == IOTP_ERR_BOUND_EXCEEDED &&
              e.offset == 2 && field_is(e.field, "Pet.names"));
        CHECK(!pet_pet_decode(short_birthday, sizeof short_birthday, &p, &e) &&
              e.cls == IOTP_ERR_BOUND_EXCEEDED && e.offset == 2 &&
              field_is(e.field, "Pet.birthday"));
    }
    /* Every truncation of both inputs is truncated at its own length. */
    bad = truncations(rex, sizeof rex) + truncations(newer, sizeof newer);
    CHECK(bad == 0);
    /* Encoders refuse what decoders reject; a buffer too small is an error, not an overflow. */
    CHECK(pet_pet_decode(rex, sizeof rex, &p, &e));
    p.birthday.len = 7;
    iotp_writer_init(&w, out, sizeof out);
    CHECK(!pet_pet_encode_to(&w, &p) && w.err.kind == IOTP_ENC_BOUND_EXCEEDED &&
          field_is(w.err.field, "Pet.birthday"));
    p.birthday.len = 8;
    p.names_count = 5;
    iotp_writer_init(&w, out, sizeof out);
    CHECK(!pet_pet_encode_to(&w, &p) && w.err.kind == IOTP_ENC_BOUND_EXCEEDED &&
          field_is(w.err.field, "Pet.names"));
    p.names_count = 2;
    p.names[1].len = 33;
    iotp_writer_init(&w, out, sizeof out);
    CHECK(!pet_pet_encode_to(&w, &p) && w.err.kind == IOTP_ENC_BOUND_EXCEEDED);
    p.names[1].len = 4;
    /* The whole-buffer entry point: the length, or the error. */
    {
        size_t len = 0;
        iotp_encode_error ee;
        CHECK(pet_pet_encode(&p, out, sizeof out, &len, &ee) && len == sizeof rex &&
              memcmp(out, rex, len) == 0);
        CHECK(!pet_pet_encode(&p, out, 3, &len, &ee) && ee.kind == IOTP_ENC_BUFFER_TOO_SMALL);
    }
    p.names_count = 2;
    for (n = 0; n < sizeof rex; n++) {
        iotp_writer_init(&w, out, n);
        bad += pet_pet_encode_to(&w, &p) || w.err.kind != IOTP_ENC_BUFFER_TOO_SMALL || w.pos > n;
    }
    CHECK(bad == 0);
    return checks_done();
}
