/*
 * testee.c: the generated C codecs as a testee of the conformance runner (conformance/README.md, the
 * JSON-lines testee protocol): `decode` and `encode` requests for every type of the shipped schema
 * and of the vectors' wrapper types. Decoding goes through each package's generated `_transcode`
 * and is answered with the canonical re-encoding (or the error's class and offset) and the value's
 * canonical JSON, written by the generated JSON units (`<package>_json.c` over the runtime's
 * iotp2p_json.c); encoding reads the JSON with the same units, then decodes and re-encodes the
 * result with the codec, which checks what the type allows. Features: `decode`, `encode`, `json`,
 * `json-text` and `offsets`.
 *
 *     iotp2p-conformance run --testee codec-c/build/testee --strict
 *
 * A hosted test program: cJSON (Debian's libcjson-dev, installed by scripts/setup-c) reads and writes
 * the protocol's messages; a value's JSON is read and written by the generated JSON units only
 * (cJSON's numbers are doubles, which would lose the digits of a 64-bit integer), and the codecs use
 * no library. One request at a time, nothing kept between requests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "iotp2p_capabilities_json.h"
#include "iotp2p_conformance_json.h"
#include "iotp2p_core_json.h"
#include "iotp2p_security_json.h"

/* Memory for one decoded value of any package (the core Envelope alone is 1.48 MB). */
typedef union any {
    iotp2p_core_any core;
    iotp2p_security_any security;
    iotp2p_capabilities_any capabilities;
    iotp2p_conformance_any conformance;
} any;

/* The largest input the runner sends is well below this; the re-encoding is never longer. */
#define MAX_BYTES 65536u
/* A value's JSON: hex doubles its bytes, names and punctuation add less than as much again. */
#define MAX_JSON (8 * MAX_BYTES)
/* A request: its hex, or its JSON, with the rest of the message. */
#define LINE_BYTES (4 * MAX_BYTES)

/* The buffers of one request, allocated once. */
typedef struct buffers {
    any *value;
    uint8_t *in;
    uint8_t *out;
    char *hex;
    char *json;
} buffers;

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

/* The JSON description of the type named `name`, from the package that has it. */
static const iotp_json_type *json_type(const char *name) {
    const iotp_json_type *t = iotp2p_core_json_type(name);
    if (t == NULL) {
        t = iotp2p_security_json_type(name);
    }
    if (t == NULL) {
        t = iotp2p_capabilities_json_type(name);
    }
    if (t == NULL) {
        t = iotp2p_conformance_json_type(name);
    }
    return t;
}

/* An `ok` response: the encoding in `b->out`, and the value's JSON as a value and as text. */
static cJSON *accepted(const char *id, const char *type, size_t len, buffers *b) {
    const iotp_json_type *t = json_type(type);
    size_t json_len;
    cJSON *r;
    if (t == NULL || iotp_json_from_cbor(t, b->out, len, b->json, MAX_JSON, &json_len, NULL) !=
                         IOTP_JSON_OK) {
        r = response("errored", id);
        cJSON_AddStringToObject(r, "details", "no canonical JSON for the accepted value");
        return r;
    }
    r = response("ok", id);
    to_hex(b->out, len, b->hex);
    cJSON_AddStringToObject(r, "hex", b->hex);
    /* Raw: the text as the JSON unit wrote it, digits and all. */
    cJSON_AddItemToObject(r, "json", cJSON_CreateRaw(b->json));
    cJSON_AddStringToObject(r, "json_text", b->json);
    return r;
}

