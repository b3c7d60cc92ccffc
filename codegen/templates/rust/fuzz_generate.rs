{#- One call of `rt::fuzz::Gen` building a value, without its `?`. -#}
{%- if kind == "items" %}g.items({{ bound }}, |g| {% if let Some(item) = item %}{{ item }}{% endif %})
{%- else if kind == "int" %}g.int({{ min }}, {{ max }})
{%- else if kind == "text" || kind == "bytes" %}g.{{ kind }}({{ bound }})
{%- else %}g.{{ kind }}()
{%- endif -%}