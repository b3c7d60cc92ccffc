{#- Per type, the table of facts the runtime's JSON macros (`rt::json::message_table!`,
    `union_table!`, `enum_table!`, codec/src/runtime/json/table.rs) turn into the `Serialize` and
    `Deserialize` impls: message fields in key order, union variants and enum values in declaration
    order. #}
{%- for item in items %}
{%- if item.kind == "enum" %}
rt::json::enum_table! {
    {{ item.name }};
{%- for v in item.json_values %}
    {{ v }},
{%- endfor %}
}
{%- else if item.kind == "message" %}
rt::json::message_table! {
    {{ item.name }}, unknown: {{ item.unknown }};
{%- for f in item.sorted %}
    {{ f.key }} "{{ f.slot_name }}" {{ f.name }}: {{ f.json_marker }} = {{ f.json_presence }};
{%- endfor %}
}
{%- else if item.kind == "union" %}
rt::json::union_table! {
    {{ item.name }}, other: {{ item.other }};
{%- for v in item.variants %}
{%- if v.owned_type.is_some() %}
    {{ v.key }} "{{ v.json_name }}" {{ v.name }}({{ v.json_marker }});
{%- else %}
    {{ v.key }} "{{ v.json_name }}" {{ v.name }};
{%- endif %}
{%- endfor %}
}
{%- endif %}
{%- endfor %}
