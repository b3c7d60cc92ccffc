{#- One call of `rt::fuzz::Audit` checking a value reached as `access` says, as an `Option<&T>`. -#}
{%- if kind == "int" %}a.int({% else if kind == "len" %}a.len({% else if kind == "items" %}a.items({% else %}a.nested({% endif -%}
{%- if access == "field" %}Some(&self.{{ member }})
{%- else if access == "optional_field" %}self.{{ member }}.as_ref()
{%- else if access == "boxed_field" %}Some(&*self.{{ member }})
{%- else if access == "optional_boxed_field" %}self.{{ member }}.as_deref()
{%- else if access == "boxed_value" %}Some(&**v)
{%- else %}Some(v)
{%- endif -%}
{%- if kind == "int" %}, {{ min }}, {{ max }}, rt::field!("{{ label }}", key {{ key }}))
{%- else if kind == "len" %}, {{ bound }}, rt::field!("{{ label }}", key {{ key }}))
{%- else if kind == "items" %}, {{ bound }}, rt::field!("{{ label }}", key {{ key }}), |a, v| {% if let Some(item) = item %}{{ item }}{% endif %})
{%- else %})
{%- endif -%}