{%- import "rust/presence.rs" as presence -%}
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
    fn serialize<__S: rt::serde::Serializer>(&self, serializer: __S) -> Result<__S::Ok, __S::Error> {
        rt::json::serialize_enum(serializer, Self::JSON_NAMES, self.to_u32())
    }
}

/// Reads the canonical JSON form: a value's name, or a number.
{% if item.allow_deprecated -%}
#[allow(deprecated)]
{% endif -%}
impl<'de> rt::serde::Deserialize<'de> for {{ item.name }} {
    fn deserialize<__D: rt::serde::Deserializer<'de>>(deserializer: __D) -> Result<Self, __D::Error> {
        rt::json::deserialize_enum(deserializer, Self::JSON_NAMES).map(Self::from_u32)
    }
}
{%- else if item.kind == "message" %}
{%- for owned in [false, true] %}

/// The canonical JSON form (spec/04-wire-format.md §4.18): members in key order, absent
/// optional fields and fields equal to their default left out, unknown fields as
/// `"#<key>": "<hex>"`.
{% if item.allow_deprecated -%}
#[allow(deprecated)]
{% endif -%}
impl{% if !owned %}<'a>{% endif %} rt::serde::Serialize for {% if owned %}owned::{{ item.name }}{% else %}{{ item.name }}<'a>{% endif %} {
    fn serialize<__S: rt::serde::Serializer>(&self, serializer: __S) -> Result<__S::Ok, __S::Error> {
        {% if item.fields.is_empty() %}let{% else %}let mut{% endif %} map = rt::json::message(
            serializer,
            self.entry_count(),
            self.{{ item.unknown }}.entries({% if !owned %}Self::KNOWN_KEYS{% endif %}),
        )?;
{%- for f in item.sorted %}
        {% call presence::json_write(f) %}{% endcall %}
{%- endfor %}
        map.end()
    }
}
{%- endfor %}

/// Reads the canonical JSON form, with members in any order and defaulted fields also when
/// present with their default value; rejects duplicate and unknown members (other than
/// `"#<key>"`).
{% if item.allow_deprecated -%}
#[allow(deprecated)]
{% endif -%}
impl<'de> rt::serde::Deserialize<'de> for owned::{{ item.name }} {
    fn deserialize<__D: rt::serde::Deserializer<'de>>(deserializer: __D) -> Result<Self, __D::Error> {
        struct __Visitor;

{% if item.allow_deprecated -%}
        #[allow(deprecated)]
{% endif -%}
        impl<'de> rt::serde::de::Visitor<'de> for __Visitor {
            type Value = owned::{{ item.name }};

            fn expecting(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str("an object of type {{ item.name }}")
            }

            fn visit_map<__A: rt::serde::de::MapAccess<'de>>(
                self,
                mut map: __A,
            ) -> Result<Self::Value, __A::Error> {
{%- for f in item.fields %}
                let mut f_{{ f.slot_name }} = None;
{%- endfor %}
                let mut unknown = rt::OwnedUnknownFields::new();
                while let Some(key) = map.next_key_seed(rt::json::Members(&[{{ item.json_names }}]))? {
{%- if item.fields.is_empty() %}
                    rt::json::put_unknown(&mut map, &mut unknown, key)?;
{%- else %}
                    match key {
{%- for f in item.fields %}
                        {{ f.key }} => rt::json::put::<{{ f.json_marker }}, _, _>(&mut map, &mut f_{{ f.slot_name }}, "{{ f.slot_name }}")?,
{%- endfor %}
                        key => rt::json::put_unknown(&mut map, &mut unknown, key)?,
                    }
{%- endif %}
                }
                Ok(owned::{{ item.name }} {
{%- for f in item.fields %}
                    {{ f.name }}: {% call presence::json_finish(f) %}{% endcall %},
{%- endfor %}
                    {{ item.unknown }}: unknown,
                })
            }
        }

        deserializer.deserialize_map(__Visitor)
    }
}
{%- else if item.kind == "union" %}
{%- for owned in [false, true] %}

/// The canonical JSON form (spec/04-wire-format.md §4.18): `{"variant": value}`, `null` for a
/// unit variant, `{"#<key>": "<hex>"}` for an unknown one.
{% if item.allow_deprecated -%}
#[allow(deprecated)]
{% endif -%}
impl{% if !owned %}<'a>{% endif %} rt::serde::Serialize for {% if owned %}owned::{{ item.name }}{% else %}{{ item.name }}<'a>{% endif %} {
    fn serialize<__S: rt::serde::Serializer>(&self, serializer: __S) -> Result<__S::Ok, __S::Error> {
        match self {
{%- for v in item.variants %}
{%- if v.owned_type.is_some() %}
            Self::{{ v.name }}(v) => rt::json::variant::<{{ v.json_marker }}, _, _>(serializer, "{{ v.json_name }}", v),
{%- else %}
            Self::{{ v.name }} => rt::json::unit_variant(serializer, "{{ v.json_name }}"),
{%- endif %}
{%- endfor %}
            Self::{{ item.other }} { key, value } => rt::json::unknown_variant(serializer, *key, value),
        }
    }
}
{%- endfor %}

/// Reads the canonical JSON form: an object with exactly one member.
{% if item.allow_deprecated -%}
#[allow(deprecated)]
{% endif -%}
impl<'de> rt::serde::Deserialize<'de> for owned::{{ item.name }} {
    fn deserialize<__D: rt::serde::Deserializer<'de>>(deserializer: __D) -> Result<Self, __D::Error> {
        struct __Visitor;

{% if item.allow_deprecated -%}
        #[allow(deprecated)]
{% endif -%}
        impl<'de> rt::serde::de::Visitor<'de> for __Visitor {
            type Value = owned::{{ item.name }};

            fn expecting(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str("an object of type {{ item.name }}, with one member")
            }

            fn visit_map<__A: rt::serde::de::MapAccess<'de>>(
                self,
                mut map: __A,
            ) -> Result<Self::Value, __A::Error> {
                let key = rt::json::union_key(&mut map, &[{{ item.json_names }}])?;
{%- if item.variants.is_empty() %}
                let value = owned::{{ item.name }}::{{ item.other }} {
                    key,
                    value: rt::json::raw_value(&mut map)?,
                };
{%- else %}
                let value = match key {
{%- for v in item.variants %}
{%- if v.owned_type.is_some() %}
                    {{ v.key }} => owned::{{ item.name }}::{{ v.name }}(rt::json::value::<{{ v.json_marker }}, _, _>(&mut map)?),
{%- else %}
                    {{ v.key }} => {
                        rt::json::unit(&mut map)?;
                        owned::{{ item.name }}::{{ v.name }}
                    }
{%- endif %}
{%- endfor %}
                    key => owned::{{ item.name }}::{{ item.other }} {
                        key,
                        value: rt::json::raw_value(&mut map)?,
                    },
                };
{%- endif %}
                rt::json::union_end(&mut map)?;
                Ok(value)
            }
        }

        deserializer.deserialize_map(__Visitor)
    }
}
{%- endif %}
{%- endfor %}
