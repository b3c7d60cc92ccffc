/*
 * transcode_shim.c: every type of the shipped schema's generated C codecs (generated/iotp2p_core.c,
 * iotp2p_security.c, iotp2p_capabilities.c) behind one call, for the differential fuzz target of the
 * crate iotp2p-codec-c (src/fuzzing.rs): decode an input as the type of a full name and, when it is
 * accepted, encode the value back, through each package's generated `<package>_transcode`. A test
 * shim, not part of any codec; it keeps no state, and the value lives in memory the caller provides.
 */
#include "iotp2p_capabilities.h"

/** Bytes of the memory iotp_shim_transcode needs (the largest `<package>_any`). */
size_t iotp_shim_transcode_size(void);

/** How many types iotp_shim_type_name names: those of the three packages, in their order. */
size_t iotp_shim_type_count(void);

/** The full name of type `i` (below iotp_shim_type_count()), or NULL. */
const char *iotp_shim_type_name(size_t i);

/**
 * Decodes the `len` bytes at `data` as the type named `type_name` in `scratch` (at least
 * iotp_shim_transcode_size() bytes, suitably aligned), and encodes the value back into the `cap`
 * bytes at `out`: what the package's `<package>_transcode` returns (IOTP_TRANSCODE_UNKNOWN_TYPE
 * when no package has the type).
 */
iotp_transcode_result iotp_shim_transcode(const char *type_name, const uint8_t *data, size_t len,
                                          void *scratch, uint8_t *out, size_t cap, size_t *out_len,
                                          iotp_decode_error *err, iotp_encode_error *enc);

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

size_t iotp_shim_transcode_size(void) {
    return MAX(sizeof(iotp2p_core_any),
               MAX(sizeof(iotp2p_security_any), sizeof(iotp2p_capabilities_any)));
}

size_t iotp_shim_type_count(void) {
    return COUNT(iotp2p_core_type_names) + COUNT(iotp2p_security_type_names) +
           COUNT(iotp2p_capabilities_type_names);
}

const char *iotp_shim_type_name(size_t i) {
    if (i < COUNT(iotp2p_core_type_names)) {
        return iotp2p_core_type_names[i];
    }
    i -= COUNT(iotp2p_core_type_names);
    if (i < COUNT(iotp2p_security_type_names)) {
        return iotp2p_security_type_names[i];
    }
    i -= COUNT(iotp2p_security_type_names);
    if (i < COUNT(iotp2p_capabilities_type_names)) {
        return iotp2p_capabilities_type_names[i];
    }
    return NULL;
}

iotp_transcode_result iotp_shim_transcode(const char *type_name, const uint8_t *data, size_t len,
                                          void *scratch, uint8_t *out, size_t cap, size_t *out_len,
                                          iotp_decode_error *err, iotp_encode_error *enc) {
    iotp_transcode_result result = iotp2p_core_transcode(type_name, data, len, scratch, out, cap,
                                                         out_len, err, enc);
    if (result == IOTP_TRANSCODE_UNKNOWN_TYPE) {
        result = iotp2p_security_transcode(type_name, data, len, scratch, out, cap, out_len, err,
                                           enc);
    }
    if (result == IOTP_TRANSCODE_UNKNOWN_TYPE) {
        result = iotp2p_capabilities_transcode(type_name, data, len, scratch, out, cap, out_len,
                                               err, enc);
    }
    return result;
}
