{%- for item in items %}
{%- if item.kind == "enum" %}
{% if item.allow_deprecated -%}
#[allow(deprecated)]
{% endif -%}
impl rt::fuzz::FuzzType for {{ item.name }} {
    const NAME: &'static str = "{{ item.full_name }}";
    const MAX_ENCODED_SIZE: usize = {{ item.name }}::MAX_ENCODED_SIZE;
    type Borrowed<'a> = {{ item.name }};

    fn generate(u: &mut rt::fuzz::Unstructured<'_>, _depth: u32) -> rt::fuzz::Result<Self> {
        Ok(Self::from_u32(rt::fuzz::enum_number(u, &[{{ item.numbers }}])?))
    }

    fn audit(&self, a: &mut rt::fuzz::Audit) {
        if let Self::{{ item.other }}(_) = self {
            a.unknown();
        }
    }
}
{%- else %}
{% if item.allow_deprecated -%}
#[allow(deprecated)]
{% endif -%}
impl rt::fuzz::FuzzType for owned::{{ item.name }} {
    const NAME: &'static str = "{{ item.full_name }}";
    const MAX_ENCODED_SIZE: usize = {{ item.name }}::MAX_ENCODED_SIZE;
    type Borrowed<'a> = {{ item.name }}<'a>;

    fn generate(u: &mut rt::fuzz::Unstructured<'_>, depth: u32) -> rt::fuzz::Result<Self> {
        let g = &mut rt::fuzz::Gen::new(u, depth);
{%- if item.kind == "message" %}
        Ok(owned::{{ item.name }} {
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
        })
{%- else %}
        Ok(match g.variant({{ item.variants.len() }}, {{ item.exit }})? {
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
        })
{%- endif %}
    }

    fn audit(&self, a: &mut rt::fuzz::Audit) {
        a.enter({{ item.cycle }});
{%- if item.kind == "message" %}
{%- for f in item.fields %}
{%- if let Some(check) = f.check %}
        {{ check }};
{%- endif %}
{%- endfor %}
        if !self.{{ item.unknown }}.is_empty() {
            a.unknown();
        }
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
            Self::{{ item.other }} { key, value } => {
{%- if item.by_role %}
                a.kept_variant(*key, value)
{%- else %}
                a.unknown_variant(*key, value, &[{{ item.variant_keys }}])
{%- endif %}
            }
        }
{%- endif %}
        a.leave({{ item.cycle }});
    }
}
{%- endif %}

rt::fuzz::arbitrary!({% if item.allow_deprecated %}#[allow(deprecated)] {% endif %}{% if item.kind != "enum" %}owned::{% endif %}{{ item.name }});
{% endfor %}
