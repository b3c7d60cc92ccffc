/*
 * recursive_shim.c: the generated C of the compiler's recursive test schema
 * (codegen/tests/golden/c/example_recursive.c) behind one call per type, for the differential tests
 * of the crate iotp2p-codec-c (tests/generated.rs): decode an input and, when it is accepted, encode
 * the value back. The same contract as envelope_shim.c (these values are small: `scratch` is unused).
 */
#include "example_recursive.h"

#define ROUNDTRIP(T)                                                                               \
    int iotp_shim_##T##_roundtrip(const uint8_t *data, size_t len, void *scratch, uint8_t *out,  \
                                  size_t cap, size_t *out_len, iotp_decode_error *err,          \
                                  iotp_encode_error *enc);                                      \
    int iotp_shim_##T##_roundtrip(const uint8_t *data, size_t len, void *scratch, uint8_t *out,  \
                                  size_t cap, size_t *out_len, iotp_decode_error *err,          \
                                  iotp_encode_error *enc) {                                     \
        example_recursive_##T v;                                                                 \
        (void)scratch;                                                                           \
        if (!example_recursive_##T##_decode(data, len, &v, err)) {                               \
            return 0;                                                                            \
        }                                                                                        \
        return example_recursive_##T##_encode(&v, out, cap, out_len, enc) ? 1 : -1;              \
    }

ROUNDTRIP(menu_node)
ROUNDTRIP(expr)
ROUNDTRIP(compare)
ROUNDTRIP(rule)
ROUNDTRIP(room)
ROUNDTRIP(gateway)
ROUNDTRIP(display_menu)
