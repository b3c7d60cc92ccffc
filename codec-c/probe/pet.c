/* pet.c: the Pet codec of pet.h, in the shape generated code will take. */
#include "pet.h"

/* The keys Pet defines, ascending, and their fields' names for errors. */
static const uint32_t pet_keys[] = {0, 1, 2};
static const char *const pet_fields[] = {"Pet.names", "Pet.birthday", "Pet.species"};

bool pet_decode_from(iotp_reader *r, size_t depth, pet *out) {
    iotp_map m;
    uint32_t key;
    unsigned seen = 0;
    if (!iotp_map_begin(r, depth, &m)) {
        return false;
    }
    while (iotp_map_next(r, &m, &key)) {
        bool ok;
        switch (key) {
        case 0: {
            size_t i, inner;
            ok = iotp_array_begin(r, 4, m.depth, &out->names_count, &inner);
            for (i = 0; ok && i < out->names_count; i++) {
                ok = iotp_read_text(r, 32, &out->names[i]);
            }
            break;
        }
        case 1:
            ok = iotp_read_fixed(r, 8, &out->birthday);
            break;
        case 2:
            ok = iotp_read_enum(r, &out->species);
            break;
        default:
            if (!iotp_map_skip_value(r, &m)) {
                return false;
            }
            continue;
        }
        if (!ok) {
            iotp_in_field(r, pet_fields[key]);
            return false;
        }
        seen |= 1u << key;
    }
    if (!iotp_ok(r)) {
        return false;
    }
    if (seen != 7u) {
        /* The first required field without an entry. */
        iotp_fail(r, IOTP_ERR_MISSING_FIELD, m.start);
        iotp_in_field(r, pet_fields[(seen & 1u) == 0 ? 0 : (seen & 2u) == 0 ? 1 : 2]);
        return false;
    }
    iotp_map_unknown(r, &m, &out->unknown);
    return true;
}

bool pet_decode(const uint8_t *data, size_t len, pet *out, iotp_decode_error *err) {
    iotp_reader r;
    iotp_reader_init(&r, data, len);
    if (pet_decode_from(&r, IOTP_MAX_DEPTH, out) && iotp_finish(&r)) {
        return true;
    }
    *err = r.err;
    return false;
}

bool pet_encode_to(iotp_writer *w, const pet *v) {
    iotp_merge g;
    size_t i;
    /* Encoders refuse what decoders reject: bounds first, before a byte is written. */
    if (v->names_count > 4) {
        return iotp_writer_fail(w, IOTP_ENC_BOUND_EXCEEDED, pet_fields[0]);
    }
    for (i = 0; i < v->names_count; i++) {
        if (v->names[i].len > 32) {
            return iotp_writer_fail(w, IOTP_ENC_BOUND_EXCEEDED, pet_fields[0]);
        }
    }
    if (v->birthday.len != 8) {
        return iotp_writer_fail(w, IOTP_ENC_BOUND_EXCEEDED, pet_fields[1]);
    }
    /* Errors are sticky: the writes need no test each, one at the end says whether all succeeded. */
    iotp_merge_init(&g, &v->unknown, pet_keys, 3);
    iotp_write_map(w, 3 + v->unknown.count);
    iotp_merge_before(w, &g, 0);
    iotp_write_uint(w, 0);
    iotp_write_array(w, v->names_count);
    for (i = 0; i < v->names_count; i++) {
        iotp_write_text(w, v->names[i].ptr, v->names[i].len);
    }
    iotp_write_close(w, v->names_count);
    iotp_merge_before(w, &g, 1);
    iotp_write_uint(w, 1);
    iotp_write_bytes(w, v->birthday.ptr, v->birthday.len);
    iotp_merge_before(w, &g, 2);
    iotp_write_uint(w, 2);
    iotp_write_uint(w, v->species);
    iotp_merge_finish(w, &g);
    iotp_write_close(w, 3 + v->unknown.count);
    return iotp_writer_ok(w);
}
