/*
 * testee.c: the generated C codecs as a testee of the conformance runner (conformance/README.md, the
 * JSON-lines testee protocol): `decode` requests for every type of the shipped schema and of the
 * vectors' wrapper types, through each package's generated `_transcode`, answered with the canonical
 * re-encoding or the error's class and offset. Features: `decode` and `offsets` (no `json`, so no
 * `encode`: the C backend has no JSON mapping).
 *
 *     iotp2p-conformance run --testee codec-c/build/testee
 *
 * A hosted test program: cJSON (Debian's libcjson-dev, installed by scripts/setup-c) reads and writes
 * the protocol's JSON; the codecs themselves use no library. One request at a time, nothing kept
 * between requests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "iotp2p_capabilities.h"
#include "iotp2p_conformance.h"
#include "iotp2p_core.h"
#include "iotp2p_security.h"

/* Memory for one decoded value of any package (the core Envelope alone is 1.48 MB). */
typedef union any {
    iotp2p_core_any core;
    iotp2p_security_any security;
    iotp2p_capabilities_any capabilities;
    iotp2p_conformance_any conformance;
} any;

/* The largest input the runner sends is well below this; the re-encoding is never longer. */
#define MAX_BYTES 65536u

/* Writes `response` as one line and frees it. */
static void reply(cJSON *response) {
    char *line = cJSON_PrintUnformatted(response);
    if (line != NULL) {
        fputs(line, stdout);
        fputc('\n', stdout);
        fflush(stdout);
        cJSON_free(line);
    }
    cJSON_Delete(response);
}

/* A response of `type` for the vector `id`. */
static cJSON *response(const char *type, const char *id) {
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "type", type);
    if (id != NULL) {
        cJSON_AddStringToObject(r, "id", id);
    }
    return r;
}

static int hex_digit(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

/* Lowercase hex to bytes; -1 when it is not hex or too long. */
static long from_hex(const char *hex, uint8_t *out, size_t cap) {
    size_t n = strlen(hex), i;
    if (n % 2 != 0 || n / 2 > cap) {
        return -1;
    }
    for (i = 0; i < n / 2; i++) {
        int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            return -1;
        }
        out[i] = (uint8_t)(hi * 16 + lo);
    }
    return (long)(n / 2);
}

static void to_hex(const uint8_t *bytes, size_t len, char *out) {
    static const char digits[] = "0123456789abcdef";
    size_t i;
    for (i = 0; i < len; i++) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 15];
    }
    out[2 * len] = '\0';
}

/* Decodes `data` as `type` with the package that has it. */
static iotp_transcode_result transcode(const char *type, const uint8_t *data, size_t len, any *value,
                                       uint8_t *out, size_t *out_len, iotp_decode_error *err,
                                       iotp_encode_error *enc) {
    iotp_transcode_result t = iotp2p_core_transcode(type, data, len, &value->core, out, MAX_BYTES,
                                                     out_len, err, enc);
    if (t == IOTP_TRANSCODE_UNKNOWN_TYPE) {
        t = iotp2p_security_transcode(type, data, len, &value->security, out, MAX_BYTES, out_len,
                                      err, enc);
    }
    if (t == IOTP_TRANSCODE_UNKNOWN_TYPE) {
        t = iotp2p_capabilities_transcode(type, data, len, &value->capabilities, out, MAX_BYTES,
                                          out_len, err, enc);
    }
    if (t == IOTP_TRANSCODE_UNKNOWN_TYPE) {
        t = iotp2p_conformance_transcode(type, data, len, &value->conformance, out, MAX_BYTES,
                                         out_len, err, enc);
    }
    return t;
}

static void decode(const cJSON *request, const char *id, any *value, uint8_t *in, uint8_t *out,
                   char *hex) {
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(request, "schema_type");
    const cJSON *input = cJSON_GetObjectItemCaseSensitive(request, "hex");
    iotp_decode_error err;
    iotp_encode_error enc;
    size_t out_len = 0;
    long len;
    cJSON *r;
    if (!cJSON_IsString(type) || !cJSON_IsString(input) ||
        (len = from_hex(input->valuestring, in, MAX_BYTES)) < 0) {
        r = response("errored", id);
        cJSON_AddStringToObject(r, "details", "a decode request without schema_type or hex");
        reply(r);
        return;
    }
    switch (transcode(type->valuestring, in, (size_t)len, value, out, &out_len, &err, &enc)) {
    case IOTP_TRANSCODE_OK:
        r = response("ok", id);
        to_hex(out, out_len, hex);
        cJSON_AddStringToObject(r, "hex", hex);
        break;
    case IOTP_TRANSCODE_REJECTED:
        r = response("error", id);
        cJSON_AddStringToObject(r, "class", iotp_error_class_name(err.cls));
        cJSON_AddNumberToObject(r, "offset", (double)err.offset);
        break;
    case IOTP_TRANSCODE_REFUSED:
        r = response("errored", id);
        cJSON_AddStringToObject(r, "details", "the decoded value did not encode");
        break;
    default:
        r = response("skipped", id);
        cJSON_AddStringToObject(r, "reason", "no generated C codec has this type");
        break;
    }
    reply(r);
}

static void hello(void) {
    static const char *const features[] = {"decode", "offsets"};
    cJSON *r = response("hello", NULL);
    cJSON *choices = cJSON_CreateObject();
    cJSON_AddNumberToObject(r, "protocol", 1);
    cJSON_AddStringToObject(r, "name", "iotp2p generated C codec");
    cJSON_AddStringToObject(r, "version", "0.1.0");
    cJSON_AddItemToObject(r, "features", cJSON_CreateStringArray(features, 2));
    /* As the Rust codec: one pass, the first violation in input order; a string's length before
     * its UTF-8. */
    cJSON_AddStringToObject(choices, "multiple-violations", "input-order");
    cJSON_AddStringToObject(choices, "utf8-bound-order", "bound-first");
    cJSON_AddItemToObject(r, "choices", choices);
    reply(r);
}

int main(void) {
    static char line[4 * MAX_BYTES];
    any *value = malloc(sizeof *value);
    uint8_t *in = malloc(MAX_BYTES), *out = malloc(MAX_BYTES);
    char *hex = malloc(2 * MAX_BYTES + 1);
    if (value == NULL || in == NULL || out == NULL || hex == NULL) {
        fputs("testee: out of memory\n", stderr);
        return 2;
    }
    while (fgets(line, sizeof line, stdin) != NULL) {
        cJSON *request = cJSON_Parse(line);
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(request, "type");
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(request, "id");
        const char *vector = cJSON_IsString(id) ? id->valuestring : NULL;
        if (!cJSON_IsString(type)) {
            fputs("testee: a line that is not a request\n", stderr);
        } else if (strcmp(type->valuestring, "hello") == 0) {
            hello();
        } else if (strcmp(type->valuestring, "bye") == 0) {
            cJSON_Delete(request);
            break;
        } else if (strcmp(type->valuestring, "decode") == 0) {
            decode(request, vector, value, in, out, hex);
        } else {
            cJSON *r = response("skipped", vector);
            cJSON_AddStringToObject(r, "reason", "the C testee answers decode requests only");
            reply(r);
        }
        cJSON_Delete(request);
    }
    free(value);
    free(in);
    free(out);
    free(hex);
    return 0;
}
