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

    fn generate(u: &mut rt::fuzz::Unstructured<'_>, {% if !item.uses_depth %}_{% endif %}depth: u32) -> rt::fuzz::Result<Self> {
{%- if item.kind == "message" %}
        Ok(owned::{{ item.name }} {
{%- for f in item.fields %}
{%- if f.presence == "optional" %}
            {{ f.name }}: if rt::fuzz::present(u, depth)? {
                Some({{ f.generate.as_deref().unwrap_or_default() }})
            } else {
                None
            },
{%- else %}
            {{ f.name }}: {{ f.generate.as_deref().unwrap_or_default() }},
{%- endif %}
{%- endfor %}
            {{ item.unknown }}: rt::fuzz::unknown_fields(u, &[{{ item.known_keys }}])?,
        })
{%- else %}
        Ok(match rt::fuzz::variant(u, {{ item.variants.len() }}, {{ item.exit }}, depth)? {
{%- for v in item.variants %}
{%- if let Some(g) = v.generate %}
            {{ loop.index0 }} => owned::{{ item.name }}::{{ v.name }}({{ g }}),
{%- else %}
            {{ loop.index0 }} => owned::{{ item.name }}::{{ v.name }},
{%- endif %}
{%- endfor %}
            _ => {
{%- if item.by_role %}
                let (key, value) = rt::fuzz::kept_variant(u, &[{{ item.variant_keys }}])?;
{%- else %}
                let (key, value) = rt::fuzz::unknown_variant(u, &[{{ item.variant_keys }}])?;
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
{%- if !f.audit.is_empty() %}
{%- if f.presence == "optional" %}
        if let Some(v) = &self.{{ f.name }} {
            {{ f.audit }}
        }
{%- else %}
        let v = &self.{{ f.name }};
        {{ f.audit }}
{%- endif %}
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
{%- else if v.audit.is_empty() %}
            Self::{{ v.name }}(_) => {}
{%- else %}
            Self::{{ v.name }}(v) => {
                {{ v.audit }}
            }
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

{% if item.allow_deprecated -%}
#[allow(deprecated)]
{% endif -%}
impl<'u> rt::arbitrary::Arbitrary<'u> for {% if item.kind != "enum" %}owned::{% endif %}{{ item.name }} {
    fn arbitrary(u: &mut rt::arbitrary::Unstructured<'u>) -> rt::arbitrary::Result<Self> {
        rt::fuzz::FuzzType::generate(u, 0)
    }
}
{% endfor %}
