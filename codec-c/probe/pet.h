/*
 * pet.h: a size probe of the runtime's API. zcbor's `pet` sample re-expressed as an iotp2p message,
 * written by hand in the shape the C backend will generate (issue 13), so that the runtime's API is
 * designed against real per-message code and its Cortex-M4 size is known before the generator exists.
 *
 *     enum Species { cat = 0; dog = 1; other = 2; }
 *     message Pet {
 *         0: names array<string<32>, 4>;
 *         1: birthday bytes[8];
 *         2: species Species;
 *     }
 */
#ifndef PET_H
#define PET_H

#include "iotp2p.h"

/** Species numbers; enums are open, so a decoded `species` may hold any other number too. */
enum { PET_SPECIES_CAT = 0, PET_SPECIES_DOG = 1, PET_SPECIES_OTHER = 2 };

/** Largest encoding of a Pet built from the schema (retained unknown fields add their own length):
 * map head 1, names 1 + 1 + 4 x (2 + 32), birthday 1 + 1 + 8, species 1 + 5. */
#define PET_MAX_ENCODED_SIZE 157u

/** A pet. Strings and bytes point into the decoded input (zero-copy). */
typedef struct pet {
    /** Up to 4 names of up to 32 bytes each. */
    iotp_text names[4];
    /** How many of `names` are used. */
    size_t names_count;
    /** Exactly 8 bytes. */
    iotp_bytes birthday;
    /** A PET_SPECIES_* number, or an unknown one kept as it came. */
    uint32_t species;
    /** Entries with keys this schema does not define, re-encoded as they came. */
    iotp_unknown unknown;
} pet;

/** Decodes one Pet at the reader's position; `depth` is the levels it may use. */
bool pet_decode_from(iotp_reader *r, size_t depth, pet *out);

/** Decodes a complete input holding one Pet; on failure `*err` says why and where. */
bool pet_decode(const uint8_t *data, size_t len, pet *out, iotp_decode_error *err);

/** Encodes a Pet at the writer's position. */
bool pet_encode_to(iotp_writer *w, const pet *v);

#endif /* PET_H */
