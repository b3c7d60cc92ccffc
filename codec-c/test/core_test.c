/*
 * Tests of the generated core codec (generated/iotp2p_core.c) at its entry point, the Envelope: decode
 * and byte-identical re-encode (an unknown field and an unknown body variant included), the errors a
 * generated decoder reports itself (default-value-present, missing-field, invalid-union) with their
 * offsets and fields, every truncation, and an envelope built by the application. The thorough check
 * against the Rust codec is tests/differential.rs; this program runs the same code under
 * AddressSanitizer + UndefinedBehaviorSanitizer and valgrind. Closes with "N passed, N failed".
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "iotp2p_core.h"

/* An Envelope holds every body type inline, sized from the schema's bounds: too large for the stack
 * of a test, so it lives on the heap. */
static iotp2p_core_envelope *env;

/* {1: 5} */
static const uint8_t minimal[] = {0xa1, 0x01, 0x05};
/* {1: 5, 12: {0: null}}: an acknowledgement. */
static const uint8_t ack[] = {0xa2, 0x01, 0x05, 0x0c, 0xa1, 0x00, 0xf6};
/* {1: 5, 12: {1: {0: 1, 3: "x"}}}: a status. */
static const uint8_t status[] = {0xa2, 0x01, 0x05, 0x0c, 0xa1, 0x01, 0xa2, 0x00, 0x01, 0x03, 0x61, 'x'};
/* {1: 5, 12: {2: {1: 7, 2: [1, 2, 3]}}}: a read request. */
static const uint8_t read_request[] = {0xa2, 0x01, 0x05, 0x0c, 0xa1, 0x02, 0xa2,
                                       0x01, 0x07, 0x02, 0x83, 0x01, 0x02, 0x03};
/* {1: 5, 12: {20: [1, 2]}, 30: h'00'}: an unknown body variant and an unknown field. */
static const uint8_t newer[] = {0xa3, 0x01, 0x05, 0x0c, 0xa1, 0x14, 0x82,
                                0x01, 0x02, 0x18, 0x1e, 0x41, 0x00};

/* Whether `in` decodes, and encodes back to the same bytes. */
static bool reencodes(const uint8_t *in, size_t len) {
    iotp_decode_error e;
    iotp_encode_error ee;
    uint8_t out[64];
    size_t n = 0;
    return iotp2p_core_envelope_decode(in, len, env, &e) &&
           iotp2p_core_envelope_encode(env, out, sizeof out, &n, &ee) && n == len &&
           memcmp(out, in, len) == 0;
}

/* How many truncations of `src` are not rejected as truncated at their own length, each read from a
 * heap copy of exactly that many bytes, so that the sanitizers and valgrind watch its end. */
static unsigned truncations(const uint8_t *src, size_t len) {
    unsigned bad = 0;
    size_t n;
    for (n = 0; n < len; n++) {
        uint8_t *copy = malloc(n ? n : 1);
        iotp_decode_error e;
        if (copy == NULL) {
            return bad + 1;
        }
        memcpy(copy, src, n);
        bad += iotp2p_core_envelope_decode(copy, n, env, &e) || e.cls != IOTP_ERR_TRUNCATED ||
               e.offset != n;
        free(copy);
    }
    return bad;
}

/* Whether `in` is rejected with `cls` at `offset`, naming `field`. */
static bool rejects(const uint8_t *in, size_t len, iotp_error_class cls, size_t offset,
                    const char *field) {
    iotp_decode_error e;
    return !iotp2p_core_envelope_decode(in, len, env, &e) && e.cls == cls && e.offset == offset &&
           field_is(e.field, field);
}

