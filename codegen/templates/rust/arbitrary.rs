{%- for item in items %}
{%- if item.kind == "enum" %}
rt::fuzz_type!({% if item.allow_deprecated %}#[allow(deprecated)] {% endif %}{{ item.name }}: "{{ item.full_name }}", numbers [{{ item.numbers }}], other {{ item.other }});
{%- else %}
rt::fuzz_type! {
    {% if item.allow_deprecated %}#[allow(deprecated)] {% endif %}owned::{{ item.name }}: "{{ item.full_name }}", {{ item.name }}<'a>, cycle {{ item.cycle }}{% if item.kind == "message" %}, unknown {{ item.unknown }}{% endif %};
    generate(g)
{%- if item.kind == "message" %} owned::{{ item.name }} {
{%- for f in item.fields %}
{%- if let Some(generate) = f.generate %}
{%- if f.optional %}
        {{ f.name }}: g.opt(|g| {{ generate }})?,
{%- else %}
        {{ f.name }}: {{ generate }}?,
{%- endif %}
{%- endif %}
{%- endfor %}
        {{ item.unknown }}: g.unknown_fields(&[{{ item.known_keys }}])?,
    };
{%- else %} match g.variant({{ item.variants.len() }}, {{ item.exit }})? {
{%- for v in item.variants %}
{%- if let Some(generate) = v.generate %}
        {{ loop.index0 }} => owned::{{ item.name }}::{{ v.name }}({{ generate }}?),
{%- else %}
        {{ loop.index0 }} => owned::{{ item.name }}::{{ v.name }},
{%- endif %}
{%- endfor %}
        _ => {
{%- if item.by_role %}
            let (key, value) = g.kept_variant(&[{{ item.variant_keys }}])?;
{%- else %}
            let (key, value) = g.unknown_variant(&[{{ item.variant_keys }}])?;
{%- endif %}
            owned::{{ item.name }}::{{ item.other }} { key, value }
        }
    };
{%- endif %}
    audit(self, a) {
{%- if item.kind == "message" %}
{%- for f in item.fields %}
{%- if let Some(check) = f.check %}
        {{ check }};
{%- endif %}
{%- endfor %}
{%- else %}
        match self {
{%- for v in item.variants %}
{%- if v.generate.is_none() %}
            Self::{{ v.name }} => {}
{%- else if let Some(check) = v.check %}
            Self::{{ v.name }}(v) => {{ check }},
{%- else %}
            Self::{{ v.name }}(_) => {}
{%- endif %}
{%- endfor %}
{%- if item.by_role %}
            Self::{{ item.other }} { key, value } => a.kept_variant(*key, value),
{%- else %}
            Self::{{ item.other }} { key, value } => a.unknown_variant(*key, value, &[{{ item.variant_keys }}]),
{%- endif %}
        }
{%- endif %}
{%- if item.kind == "message" && !item.checked %}}{% else %}
    }
{%- endif %}
}
{%- endif %}
{% endfor %}