/* A driver for counting the instructions of one operation of the generated C codec of the core
 * schema with `valgrind --tool=callgrind` (benches/c-speed/measure): it reads one encoded Envelope
 * from a file, then decodes it N times into one Envelope, or decodes it once and encodes it N times
 * into one buffer, as `codec-profile decode|encode <message> c N` does through the Rust bindings.
 * Built against either form of the generated codec (`iotp2p gen c --form tables` or `--form code`):
 * both declare the same functions and types, so one driver compares them.
 *
 * Usage: driver decode|encode FILE N. Exits 1 on any refusal, so a count is never that of an error
 * path. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iotp2p_core.h"

/* The input: an Envelope is at most MAX_MESSAGE on the wire, the batch is larger (4,091 B). */
static uint8_t input[16384];
static uint8_t output[16384];

int main(int argc, char **argv) {
    if (argc != 4 || (strcmp(argv[1], "decode") != 0 && strcmp(argv[1], "encode") != 0)) {
        fprintf(stderr, "usage: driver decode|encode FILE N\n");
        return 1;
    }
    FILE *f = fopen(argv[2], "rb");
    if (f == NULL) {
        perror(argv[2]);
        return 1;
    }
    size_t len = fread(input, 1, sizeof input, f);
    fclose(f);
    long n = strtol(argv[3], NULL, 10);
    /* About 1.25 MB with every array at its schema's capacity: on the heap, allocated once. */
    iotp2p_core_envelope *env = malloc(sizeof *env);
    if (env == NULL || n < 1) {
        return 1;
    }
    iotp_decode_error err;
    iotp_encode_error enc;
    size_t written = 0;
    unsigned long check = 0;
    if (strcmp(argv[1], "decode") == 0) {
        for (long i = 0; i < n; i++) {
            if (!iotp2p_core_envelope_decode(input, len, env, &err)) {
                fprintf(stderr, "decode refused: class %d at %zu\n", (int)err.cls, err.offset);
                return 1;
            }
            check += env->message_id;
        }
    } else {
        if (!iotp2p_core_envelope_decode(input, len, env, &err)) {
            fprintf(stderr, "decode refused: class %d at %zu\n", (int)err.cls, err.offset);
            return 1;
        }
        for (long i = 0; i < n; i++) {
            if (!iotp2p_core_envelope_encode(env, output, sizeof output, &written, &enc)) {
                fprintf(stderr, "encode refused: kind %d\n", (int)enc.kind);
                return 1;
            }
            check += written;
        }
        if (written != len || memcmp(input, output, len) != 0) {
            fprintf(stderr, "the encoding differs from the input\n");
            return 1;
        }
    }
    printf("%s x%ld (check %lu)\n", argv[1], n, check);
    free(env);
    return 0;
}
