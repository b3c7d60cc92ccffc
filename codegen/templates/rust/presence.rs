{#- What a message field's presence (`required`, `optional`, `default`) puts around its value: how an
    encoder binds the value `v` and tests that the field is on the wire, how the length and the
    entry count add it, how a decoder finishes its slot. The
    borrowed form binds by value, but a message or union by reference (`by_ref`: no copy of its
    bytes), the owned form (`owned::`) by reference. #}

{%- macro present(f) -%}
{%- if f.presence == "optional" -%}
self.{{ f.name }}.is_some()
{%- else if f.presence == "default" -%}
{{ f.self_differs }}
{%- else -%}
true
{%- endif -%}
{%- endmacro -%}

{%- macro bind(f) -%}
{%- if f.presence == "optional" -%}
if let Some(v) = {% if f.by_ref %}&{% endif %}self.{{ f.name }}
{%- else if f.presence == "default" -%}
let v = self.{{ f.name }}; if {{ f.differs }}
{%- else -%}
let v = self.{{ f.name }};
{%- endif -%}
{%- endmacro -%}

{%- macro owned_bind(f) -%}
{%- if f.presence == "optional" -%}
if let Some(v) = &self.{{ f.name }}
{%- else if f.presence == "default" -%}
let v = &self.{{ f.name }}; if {{ f.self_differs }}
{%- else -%}
let v = &self.{{ f.name }};
{%- endif -%}
{%- endmacro -%}

{#- `open` binds `v` and, unless the field is required, opens the block that runs when it is on the
    wire; `close` ends that block. A required field's statements need no block of their own. #}
{%- macro open(f) -%}
{%- if f.presence == "required" -%}
let v = {% if f.by_ref %}&{% endif %}self.{{ f.name }};
{%- else -%}
{% call bind(f) %}{% endcall %} {
{%- endif -%}
{%- endmacro -%}

{%- macro owned_open(f) -%}
{%- if f.presence == "required" -%}
let v = &self.{{ f.name }};
{%- else -%}
{% call owned_bind(f) %}{% endcall %} {
{%- endif -%}
{%- endmacro -%}

{%- macro close(f) -%}
{%- if f.presence != "required" -%}
}
{%- endif -%}
{%- endmacro -%}

{%- macro field_type(f) -%}
{%- if f.presence == "optional" -%}
Option<{{ f.value_type }}>
{%- else -%}
{{ f.value_type }}
{%- endif -%}
{%- endmacro -%}

{%- macro owned_field_type(f) -%}
{%- if f.presence == "optional" -%}
Option<{{ f.owned_value_type }}>
{%- else -%}
{{ f.owned_value_type }}
{%- endif -%}
{%- endmacro -%}

{%- macro count(f) -%}
{%- if f.presence == "required" -%}
1
{%- else -%}
usize::from({% call present(f) %}{% endcall %})
{%- endif -%}
{%- endmacro -%}

{%- macro len(f) -%}
{%- if f.fixed_len && f.presence == "required" -%}
len += {{ f.key_len }} + {{ f.len }};
{%- else if f.fixed_len -%}
if {% call present(f) %}{% endcall %} { len += {{ f.key_len }} + {{ f.len }}; }
{%- else -%}
{% call open(f) %}{% endcall %} len += {{ f.key_len }} + {{ f.len }}; {% call close(f) %}{% endcall %}
{%- endif -%}
{%- endmacro -%}

{%- macro finish(f) -%}
{%- if f.presence != "required" -%}
f_{{ f.slot_name }}
{%- else -%}
rt::required!(f_{{ f.slot_name }}, start, "{{ f.label }}", key {{ f.key }})?
{%- endif -%}
{%- endmacro -%}
