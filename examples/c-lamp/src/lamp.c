/*
 * lamp.c: the firmware side of Acme's lamp (schema/lamp.iotp): one request in, one reply out, with
 * the codec that CMake generated (com_acme_lamp.h). The radio and the LED driver are the board's;
 * this is the part that touches iotp2p, and it needs no allocator and no C library.
 */
#include "lamp.h"

#include "com_acme_lamp.h"

bool lamp_handle(const uint8_t *request, size_t len, uint8_t *reply, size_t cap, size_t *reply_len) {
    com_acme_lamp_set_level set;
    com_acme_lamp_lamp_state state;
    iotp_decode_error rejected;
    iotp_encode_error refused;
    /* A request that is not a canonical SetLevel changes nothing: its class and byte offset are
     * what the reply of a real device would carry (spec chapter 9). */
    if (!com_acme_lamp_set_level_decode(request, len, &set, &rejected)) {
        return false;
    }
    /* Here the board would fade to `set.level` over `set.transition` tenths of a second. */
    state.level = set.level;
    state.on = set.level > 0;
    /* A value the firmware builds retains no unknown fields. (Member by member: GCC would make a
     * call to memset of a zero initialiser, and this image links no C library.) */
    state.unknown_fields.entries = NULL;
    state.unknown_fields.len = 0;
    state.unknown_fields.count = 0;
    return com_acme_lamp_lamp_state_encode(&state, reply, cap, reply_len, &refused);
}
