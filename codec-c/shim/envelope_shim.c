/*
 * envelope_shim.c: the generated core codec's Envelope (generated/iotp2p_core.c) behind one call, for
 * the differential tests of the crate iotp2p-codec-c (tests/generated.rs): decode an input and, when
 * it is accepted, encode the value back. A test shim, not part of any codec; it keeps no state, and
 * the Envelope (1.48 MB on a 64-bit host: every body type inline, sized from the schema's bounds)
 * lives in memory the caller provides. The decoder and the encoder are also called one at a time,
 * for the speed benchmark of benches/ (benches/codec_c.rs).
 */
#include "iotp2p_core.h"

/** Bytes of the memory iotp_shim_envelope_roundtrip needs (an Envelope). */
size_t iotp_shim_envelope_size(void);

/**
 * Decodes the `len` bytes at `data` as one Envelope in `scratch` (at least iotp_shim_envelope_size()
 * bytes, suitably aligned), and encodes it back into the `cap` bytes at `out`. Returns 1 when both
 * succeeded (`*out_len`: the encoding's length), 0 when the decoder rejected the input (`*err`), -1
 * when the encoder refused the decoded value (`*enc`).
 */
int iotp_shim_envelope_roundtrip(const uint8_t *data, size_t len, void *scratch, uint8_t *out,
                                 size_t cap, size_t *out_len, iotp_decode_error *err,
                                 iotp_encode_error *enc);

/** Decodes the `len` bytes at `data` as one Envelope in `scratch` (as above); false with `*err`
 * when it is rejected. */
bool iotp_shim_envelope_decode(const uint8_t *data, size_t len, void *scratch,
                               iotp_decode_error *err);

/** Encodes the Envelope in `scratch` (decoded there by iotp_shim_envelope_decode, whose input
 * must still be live) into the `cap` bytes at `out`; false with `*enc` when it is refused. */
bool iotp_shim_envelope_encode(const void *scratch, uint8_t *out, size_t cap, size_t *out_len,
                               iotp_encode_error *enc);

size_t iotp_shim_envelope_size(void) {
    return sizeof(iotp2p_core_envelope);
}

int iotp_shim_envelope_roundtrip(const uint8_t *data, size_t len, void *scratch, uint8_t *out,
                                 size_t cap, size_t *out_len, iotp_decode_error *err,
                                 iotp_encode_error *enc) {
    iotp2p_core_envelope *env = scratch;
    if (!iotp2p_core_envelope_decode(data, len, env, err)) {
        return 0;
    }
    return iotp2p_core_envelope_encode(env, out, cap, out_len, enc) ? 1 : -1;
}

bool iotp_shim_envelope_decode(const uint8_t *data, size_t len, void *scratch,
                               iotp_decode_error *err) {
    return iotp2p_core_envelope_decode(data, len, scratch, err);
}

bool iotp_shim_envelope_encode(const void *scratch, uint8_t *out, size_t cap, size_t *out_len,
                               iotp_encode_error *enc) {
    return iotp2p_core_envelope_encode(scratch, out, cap, out_len, enc);
}
