/*
 * lamp.h: the lamp firmware's request handler (src/lamp.c).
 */
#ifndef LAMP_H
#define LAMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decodes `len` bytes of `request` as a SetLevel, applies it, and encodes the lamp's LampState
 * into `reply` (`cap` bytes; COM_ACME_LAMP_LAMP_STATE_MAX_ENCODED_SIZE is enough). False when the
 * request is rejected. */
bool lamp_handle(const uint8_t *request, size_t len, uint8_t *reply, size_t cap, size_t *reply_len);

#endif /* LAMP_H */
