/*
 * libFuzzer target for the JSON mapping (runtime/iotp2p_json.c and the generated `_json` units of
 * the conformance and core packages), under AddressSanitizer + UndefinedBehaviorSanitizer: the
 * first byte picks a type, the rest is read as its JSON text. It checks what must hold whatever
 * the text: IOTP_JSON_ROOM of its length is room enough to read it; when the text reads and the
 * codec accepts the encoding, the canonical JSON written for it reads back to the same encoding
 * (JSON → bytes → JSON → the same bytes); and nothing reads or writes outside its buffers.
 *
 *     make -C codec-c fuzz            # a bounded run, as scripts/test does
 *     build/fuzz-json -max_total_time=600 -dict=fuzz/json.dict corpus/
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iotp2p_conformance_json.h"
#include "iotp2p_core_json.h"

/* Encodings of up to this many bytes (twice that for sorting members in place). */
#define MAX_BYTES 65536u

static void require(bool cond, const char *what) {
    if (!cond) {
        fprintf(stderr, "invariant broken: %s\n", what);
        abort();
    }
}

/* One value of any type of either package; static, the core Envelope alone being 1.48 MB. */
static union {
    iotp2p_core_any core;
    iotp2p_conformance_any conformance;
} value;

static uint8_t cbor[2 * MAX_BYTES], again[2 * MAX_BYTES], canonical[MAX_BYTES];
static char json[8 * MAX_BYTES];

/* Decodes and re-encodes `len` bytes as the type `name`: the canonical encoding, or false. */
static bool codec_accepts(const char *name, const uint8_t *data, size_t len, size_t *out_len) {
    iotp_decode_error err;
    iotp_encode_error enc;
    iotp_transcode_result t = iotp2p_core_transcode(name, data, len, &value.core, canonical,
                                                    sizeof canonical, out_len, &err, &enc);
    if (t == IOTP_TRANSCODE_UNKNOWN_TYPE) {
        t = iotp2p_conformance_transcode(name, data, len, &value.conformance, canonical,
                                         sizeof canonical, out_len, &err, &enc);
    }
    return t == IOTP_TRANSCODE_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *name;
    const iotp_json_type *type;
    size_t n, canonical_len, json_len, again_len;
    iotp_json_error err;
    if (size == 0) {
        return 0;
    }
    name = data[0] < 128 ? iotp2p_conformance_type_names[data[0] % IOTP2P_CONFORMANCE_TYPE_COUNT]
                         : iotp2p_core_type_names[data[0] % IOTP2P_CORE_TYPE_COUNT];
    type = data[0] < 128 ? iotp2p_conformance_json_type(name) : iotp2p_core_json_type(name);
    require(type != NULL, "every named type has a JSON description");
    /* The room iotp2p_json.h promises is always enough. */
    if (IOTP_JSON_ROOM(size - 1) <= sizeof cbor) {
        require(iotp_json_to_cbor(type, (const char *)data + 1, size - 1, cbor,
                                  IOTP_JSON_ROOM(size - 1), &n, &err) != IOTP_JSON_NO_ROOM,
                "IOTP_JSON_ROOM of the text is room enough");
    }
    if (iotp_json_to_cbor(type, (const char *)data + 1, size - 1, cbor, sizeof cbor, &n, &err) !=
        IOTP_JSON_OK) {
        require(err.offset <= size - 1 && err.why != NULL, "an error within the text, with why");
        return 0;
    }
    if (!codec_accepts(name, cbor, n, &canonical_len)) {
        return 0;
    }
    require(canonical_len == n && memcmp(canonical, cbor, n) == 0,
            "what the JSON reader writes is canonical");
    require(iotp_json_from_cbor(type, canonical, canonical_len, json, sizeof json, &json_len,
                                &err) == IOTP_JSON_OK,
            "an accepted value has JSON");
    require(iotp_json_to_cbor(type, json, json_len, again, sizeof again, &again_len, &err) ==
                IOTP_JSON_OK,
            "the JSON written reads back");
    require(again_len == canonical_len && memcmp(again, canonical, again_len) == 0,
            "the JSON written reads back to the same encoding");
    return 0;
}
