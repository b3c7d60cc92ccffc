/*
 * libFuzzer target for the generated C codecs (issue 13): any bytes decoded as a core Envelope (which
 * reaches every body type), as a Pet, as the recursive types of the compiler's test schema
 * (codegen/tests/golden/c/example_recursive.c: a Rule holds an Expr cycle, a Room a Room/Gateway
 * cycle, a MenuNode itself), and, after a first byte that picks it, as any type of the security and
 * capabilities packages (through their generated `_transcode`), under AddressSanitizer +
 * UndefinedBehaviorSanitizer. It checks
 * what must hold whatever the input: a rejection has a class of the spec's list at an offset within the
 * input, and an accepted input encodes back to the same bytes. (Agreement with the Rust codec is the
 * differential tests' job: codec-c/tests/generated.rs.)
 *
 * Built twice: on the zero-copy code (generated/, build/fuzz-generated), and on the code generated
 * with copied strings (`--strings copy`: generated-copy/ and golden/c-copy/, the runtime built with
 * IOTP_COPIED_STRINGS, build/fuzz-generated-copy), whose headers have the same names and functions.
 *
 *     make -C codec-c fuzz            # a bounded run of each, as scripts/test does
 *     build/fuzz-generated -max_total_time=600 corpus/
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "example_recursive.h"
#include "iotp2p_capabilities.h"
#include "iotp2p_core.h"
#include "iotp2p_security.h"
#include "pet.h"

static void require(bool cond, const char *what) {
    if (!cond) {
        fprintf(stderr, "invariant broken: %s\n", what);
        abort();
    }
}

/* After a decode: either accepted, or an error of the spec's list within the input. */
static void sane(bool ok, const iotp_decode_error *e, size_t size) {
    if (!ok) {
        require(e->cls < IOTP_ERR_NONE, "a class of the spec");
        require(e->offset <= size, "offset within the input");
    }
}

/* An accepted input's re-encoding: the same bytes, into a buffer of exactly that size. */
static void same_bytes(bool ok, size_t len, const uint8_t *out, const uint8_t *data, size_t size) {
    require(ok, "an accepted value encodes");
    require(len == size && memcmp(out, data, size) == 0, "re-encoded byte for byte");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    /* One Envelope for the whole run (1.48 MB: too large for the stack), fresh contents each input;
     * likewise a value of any security or capabilities type. */
    static iotp2p_core_envelope *env;
    static iotp2p_security_any *security;
    static iotp2p_capabilities_any *capabilities;
    pet_pet pet;
    example_recursive_rule rule;
    example_recursive_room room;
    example_recursive_menu_node menu;
    iotp_decode_error e;
    iotp_encode_error ee;
    uint8_t *out;
    size_t len = 0;
    bool ok;
    if (env == NULL) {
        env = malloc(sizeof *env);
        security = malloc(sizeof *security);
        capabilities = malloc(sizeof *capabilities);
        require(env != NULL && security != NULL && capabilities != NULL, "memory for the values");
    }
    out = malloc(size ? size : 1);
    require(out != NULL, "memory for the output");

    ok = iotp2p_core_envelope_decode(data, size, env, &e);
    sane(ok, &e, size);
    if (ok) {
        same_bytes(iotp2p_core_envelope_encode(env, out, size, &len, &ee), len, out, data, size);
    }
    ok = pet_pet_decode(data, size, &pet, &e);
    sane(ok, &e, size);
    if (ok) {
        same_bytes(pet_pet_encode(&pet, out, size, &len, &ee), len, out, data, size);
    }
    ok = example_recursive_rule_decode(data, size, &rule, &e);
    sane(ok, &e, size);
    if (ok) {
        same_bytes(example_recursive_rule_encode(&rule, out, size, &len, &ee), len, out, data, size);
    }
    ok = example_recursive_room_decode(data, size, &room, &e);
    sane(ok, &e, size);
    if (ok) {
        same_bytes(example_recursive_room_encode(&room, out, size, &len, &ee), len, out, data, size);
    }
    ok = example_recursive_menu_node_decode(data, size, &menu, &e);
    sane(ok, &e, size);
    if (ok) {
        same_bytes(example_recursive_menu_node_encode(&menu, out, size, &len, &ee), len, out, data,
                   size);
    }
    /* The first byte picks a type of the security or capabilities package; the rest is its input. */
    if (size > 0) {
        size_t pick = data[0];
        iotp_transcode_result t;
        if (pick < IOTP2P_SECURITY_TYPE_COUNT) {
            t = iotp2p_security_transcode(iotp2p_security_type_names[pick], data + 1, size - 1,
                                          security, out, size, &len, &e, &ee);
        } else {
            pick = (pick - IOTP2P_SECURITY_TYPE_COUNT) % IOTP2P_CAPABILITIES_TYPE_COUNT;
            t = iotp2p_capabilities_transcode(iotp2p_capabilities_type_names[pick], data + 1,
                                              size - 1, capabilities, out, size, &len, &e, &ee);
        }
        require(t != IOTP_TRANSCODE_UNKNOWN_TYPE, "a type of the package");
        sane(t == IOTP_TRANSCODE_OK || t == IOTP_TRANSCODE_REFUSED, &e, size - 1);
        if (t == IOTP_TRANSCODE_OK) {
            same_bytes(true, len, out, data + 1, size - 1);
        }
        require(t != IOTP_TRANSCODE_REFUSED, "an accepted value encodes");
    }
    free(out);
    return 0;
}