static void decode(const cJSON *request, const char *id, buffers *b) {
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(request, "schema_type");
    const cJSON *input = cJSON_GetObjectItemCaseSensitive(request, "hex");
    iotp_decode_error err;
    iotp_encode_error enc;
    size_t out_len = 0;
    long len;
    cJSON *r;
    if (!cJSON_IsString(type) || !cJSON_IsString(input) ||
        (len = from_hex(input->valuestring, b->in, MAX_BYTES)) < 0) {
        r = response("errored", id);
        cJSON_AddStringToObject(r, "details", "a decode request without schema_type or hex");
        reply(r);
        return;
    }
    switch (transcode(type->valuestring, b->in, (size_t)len, b->value, b->out, &out_len, &err,
                      &enc)) {
    case IOTP_TRANSCODE_OK:
        r = accepted(id, type->valuestring, out_len, b);
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

/* Reads the request's value (`json_text`, or the text of its `json` member as the runner wrote it)
 * with the JSON unit, then decodes and re-encodes the encoding with the codec: either refusing is
 * `invalid-value`. */
static void encode(const char *line, const cJSON *request, const char *id, buffers *b) {
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(request, "schema_type");
    const cJSON *json_text = cJSON_GetObjectItemCaseSensitive(request, "json_text");
    const iotp_json_type *t = cJSON_IsString(type) ? json_type(type->valuestring) : NULL;
    const char *text;
    size_t start, end, cbor_len, out_len;
    iotp_decode_error err;
    iotp_encode_error enc;
    cJSON *r;
    if (cJSON_IsString(json_text)) {
        text = json_text->valuestring;
        start = 0;
        end = strlen(text);
    } else if (iotp_json_member_span(line, strlen(line), "json", &start, &end)) {
        text = line;
    } else {
        r = response("errored", id);
        cJSON_AddStringToObject(r, "details", "an encode request without json or json_text");
        reply(r);
        return;
    }
    if (t == NULL) {
        r = response("skipped", id);
        cJSON_AddStringToObject(r, "reason", "no generated C codec has this type");
        reply(r);
        return;
    }
    switch (iotp_json_to_cbor(t, text + start, end - start, b->in, IOTP_JSON_ROOM(LINE_BYTES),
                              &cbor_len, NULL)) {
    case IOTP_JSON_OK:
        break;
    case IOTP_JSON_INVALID:
        r = response("error", id);
        cJSON_AddStringToObject(r, "class", "invalid-value");
        reply(r);
        return;
    default:
        r = response("errored", id);
        cJSON_AddStringToObject(r, "details", "the value's encoding is larger than the testee's buffer");
        reply(r);
        return;
    }
    if (transcode(type->valuestring, b->in, cbor_len, b->value, b->out, &out_len, &err, &enc) ==
        IOTP_TRANSCODE_OK) {
        r = accepted(id, type->valuestring, out_len, b);
    } else {
        r = response("error", id);
        cJSON_AddStringToObject(r, "class", "invalid-value");
    }
    reply(r);
}

static void hello(void) {
    static const char *const features[] = {"decode", "encode", "json", "json-text", "offsets"};
    cJSON *r = response("hello", NULL);
    cJSON *choices = cJSON_CreateObject();
    cJSON_AddNumberToObject(r, "protocol", 1);
    cJSON_AddStringToObject(r, "name", "iotp2p generated C codec");
    cJSON_AddStringToObject(r, "version", "0.1.0");
    cJSON_AddItemToObject(r, "features", cJSON_CreateStringArray(features, 5));
    /* As the Rust codec: one pass, the first violation in input order; a string's length before
     * its UTF-8. */
    cJSON_AddStringToObject(choices, "multiple-violations", "input-order");
    cJSON_AddStringToObject(choices, "utf8-bound-order", "bound-first");
    cJSON_AddItemToObject(r, "choices", choices);
    reply(r);
}

int main(void) {
    static char line[LINE_BYTES];
    buffers b;
    b.value = malloc(sizeof *b.value);
    /* Room to read the JSON of the longest line (which holds it), members sorted in place. */
    b.in = malloc(IOTP_JSON_ROOM(LINE_BYTES));
    b.out = malloc(MAX_BYTES);
    b.hex = malloc(2 * MAX_BYTES + 1);
    b.json = malloc(MAX_JSON);
    if (b.value == NULL || b.in == NULL || b.out == NULL || b.hex == NULL || b.json == NULL) {
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
            decode(request, vector, &b);
        } else if (strcmp(type->valuestring, "encode") == 0) {
            encode(line, request, vector, &b);
        } else {
            cJSON *r = response("skipped", vector);
            cJSON_AddStringToObject(r, "reason", "the C testee answers decode and encode requests");
            reply(r);
        }
        cJSON_Delete(request);
    }
    free(b.value);
    free(b.in);
    free(b.out);
    free(b.hex);
    free(b.json);
    return 0;
}
