/*
 * golden_shim.c: the generated C of two of the compiler's test schemas (codegen/tests/golden/c/:
 * example_recursive, types on `@max_depth` cycles; example_every_scalar, every scalar, default and
 * nesting of arrays) behind one call per type, for the differential tests of the crate
 * iotp2p-codec-c (tests/generated.rs): decode an input and, when it is accepted, encode the value
 * back. The same contract as envelope_shim.c; the values live in `scratch` (at least
 * iotp_shim_golden_scratch() bytes, 8-aligned: `Collections` holds 65,535 numbers).
 */
#include "example_every_scalar.h"
#include "example_recursive.h"

#define ROUNDTRIP(T)                                                                               \
    int iotp_shim_##T##_roundtrip(const uint8_t *data, size_t len, void *scratch, uint8_t *out,  \
                                  size_t cap, size_t *out_len, iotp_decode_error *err,          \
                                  iotp_encode_error *enc);                                      \
    int iotp_shim_##T##_roundtrip(const uint8_t *data, size_t len, void *scratch, uint8_t *out,  \
                                  size_t cap, size_t *out_len, iotp_decode_error *err,          \
                                  iotp_encode_error *enc) {                                     \
        T *v = scratch;                                                                          \
        if (!T##_decode(data, len, v, err)) {                                                    \
            return 0;                                                                            \
        }                                                                                        \
        return T##_encode(v, out, cap, out_len, enc) ? 1 : -1;                                   \
    }

/** The memory the largest value of these types takes. */
size_t iotp_shim_golden_scratch(void);
size_t iotp_shim_golden_scratch(void) {
    return sizeof(example_every_scalar_collections) + sizeof(example_every_scalar_text);
}

ROUNDTRIP(example_recursive_menu_node)
ROUNDTRIP(example_recursive_expr)
ROUNDTRIP(example_recursive_compare)
ROUNDTRIP(example_recursive_rule)
ROUNDTRIP(example_recursive_room)
ROUNDTRIP(example_recursive_gateway)
ROUNDTRIP(example_recursive_display_menu)
ROUNDTRIP(example_every_scalar_integers)
ROUNDTRIP(example_every_scalar_floats)
ROUNDTRIP(example_every_scalar_text)
ROUNDTRIP(example_every_scalar_collections)
ROUNDTRIP(example_every_scalar_nothing)
ROUNDTRIP(example_every_scalar_keywords)
ROUNDTRIP(example_every_scalar_everything)
