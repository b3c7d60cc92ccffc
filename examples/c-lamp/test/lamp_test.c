/*
 * lamp_test.c: the lamp's handler (src/lamp.c) on the host, with the codec iotp2p_generate() made:
 * a SetLevel in, the LampState out, byte for byte; requests a canonical decoder must turn down
 * change nothing. Exits 1 on the first mismatch, naming it.
 */
#include <stdio.h>
#include <string.h>

#include "com_acme_lamp.h"
#include "lamp.h"

static int failures;

/* Whether `request` gives exactly `want` (NULL: is rejected). */
static void expect(const char *what, const uint8_t *request, size_t len, const uint8_t *want,
                   size_t want_len) {
    uint8_t reply[COM_ACME_LAMP_LAMP_STATE_MAX_ENCODED_SIZE];
    size_t reply_len = 0;
    int ok = lamp_handle(request, len, reply, sizeof reply, &reply_len);
    if (want == NULL ? ok : !ok || reply_len != want_len || memcmp(reply, want, want_len) != 0) {
        printf("FAILED: %s\n", what);
        failures++;
    }
}

int main(void) {
    /* {0: 200} → {0: 200, 1: true}; {0: 0, 1: 30} → {0: 0, 1: false}. */
    static const uint8_t set_200[] = {0xa1, 0x00, 0x18, 0xc8};
    static const uint8_t state_200[] = {0xa2, 0x00, 0x18, 0xc8, 0x01, 0xf5};
    static const uint8_t set_off[] = {0xa2, 0x00, 0x00, 0x01, 0x18, 0x1e};
    static const uint8_t state_off[] = {0xa2, 0x00, 0x00, 0x01, 0xf4};
    /* 200 in two bytes; 255, past the Level's range; the default transition written out. */
    static const uint8_t long_head[] = {0xa1, 0x00, 0x19, 0x00, 0xc8};
    static const uint8_t out_of_range[] = {0xa1, 0x00, 0x18, 0xff};
    static const uint8_t default_present[] = {0xa2, 0x00, 0x18, 0xc8, 0x01, 0x00};
    expect("level 200", set_200, sizeof set_200, state_200, sizeof state_200);
    expect("off with a transition", set_off, sizeof set_off, state_off, sizeof state_off);
    expect("a non-canonical head", long_head, sizeof long_head, NULL, 0);
    expect("a level out of range", out_of_range, sizeof out_of_range, NULL, 0);
    expect("a default written out", default_present, sizeof default_present, NULL, 0);
    expect("a truncated request", set_200, sizeof set_200 - 1, NULL, 0);
    printf("%s\n", failures == 0 ? "lamp: all passed" : "lamp: failed");
    return failures == 0 ? 0 : 1;
}
