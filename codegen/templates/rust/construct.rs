{#- What a message offers for building values, in both forms (`owned` true for the owned form, in
    the module `owned`): a constant per schema default (`DEFAULT_<FIELD>`, the owned form's equal to
    the borrowed form's), `new` taking the required fields in declaration order and setting every
    other field as an encoding that leaves it out decodes, and `Default`, which is `new()`, where no
    field is required. `new` is a `const fn` unless the owned form allocates a default. #}

{%- macro constants(item, owned) -%}
{%- for f in item.fields %}
{%- if !f.default_const.is_empty() %}
    /// The schema's default of `{{ f.name }}`: its value when an encoding leaves the field out.
{%- if let Some(note) = f.deprecated %}
    #[deprecated(note = "{{ note }}")]
{%- endif %}
{%- if owned %}
    pub const {{ f.default_const }}: {{ f.owned_const_type }} = super::{{ item.name }}::{{ f.default_const }};
{%- else %}
    pub const {{ f.default_const }}: {{ f.const_type }} = {{ f.default }};
{%- endif %}
{%- endif %}
{%- endfor %}
{%- endmacro %}

{%- macro new(item, owned) %}
{% let others = item.has_defaults || !item.optional_fields.is_empty() -%}
{% if owned && item.owned_new_delegates %}
    /// [`super::{{ item.name }}::new`] made owned.
{%- if item.required_count > 7 %}
    #[allow(clippy::too_many_arguments)]
{%- endif %}
    pub fn new(
{%- for f in item.fields %}
{%- if f.presence == "required" %}{{ f.name }}: {{ f.owned_value_type }}, {% endif %}
{%- endfor %}) -> Self {
        rt::IntoOwned::into_owned(super::{{ item.name }}::new(
{%- for f in item.fields %}
{%- if f.presence == "required" %}{{ f.name }}, {% endif %}
{%- endfor %}))
    }
{%- else %}
{% if owned %}
    /// A value from its required fields, in order; the others as [`super::{{ item.name }}::new`] sets them.
{%- else if !others && item.has_required %}
    /// A value from its fields, in declaration order, with no unknown fields.
{%- else if !others %}
    /// The value, with no unknown fields (also [`Default`]).
{%- else %}
{%- if item.has_required %}
    /// A value from its required fields, in declaration order, no unknown fields, and every other
    /// field as an encoding that leaves it out decodes:
{%- else %}
    /// A value with no unknown fields and every field as an encoding that leaves it out decodes
    /// (also [`Default`]):
{%- endif %}
{%- for f in item.fields %}
{%- if f.presence == "default" %}
    /// - `{{ f.name }}`: [`Self::{{ f.default_const }}`] (`{{ f.default }}`){% if item.optional_fields.is_empty() && item.last_default == f.name %}.{% else %},{% endif %}
{%- endif %}
{%- endfor %}
{%- if !item.optional_fields.is_empty() %}
    /// - {% for name in item.optional_fields %}`{{ name }}`{% if !loop.last %}, {% endif %}{% endfor %}: `None`.
{%- endif %}
{%- endif %}
{%- if item.required_count > 7 %}
    #[allow(clippy::too_many_arguments)]
{%- endif %}
    pub {% if !owned || item.owned_new_const %}const {% endif %}fn new(
{%- for f in item.fields %}
{%- if f.presence == "required" %}{{ f.name }}: {% if owned %}{{ f.owned_value_type }}{% else %}{{ f.value_type }}{% endif %}, {% endif %}
{%- endfor %}) -> Self {
        Self {
{%- for f in item.fields %}
{%- if f.presence == "required" %}
            {{ f.name }},
{%- else if f.presence == "optional" %}
            {{ f.name }}: None,
{%- else if owned %}
            {{ f.name }}: {{ f.owned_default }},
{%- else %}
            {{ f.name }}: Self::{{ f.default_const }},
{%- endif %}
{%- endfor %}
            {{ item.unknown }}: {% if owned %}rt::OwnedUnknownFields::new(){% else %}rt::UnknownFields::NONE{% endif %},
        }
    }
{%- endif %}
{%- endmacro %}

{%- macro default_impl(item, owned) %}
{%- if !item.has_required %}

rt::default_is_new!({% if item.allow_deprecated %}#[allow(deprecated)] {% endif %}{{ item.name }}{% if !owned %}<'_>{% endif %});
{%- endif %}
{%- endmacro %}
