{%- import "rust/presence.rs" as presence -%}
{#- A message's or union's borrowed form is written as its owned copy: one JSON writer for both. #}
{%- macro borrowed_serialize(item) %}
/// The canonical JSON form (spec/04-wire-format.md §4.18), written as the owned form's.
{% if item.allow_deprecated -%}
#[allow(deprecated)]
{% endif -%}
impl<'a> rt::serde::Serialize for {{ item.name }}<'a> {
    fn serialize<S: rt::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        rt::json::as_owned(self, serializer)
    }
}
{%- endmacro %}
{%- for item in items %}
{%- if item.kind == "enum" %}
{% if item.allow_deprecated -%}
#[allow(deprecated)]
{% endif -%}
impl {{ item.name }} {
    /// The values' names, for the canonical JSON mapping.
    const JSON_NAMES: &'static [(&'static str, u32)] = &[{{ item.json_names }}];
}

/// The canonical JSON form (spec/04-wire-format.md §4.18): the value's name, or an unknown
/// value's number.
{% if item.allow_deprecated -%}
#[allow(deprecated)]
{% endif -%}
impl rt::serde::Serialize for {{ item.name }} {
    fn serialize<S: rt::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        rt::json::serialize_enum(serializer, Self::JSON_NAMES, self.to_u32())
    }
}

/// Reads the canonical JSON form: a value's name, or a number.
{% if item.allow_deprecated -%}
#[allow(deprecated)]
{% endif -%}
impl<'de> rt::serde::Deserialize<'de> for {{ item.name }} {
    fn deserialize<D: rt::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        rt::json::deserialize_enum(deserializer, Self::JSON_NAMES).map(Self::from_u32)
    }
}
{%- else if item.kind == "message" %}
{% call borrowed_serialize(item) %}{% endcall %}

/// The canonical JSON form (spec/04-wire-format.md §4.18): members in key order, absent
/// optional fields and fields equal to their default left out, unknown fields as
/// `"#<key>": "<hex>"`.
{% if item.allow_deprecated -%}
#[allow(deprecated)]
{% endif -%}
impl rt::serde::Serialize for owned::{{ item.name }} {
    fn serialize<S: rt::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
{%- if item.owned_as_borrowed %}
        let count = {{ item.name }}::entry_count(&rt::AsBorrowed::as_borrowed(self));
{%- endif %}
        {% if item.fields.is_empty() %}let{% else %}let mut{% endif %} map = rt::json::message(s, {% if item.owned_as_borrowed %}count{% else %}self.entry_count(){% endif %}, self.{{ item.unknown }}.entries())?;
{%- for f in item.sorted %}
        {% call presence::json_write(f) %}{% endcall %}
{%- endfor %}
        map.end()
    }
}

/// Reads the canonical JSON form through [`rt::json::ReadMessage`].
{% if item.allow_deprecated -%}
#[allow(deprecated)]
{% endif -%}
impl<'de> rt::serde::Deserialize<'de> for owned::{{ item.name }} {
    fn deserialize<D: rt::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        rt::json::read_message(deserializer)
    }
}

/// The JSON reader's member table, slots and finishing step.
{% if item.allow_deprecated -%}
#[allow(deprecated)]
{% endif -%}
impl rt::json::ReadMessage for owned::{{ item.name }} {
    const NAME: &'static str = "{{ item.name }}";
    const MEMBERS: &'static [(&'static str, u64)] = &[{{ item.json_names }}];
    type Slots = ({% for f in item.fields %}Option<{{ f.json_slot_type }}>,{% endfor %});
    const EMPTY: Self::Slots = ({% for f in item.fields %}None,{% endfor %});

{%- if item.fields.is_empty() %}

    fn put<'de, A: rt::serde::de::MapAccess<'de>>(_: &mut (), _: u64, _: &mut A) -> Result<bool, A::Error> {
        Ok(false)
    }

    fn finish<E: rt::serde::de::Error>(_: (), unknown: rt::OwnedUnknownFields) -> Result<Self, E> {
        Ok(owned::{{ item.name }} { {{ item.unknown }}: unknown })
    }
{%- else %}

    fn put<'de, A: rt::serde::de::MapAccess<'de>>(s: &mut Self::Slots, key: u64, map: &mut A) -> Result<bool, A::Error> {
        match key {
{%- for f in item.fields %}
            {{ f.key }} => rt::json::put::<{{ f.json_marker }}, _, _>(map, &mut {{ f.json_slot }}, "{{ f.slot_name }}")?,
{%- endfor %}
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn finish<E: rt::serde::de::Error>(s: Self::Slots, unknown: rt::OwnedUnknownFields) -> Result<Self, E> {
        Ok(owned::{{ item.name }} {
{%- for f in item.fields %}
            {{ f.name }}: {% call presence::json_finish(f) %}{% endcall %},
{%- endfor %}
            {{ item.unknown }}: unknown,
        })
    }
{%- endif %}
}
{%- else if item.kind == "union" %}
{% call borrowed_serialize(item) %}{% endcall %}

/// The canonical JSON form (spec/04-wire-format.md §4.18): `{"variant": value}`, `null` for a
/// unit variant, `{"#<key>": "<hex>"}` for an unknown one.
{% if item.allow_deprecated -%}
#[allow(deprecated)]
{% endif -%}
impl rt::serde::Serialize for owned::{{ item.name }} {
    fn serialize<S: rt::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
{%- for v in item.variants %}
{%- if v.owned_type.is_some() %}
            Self::{{ v.name }}(v) => rt::json::variant::<{{ v.json_marker }}, _, _>(s, "{{ v.json_name }}", v),
{%- else %}
            Self::{{ v.name }} => rt::json::unit_variant(s, "{{ v.json_name }}"),
{%- endif %}
{%- endfor %}
            Self::{{ item.other }} { key, value } => rt::json::unknown_variant(s, *key, value),
        }
    }
}

/// Reads the canonical JSON form through [`rt::json::ReadUnion`].
{% if item.allow_deprecated -%}
#[allow(deprecated)]
{% endif -%}
impl<'de> rt::serde::Deserialize<'de> for owned::{{ item.name }} {
    fn deserialize<D: rt::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        rt::json::read_union(deserializer)
    }
}

/// The JSON reader's member table and variants.
{% if item.allow_deprecated -%}
#[allow(deprecated)]
{% endif -%}
impl rt::json::ReadUnion for owned::{{ item.name }} {
    const NAME: &'static str = "{{ item.name }}";
    const MEMBERS: &'static [(&'static str, u64)] = &[{{ item.json_names }}];

    fn variant<'de, A: rt::serde::de::MapAccess<'de>>(key: u64, map: &mut A) -> Result<Self, A::Error> {
{%- if item.variants.is_empty() %}
        Ok(Self::{{ item.other }} { key, value: rt::json::raw_value(map)? })
{%- else %}
        Ok(match key {
{%- for v in item.variants %}
{%- if v.owned_type.is_some() %}
            {{ v.key }} => Self::{{ v.name }}(rt::json::value::<{{ v.json_marker }}, _, _>(map)?),
{%- else %}
            {{ v.key }} => {
                rt::json::unit(map)?;
                Self::{{ v.name }}
            }
{%- endif %}
{%- endfor %}
            key => Self::{{ item.other }} { key, value: rt::json::raw_value(map)? },
        })
{%- endif %}
    }
}
{%- endif %}
{%- endfor %}