int main(void) {
    iotp_decode_error e;
    iotp_encode_error ee;
    uint8_t out[64];
    size_t n = 0;

    env = calloc(1, sizeof *env);
    if (env == NULL) {
        return 2;
    }
    CHECK(iotp2p_core_envelope_decode(minimal, sizeof minimal, env, &e));
    CHECK(env->message_id == 5 && env->version == 1 && !env->ack_requested && !env->has_body);
    CHECK(iotp2p_core_envelope_decode(status, sizeof status, env, &e));
    CHECK(env->has_body && env->body.key == IOTP2P_CORE_BODY_STATUS);
    CHECK(env->body.as.status.code == IOTP2P_CORE_STATUS_CODE_MALFORMED &&
          env->body.as.status.has_detail && env->body.as.status.detail.len == 1);
    CHECK(iotp2p_core_envelope_decode(read_request, sizeof read_request, env, &e));
    CHECK(env->body.key == IOTP2P_CORE_BODY_READ && env->body.as.read.endpoint == 0 &&
          env->body.as.read.capability == 7 && env->body.as.read.has_members &&
          env->body.as.read.members_count == 3 && env->body.as.read.members[2] == 3);
    CHECK(iotp2p_core_envelope_decode(newer, sizeof newer, env, &e));
    CHECK(env->body.key == 20 && env->body.unknown.len == 3 && env->unknown_fields.count == 1);
    CHECK(reencodes(minimal, sizeof minimal));
    CHECK(reencodes(ack, sizeof ack));
    CHECK(reencodes(status, sizeof status));
    CHECK(reencodes(read_request, sizeof read_request));
    CHECK(reencodes(newer, sizeof newer));

    /* The errors generated code reports itself, where the Rust codec reports them. */
    {
        static const uint8_t version_1[] = {0xa2, 0x00, 0x01, 0x01, 0x05};
        static const uint8_t empty[] = {0xa0};
        static const uint8_t no_variant[] = {0xa2, 0x01, 0x05, 0x0c, 0xa0};
        static const uint8_t bad_capability[] = {0xa2, 0x01, 0x05, 0x0c, 0xa1,
                                                 0x02, 0xa1, 0x01, 0x61, 'x'};
        CHECK(rejects(version_1, sizeof version_1, IOTP_ERR_DEFAULT_VALUE_PRESENT, 1,
                      "Envelope.version"));
        CHECK(rejects(empty, sizeof empty, IOTP_ERR_MISSING_FIELD, 0, "Envelope.message_id"));
        CHECK(!iotp2p_core_envelope_decode(no_variant, sizeof no_variant, env, &e) &&
              e.cls == IOTP_ERR_INVALID_UNION && e.offset == 4);
        CHECK(rejects(bad_capability, sizeof bad_capability, IOTP_ERR_WRONG_TYPE, 8,
                      "ReadRequest.capability"));
    }
    CHECK(truncations(minimal, sizeof minimal) + truncations(ack, sizeof ack) +
              truncations(status, sizeof status) + truncations(read_request, sizeof read_request) +
              truncations(newer, sizeof newer) ==
          0);

    /* An envelope the application builds: defaults left at their values, no unknown content. */
    memset(env, 0, sizeof *env);
    env->version = 1;
    env->message_id = 5;
    env->has_body = true;
    env->body.key = IOTP2P_CORE_BODY_ACK;
    CHECK(iotp2p_core_envelope_encode(env, out, sizeof out, &n, &ee) && n == sizeof ack &&
          memcmp(out, ack, n) == 0);
    env->message_id = UINT64_C(1) << 40;
    CHECK(!iotp2p_core_envelope_encode(env, out, sizeof out, &n, &ee) &&
          ee.kind == IOTP_ENC_OUT_OF_RANGE && field_is(ee.field, "Envelope.message_id"));
    env->message_id = 5;
    env->body.key = IOTP2P_CORE_BODY_READ;
    env->body.as.read.members_count = 65;
    env->body.as.read.has_members = true;
    CHECK(!iotp2p_core_envelope_encode(env, out, sizeof out, &n, &ee) &&
          ee.kind == IOTP_ENC_BOUND_EXCEEDED && field_is(ee.field, "ReadRequest.members"));
    /* An unknown variant's value must be one canonical item. */
    env->body.key = 99;
    env->body.unknown.ptr = out;
    env->body.unknown.len = 0;
    CHECK(!iotp2p_core_envelope_encode(env, out, sizeof out, &n, &ee) &&
          ee.kind == IOTP_ENC_INVALID_UNKNOWN);
    /* By type name, as a relay or the conformance testee transcodes. */
    {
        iotp2p_core_any *any = malloc(sizeof *any);
        static const uint8_t code[] = {0x18, 0x20};
        if (any == NULL) {
            return 2;
        }
        CHECK(iotp2p_core_transcode("iotp2p.core.Envelope", ack, sizeof ack, any, out, sizeof out,
                                    &n, &e, &ee) == IOTP_TRANSCODE_OK &&
              n == sizeof ack && memcmp(out, ack, n) == 0);
        CHECK(iotp2p_core_transcode("iotp2p.core.StatusCode", code, sizeof code, any, out,
                                    sizeof out, &n, &e, &ee) == IOTP_TRANSCODE_OK &&
              n == 2 && any->number == IOTP2P_CORE_STATUS_CODE_UNAUTHENTICATED);
        CHECK(iotp2p_core_transcode("iotp2p.core.Envelope", minimal, 2, any, out, sizeof out, &n,
                                    &e, &ee) == IOTP_TRANSCODE_REJECTED &&
              e.cls == IOTP_ERR_TRUNCATED && e.offset == 2);
        CHECK(iotp2p_core_transcode("iotp2p.core.Envelope", ack, sizeof ack, any, out, 3, &n, &e,
                                    &ee) == IOTP_TRANSCODE_REFUSED &&
              ee.kind == IOTP_ENC_BUFFER_TOO_SMALL);
        CHECK(iotp2p_core_transcode("iotp2p.core.Envelop", ack, sizeof ack, any, out, sizeof out,
                                    &n, &e, &ee) == IOTP_TRANSCODE_UNKNOWN_TYPE);
        free(any);
    }
    free(env);
    return checks_done();
}
