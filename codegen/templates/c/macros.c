{#- Pieces shared by the C templates. `lines` of a doc comment as a comment, at `indent`. #}
{%- macro docs(lines, indent) -%}
{%- if lines.len() == 1 -%}
{{ indent }}/** {{ lines[0] }} */
{% elif !lines.is_empty() -%}
{{ indent }}/**
{%- for line in lines.iter() %}
{{ indent }} *{% if !line.is_empty() %} {{ line }}{% endif %}
{%- endfor %}
{{ indent }} */
{% endif -%}
{%- endmacro %}

{#- The call that reads a leaf into `out->path`. #}
{%- macro read(l) -%}
{%- if l.kind == "record" -%}
{{ l.read_fn }}_decode_from(r, {{ l.depth }}, &out->{{ l.path }})
{%- elif l.kind == "uint" || l.kind == "int" -%}
{{ l.read_fn }}(r, {{ l.min }}, {{ l.max }}, &out->{{ l.path }})
{%- elif l.copy -%}
{{ l.read_fn }}(r, {{ l.len }}u, out->{{ l.path }}.data, &out->{{ l.path }}.len)
{%- elif l.kind == "text" || l.kind == "bytes" || l.kind == "fixed" -%}
{{ l.read_fn }}(r, {{ l.len }}u, &out->{{ l.path }})
{%- else -%}
{{ l.read_fn }}(r, &out->{{ l.path }})
{%- endif -%}
{%- endmacro %}

{#- The call that writes the leaf at `v->path`. #}
{%- macro write(l) -%}
{%- if l.kind == "record" -%}
{{ l.read_fn }}_encode_to(w, &v->{{ l.path }})
{%- elif l.kind == "text" || l.kind == "bytes" || l.kind == "fixed" -%}
{{ l.write_fn }}(w, v->{{ l.path }}.{% if l.copy %}data{% else %}ptr{% endif %}, v->{{ l.path }}.len)
{%- else -%}
{{ l.write_fn }}(w, v->{{ l.path }})
{%- endif -%}
{%- endmacro %}

{#- The condition under which an encoder refuses the leaf at `v->path`, if any: what a decoder
    would reject. #}
{%- macro refused(l) -%}
{%- if l.kind == "text" || l.kind == "bytes" -%}
v->{{ l.path }}.len > {{ l.len }}u
{%- elif l.kind == "fixed" -%}
v->{{ l.path }}.len != {{ l.len }}u
{%- elif let (Some(below), Some(above)) = (l.below.as_ref(), l.above.as_ref()) -%}
v->{{ l.path }} < {{ below }} || v->{{ l.path }} > {{ above }}
{%- elif let Some(below) = l.below -%}
v->{{ l.path }} < {{ below }}
{%- elif let Some(above) = l.above -%}
v->{{ l.path }} > {{ above }}
{%- endif -%}
{%- endmacro %}

{#- The encoder's error for a refused leaf. #}
{%- macro refusal(l) -%}
{%- if l.kind == "text" || l.kind == "bytes" || l.kind == "fixed" -%}
IOTP_ENC_BOUND_EXCEEDED
{%- else -%}
IOTP_ENC_OUT_OF_RANGE
{%- endif -%}
{%- endmacro %}

{#- Whether the value at `p->member` equals the field's default (`equal`) or differs from it. #}
{%- macro is_default(d, p, member, equal) -%}
{%- if d.compare == "text" -%}
{% if !equal %}!{% endif %}iotp_text_equals({{ p }}{{ member }}, {{ d.literal }}, {{ d.len }}u)
{%- elif d.compare == "chars" -%}
{% if !equal %}!{% endif %}iotp_chars_equal({{ p }}{{ member }}.data, {{ p }}{{ member }}.len, {{ d.literal }}, {{ d.len }}u)
{%- elif d.compare == "f32" -%}
iotp_f32_bits({{ p }}{{ member }}) {% if equal %}=={% else %}!={% endif %} {{ d.literal }}
{%- elif d.compare == "f64" -%}
iotp_f64_bits({{ p }}{{ member }}) {% if equal %}=={% else %}!={% endif %} {{ d.literal }}
{%- else -%}
{{ p }}{{ member }} {% if equal %}=={% else %}!={% endif %} {{ d.literal }}
{%- endif -%}
{%- endmacro %}

{#- Reads `value` into `out`; any failure names `label`. `i` is the indentation of the statements. #}
{%- macro decode_value(value, label, i) -%}
{%- for l in value.levels %}
{{ i }}{{ l.pad }}if (!iotp_array_begin(r, {{ l.max }}u, {{ l.depth_in }}, &out->{{ l.count }}, &{{ l.depth_out }})) {
{{ i }}{{ l.pad }}    return iotp_field_error(r, IOTP_FIELD("{{ label }}"));
{{ i }}{{ l.pad }}}
{{ i }}{{ l.pad }}for ({{ l.index }} = 0; {{ l.index }} < out->{{ l.count }}; {{ l.index }}++) {
{%- endfor %}
{{ i }}{{ value.leaf_pad }}if (!{% call read(value.leaf) %}{% endcall %}) {
{{ i }}{{ value.leaf_pad }}    return iotp_field_error(r, IOTP_FIELD("{{ label }}"));
{{ i }}{{ value.leaf_pad }}}
{%- for l in value.levels.iter().rev() %}
{{ i }}{{ l.pad }}}
{%- endfor %}
{%- endmacro %}

{#- Writes `value` from `v` (its key already written); refuses what a decoder would reject, naming
    `label`. #}
{%- macro encode_value(value, label, i) -%}
{%- for l in value.levels %}
{{ i }}{{ l.pad }}if (v->{{ l.count }} > {{ l.max }}u) {
{{ i }}{{ l.pad }}    return iotp_writer_fail(w, IOTP_ENC_BOUND_EXCEEDED, IOTP_FIELD("{{ label }}"));
{{ i }}{{ l.pad }}}
{{ i }}{{ l.pad }}iotp_write_array(w, v->{{ l.count }});
{{ i }}{{ l.pad }}for ({{ l.index }} = 0; {{ l.index }} < v->{{ l.count }}; {{ l.index }}++) {
{%- endfor %}
{%- if value.leaf.checked %}
{{ i }}{{ value.leaf_pad }}if ({% call refused(value.leaf) %}{% endcall %}) {
{{ i }}{{ value.leaf_pad }}    return iotp_writer_fail(w, {% call refusal(value.leaf) %}{% endcall %}, IOTP_FIELD("{{ label }}"));
{{ i }}{{ value.leaf_pad }}}
{%- endif %}
{{ i }}{{ value.leaf_pad }}{% call write(value.leaf) %}{% endcall %};
{%- for l in value.levels.iter().rev() %}
{{ i }}{{ l.pad }}}
{{ i }}{{ l.pad }}iotp_write_close(w, v->{{ l.count }});
{%- endfor %}
{%- endmacro %}

{#- The index and depth variables of `value`'s array levels. #}
{%- macro array_vars(value, i) -%}
{%- if !value.levels.is_empty() %}
{{ i }}size_t {% for l in value.levels %}{% if !loop.first %}, {% endif %}{{ l.index }}, {{ l.depth_out }}{% endfor %};
{%- endif %}
{%- endmacro %}

{#- The index variables of `value`'s array levels (an encoder's). #}
{%- macro index_vars(value, i) -%}
{%- if !value.levels.is_empty() %}
{{ i }}size_t {% for l in value.levels %}{% if !loop.first %}, {% endif %}{{ l.index }}{% endfor %};
{%- endif %}
{%- endmacro %}

{#- Reads a value kept encoded (`lazy`): checks it with its type's decoder, within the cycle's
    `budget`, and keeps its bytes. Declarations first: the statements' block is the caller's. #}
{%- macro decode_lazy(l, label, i) -%}
{%- if let Some(max) = l.max %}
{{ i }}{{ l.ctype }} item;
{{ i }}size_t i0, d1, at;
{{ i }}if (!iotp_array_begin(r, {{ max }}u, {{ l.depth }}, &out->{{ l.count }}, &d1)) {
{{ i }}    return iotp_field_error(r, IOTP_FIELD("{{ label }}"));
{{ i }}}
{{ i }}at = r->pos;
{{ i }}for (i0 = 0; i0 < out->{{ l.count }}; i0++) {
{{ i }}    if (!{{ l.ctype }}_decode_in_cycle(r, d1, budget, &item)) {
{{ i }}        return iotp_field_error(r, IOTP_FIELD("{{ label }}"));
{{ i }}    }
{{ i }}}
{%- else %}
{{ i }}{{ l.ctype }} item;
{{ i }}const size_t at = r->pos;
{{ i }}if (!{{ l.ctype }}_decode_in_cycle(r, {{ l.depth }}, budget, &item)) {
{{ i }}    return iotp_field_error(r, IOTP_FIELD("{{ label }}"));
{{ i }}}
{%- endif %}
{{ i }}out->{{ l.path }}.ptr = r->data + at;
{{ i }}out->{{ l.path }}.len = r->pos - at;
{%- endmacro %}

{#- Writes a value kept encoded (its key already written), once its type's decoder has accepted it
    where it now sits. #}
{%- macro encode_lazy(l, label, i) -%}
{%- if let Some(max) = l.max %}
{{ i }}if (v->{{ l.count }} > {{ max }}u) {
{{ i }}    return iotp_writer_fail(w, IOTP_ENC_BOUND_EXCEEDED, IOTP_FIELD("{{ label }}"));
{{ i }}}
{{ i }}iotp_write_array(w, v->{{ l.count }});
{{ i }}if ({{ l.ctype }}_check_encoded(w, v->{{ l.path }}, v->{{ l.count }}, budget)) {
{{ i }}    iotp_write_raw_checked(w, v->{{ l.path }}.ptr, v->{{ l.path }}.len);
{{ i }}}
{{ i }}iotp_write_close(w, v->{{ l.count }});
{%- else %}
{{ i }}if ({{ l.ctype }}_check_encoded(w, v->{{ l.path }}, 1, budget)) {
{{ i }}    iotp_write_raw_checked(w, v->{{ l.path }}.ptr, v->{{ l.path }}.len);
{{ i }}}
{%- endif %}
{%- endmacro %}

{#- The first line of a decoder: the entry point, or for a type on a recursive cycle the function
    that carries the cycle's budget. #}
{%- macro decode_signature(t) -%}
{%- if t.cycle.is_some() -%}
static bool {{ t.ctype }}_decode_in_cycle(iotp_reader *r, size_t depth, uint32_t budget, {{ t.ctype }} *out) {
{%- else -%}
bool {{ t.ctype }}_decode_from(iotp_reader *r, size_t depth, {{ t.ctype }} *out) {
{%- endif -%}
{%- endmacro %}

{#- The first line of an encoder (see decode_signature). #}
{%- macro encode_signature(t) -%}
{%- if t.cycle.is_some() -%}
static bool {{ t.ctype }}_encode_in_cycle(iotp_writer *w, const {{ t.ctype }} *v, uint32_t budget) {
{%- else -%}
bool {{ t.ctype }}_encode_to(iotp_writer *w, const {{ t.ctype }} *v) {
{%- endif -%}
{%- endmacro %}

{#- For a type that carries `@max_depth`: entering it spends one unit of the cycle's budget, and
    none left is `refuse`. #}
{%- macro spend_budget(t, refuse) -%}
{%- if let Some((_, true)) = t.cycle %}
    if (budget == 0) {
        {{ refuse }}
    }
    budget--;
{%- endif %}
{%- endmacro %}

{#- A message field's key, after the unknown entries before it when they are `kept`, and its value. #}
{%- macro encode_field(f, i, kept) %}
{%- if kept %}
{{ i }}iotp_write_key(w, &g, {{ f.key }}u);
{%- else %}
{{ i }}iotp_write_uint(w, {{ f.key }}u);
{%- endif %}
{%- if let Some(l) = f.value.lazy %}
{%- call encode_lazy(l, f.label, i) %}{% endcall %}
{%- else %}
{%- call encode_value(f.value, f.label, i) %}{% endcall %}
{%- endif %}
{%- endmacro %}
