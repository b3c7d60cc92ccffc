{%- import "rust/presence.rs" as presence -%}
{%- import "rust/construct.rs" as construct -%}
{%- import "rust/role.rs" as role -%}
{#- The bodies of a message's or a union's decoder, length and encoder: in `decode_from` and
    `encode_to`, or, for a type on a recursive cycle, in `decode_in_cycle` and `encode_in_cycle`,
    which spend the cycle's `@max_depth` budget. #}
{%- macro decode_body(item) -%}
        let {% if !item.fields.is_empty() || !item.variants.is_empty() %}mut {% endif %}field: Option<rt::FieldName> = None;
        let mut read = || -> Result<Self, rt::DecodeError> {
{%- if item.kind == "message" -%}
{%- if item.has_required %}
            let start = r.position();
{%- endif %}
            let count = r.map()?;
            let entries = r.position();
            let depth = rt::enter(r, depth, count)?;
{%- for f in item.fields %}
{%- if f.presence == "default" %}
            let mut f_{{ f.slot_name }}: {{ f.value_type }} = Self::{{ f.default_const }};
{%- else %}
            let mut f_{{ f.slot_name }}: Option<{{ f.value_type }}> = None;
{%- endif %}
{%- endfor %}
            let mut unknown = 0;
            let mut min_key = 0;
            for _ in 0..count {
{%- if item.has_defaults %}
                let key_at = r.position();
{%- endif %}
{%- if !item.fields.is_empty() %}
                field = None;
{%- endif %}
                let key = r.key(min_key)?;
                min_key = key + 1;
{%- if item.fields.is_empty() %}
                r.skip_unknown(depth)?;
                unknown += 1;
            }
{%- else %}
                match key {
{%- for f in item.fields %}
                    {{ f.key }} => {
                        field = Some(rt::field!("{{ f.label }}", key {{ f.key }}));
{%- if f.presence == "default" %}
                        let v = {{ f.decode }}?{% if !f.narrow.is_empty() %} as {{ f.narrow }}{% endif %};
                        if {{ f.is_default }} {
                            return Err(rt::DecodeError::new(rt::ErrorClass::DefaultValuePresent, key_at));
                        }
                        f_{{ f.slot_name }} = v;
{%- else %}
                        f_{{ f.slot_name }} = Some({{ f.decode }}?{% if !f.narrow.is_empty() %} as {{ f.narrow }}{% endif %});
{%- endif %}
                    }
{%- endfor %}
                    _ => {
                        r.skip_unknown(depth)?;
                        unknown += 1;
                    }
                }
            }
{%- endif %}
            Ok(Self {
{%- for f in item.fields %}
                {{ f.name }}: {% call presence::finish(f) %}{% endcall %},
{%- endfor %}
                {{ item.unknown }}: rt::UnknownFields::new(r.since(entries), unknown, depth),
            })
{%- else %}
            let start = r.position();
            if r.map()? != 1 {
                return Err(rt::DecodeError::new(rt::ErrorClass::InvalidUnion, start));
            }
            let depth = rt::enter(r, depth, 1)?;
            let key = r.key(0)?;
            Ok(match key {
{%- for v in item.variants %}
{%- if v.rust_type.is_some() %}
                {{ v.key }}{% call received(item, v) %}{% endcall %} => {
                    field = Some(rt::field!("{{ v.label }}", key {{ v.key }}));
                    Self::{{ v.name }}({{ v.decode }}?{% if !v.narrow.is_empty() %} as {{ v.narrow }}{% endif %})
                }
{%- else %}
                {{ v.key }}{% call received(item, v) %}{% endcall %} => {
                    field = Some(rt::field!("{{ v.label }}", key {{ v.key }}));
                    r.null()?;
                    Self::{{ v.name }}
                }
{%- endif %}
{%- endfor %}
                key => Self::{{ item.other }} {
                    key: key.into(),
                    value: r.skip(depth)?,
                },
            })
{%- endif %}
        };
        read().map_err(|e| e.or_field(field))
{%- endmacro %}

{#- A union variant's guard when the union decodes by role: a variant the role does not receive
    goes to the catch-all arm, and the constant takes its decoder out of the role's code. #}
{%- macro received(item, v) -%}
{%- if item.by_role %} if const { rt::receives::<R, Self>({{ v.key }}) }{% endif -%}
{%- endmacro %}

{#- The role parameter of a decoder that decodes by role, with a bound for each union it reaches. #}
{%- macro role_param(item) -%}
<R: {% for u in item.role_unions %}{% if !loop.first %} + {% endif %}rt::Receives<{{ u }}<'a>>{% endfor %}>
{%- endmacro %}

{#- A decoder by role, in the type's inherent impl: the trait's `decode_from` decodes as
    `rt::Everything`. #}
{%- macro decode_as(item) -%}
{%- if !item.role_unions.is_empty() %}

    /// Decodes a complete value (nothing may follow it) as a node in the role `R` receives it:
    /// a variant that `R` does not receive is kept as an unknown variant is (its key and its
    /// encoding, checked only for well-formedness), so that the value re-encodes to the same
    /// bytes, and a firmware built for `R` links no decoder for it. `decode` decodes every variant.
    pub fn decode_as{% call role_param(item) %}{% endcall %}(bytes: &'a [u8]) -> Result<Self, rt::DecodeError> {
        rt::decode_whole(bytes, Self::decode_from_as::<R>)
    }

    /// Decodes one value at the reader's position as a node in the role `R` receives it (see
    /// [`Self::decode_as`]).
    pub fn decode_from_as{% call role_param(item) %}{% endcall %}(
        r: &mut rt::Reader<'a>,
        depth: usize,
    ) -> Result<Self, rt::DecodeError> {
        {% call decode_body(item) %}{% endcall %}
    }
{%- endif %}
{%- endmacro %}

{#- An encoder by role, in the borrowed type's inherent impl: the trait's `encode_to` encodes as
    `rt::Everything`. #}
{%- macro encode_as(item) -%}
{%- if !item.sent_unions.is_empty() %}

    /// Encodes into `buf` in one pass, as `encode` does, as a node in the role `R` sends: a variant
    /// that `R` never sends (`@sent_by`) is refused with [`rt::EncodeError::NotSentByRole`], and a
    /// firmware built for `R` links no encoder for it. `encode` encodes every variant.
    pub fn encode_as{% call role::sends_param(item, false) %}{% endcall %}(&self, buf: &mut [u8]) -> Result<usize, rt::EncodeError> {
        rt::encode_whole(buf, |w| self.encode_to_as::<R>(w))
    }

    /// Writes the canonical encoding as a node in the role `R` sends it (see [`Self::encode_as`]).
    pub fn encode_to_as{% call role::sends_param(item, false) %}{% endcall %}(
        &self,
        w: &mut rt::Writer<'_>,
    ) -> Result<(), rt::EncodeError> {
        {% call encode_body(item) %}{% endcall %}
    }
{%- endif %}
{%- endmacro %}

{%- macro len_body(item) -%}
{%- if item.kind == "message" -%}
        {% if item.fields.is_empty() %}let{% else %}let mut{% endif %} len = rt::head_len(self.entry_count() as u64);
{%- for f in item.fields %}
        {% call presence::len(f) %}{% endcall %}
{%- endfor %}
        len + self.{{ item.unknown }}.encoded_len(Self::KNOWN_KEYS)
{%- else %}
        1 + match *self {
{%- for v in item.variants %}
{%- if v.rust_type.is_some() %}
            Self::{{ v.name }}({{ v.len_binding }}) => {{ v.key_len }} + {{ v.len }},
{%- else %}
            Self::{{ v.name }} => {{ v.key_len }} + 1,
{%- endif %}
{%- endfor %}
            Self::{{ item.other }} { key, value } => rt::head_len(key) + value.len(),
        }
{%- endif %}
{%- endmacro %}

{%- macro encode_body(item) -%}
{%- if item.kind == "message" -%}
        let count = self.entry_count();
        w.map(count)?;
        let mut unknown = self.{{ item.unknown }}.merge(Self::KNOWN_KEYS);
{%- for f in item.sorted %}
        {% call presence::open(f) %}{% endcall %}
{%- if !f.validate.is_empty() %}
            {{ f.validate }}
{%- endif %}
{%- if f.encode_field.is_empty() %}
            unknown.key({{ f.key }}, w)?;
            {{ f.encode }}
{%- else %}
            {{ f.encode_field }}
{%- endif %}
        {%- call presence::close(f) %}{% endcall %}
{%- endfor %}
        unknown.finish(w)?;
        w.close(count);
        Ok(())
{%- else %}
        w.map(1)?;
{#- A message or union payload is bound by reference: no copy of its bytes. #}
{%- let by_ref = item.variants_by_ref() %}
        match {% if !by_ref %}*{% endif %}self {
{%- for v in item.variants %}
{%- if v.rust_type.is_some() %}
            {% if by_ref && !v.by_ref %}&{% endif %}Self::{{ v.name }}(v) => {
{%- call role::sent(item, v, false) %}{% endcall %}
{%- if !v.validate.is_empty() %}
                {{ v.validate }}
{%- endif %}
                w.u64({{ v.key }})?;
                {{ v.encode }}
            }
{%- else %}
            Self::{{ v.name }} => {
{%- call role::sent(item, v, false) %}{% endcall %}
                w.u64({{ v.key }})?;
                w.null()?;
            }
{%- endif %}
{%- endfor %}
            {% if by_ref %}&{% endif %}Self::{{ item.other }} { key, value } => {
{%- if item.by_role %}
                // Built by an application, or decoded elsewhere or by a role that does not receive
                // the variant (`decode_as`): check what a decoder would.
                rt::check_kept_variant(key)?;
{%- else %}
                // Built by an application, or decoded elsewhere: check what a decoder would.
                rt::check_unknown_variant(key, Self::KNOWN_KEYS)?;
{%- endif %}
                w.u64(key)?;
                w.raw_item(value)?;
            }
        }
        w.close(1);
        Ok(())
{%- endif %}
{%- endmacro %}

// @generated by iotp2p-codegen {{ version }} from `{{ source }}` (package `{{ package }}`).
// Do not edit: change the schema and regenerate.

use {{ runtime }} as rt;
#[allow(unused_imports)]
use rt::Message as _;
{% for item in items %}
{%- for line in item.docs %}
///{% if !line.is_empty() %} {% endif %}{{ line }}
{%- endfor %}
{%- if let Some(note) = item.deprecated %}
#[deprecated(note = "{{ note }}")]
{%- endif %}
{%- if item.kind == "alias" %}
pub type {{ item.name }}{% if item.lifetime %}<'a>{% endif %} = {{ item.alias_type }};
{%- else if item.kind == "enum" %}
#[derive(Clone, Copy, Debug)]
{% if item.allow_deprecated -%}
#[allow(deprecated)]
{% endif -%}
pub enum {{ item.name }} {
{%- for v in item.values %}
{%- for line in v.docs %}
    ///{% if !line.is_empty() %} {% endif %}{{ line }}
{%- endfor %}
{%- if let Some(note) = v.deprecated %}
    #[deprecated(note = "{{ note }}")]
{%- endif %}
    {{ v.name }},
{%- endfor %}
    /// A value this version of the schema does not define; kept so that it is forwarded unchanged.
    {{ item.other }}(u32),
}

{% if item.allow_deprecated -%}
#[allow(deprecated)]
{% endif -%}
impl {{ item.name }} {
    /// Largest encoding of a known value, in bytes.
    pub const MAX_ENCODED_SIZE: usize = {% if item.max_size_fits_32_bit %}{{ item.max_size }}{% else %}rt::limits::saturating_usize({{ item.max_size }}){% endif %};

    /// The value with this number (an unknown number gives `{{ item.other }}`).
    pub const fn from_u32(value: u32) -> Self {
        match value {
{%- for v in item.values %}
            {{ v.number }} => Self::{{ v.name }},
{%- endfor %}
            other => Self::{{ item.other }}(other),
        }
    }

    /// The value's number on the wire.
    pub const fn to_u32(self) -> u32 {
        match self {
{%- for v in item.values %}
            Self::{{ v.name }} => {{ v.number }},
{%- endfor %}
            Self::{{ item.other }}(value) => value,
        }
    }

}

/// Values are equal when their numbers are: `{{ item.other }}(n)` with the number of a defined
/// value is that value, as its encoding is.
impl PartialEq for {{ item.name }} {
    fn eq(&self, other: &Self) -> bool {
        self.to_u32() == other.to_u32()
    }
}

impl Eq for {{ item.name }} {}

impl core::hash::Hash for {{ item.name }} {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.to_u32().hash(state)
    }
}

{% if item.allow_deprecated -%}
#[allow(deprecated)]
{% endif -%}
impl<'a> rt::Message<'a> for {{ item.name }} {
    /// Reads a value (spec: enums are open, so unknown numbers are accepted).
    fn decode_from(r: &mut rt::Reader<'a>, _depth: usize) -> Result<Self, rt::DecodeError> {
        r.enum_number().map(Self::from_u32)
    }

    fn encoded_len(&self) -> usize {
        rt::head_len(self.to_u32() as u64)
    }

    fn encode_to(&self, w: &mut rt::Writer<'_>) -> Result<(), rt::EncodeError> {
        w.u64(self.to_u32() as u64)
    }
}
{%- else if item.kind == "message" %}
#[derive(Clone, Copy, Debug, PartialEq)]
{% if item.allow_deprecated -%}
#[allow(deprecated)]
{% endif -%}
pub struct {{ item.name }}<'a> {
{%- for f in item.fields %}
{%- for line in f.docs %}
    ///{% if !line.is_empty() %} {% endif %}{{ line }}
{%- endfor %}
{%- if let Some(note) = f.deprecated %}
    #[deprecated(note = "{{ note }}")]
{%- endif %}
    pub {{ f.name }}: {% call presence::field_type(f) %}{% endcall %},
{%- endfor %}
    /// Fields this schema version does not define, kept so that re-encoding is exact.
    pub {{ item.unknown }}: rt::UnknownFields<'a>,
}


{% if item.allow_deprecated -%}
#[allow(deprecated)]
{% endif -%}
impl<'a> {{ item.name }}<'a> {
    /// Largest encoding in bytes of a value built from the schema (unknown fields add theirs).
    pub const MAX_ENCODED_SIZE: usize = {% if item.max_size_fits_32_bit %}{{ item.max_size }}{% else %}rt::limits::saturating_usize({{ item.max_size }}){% endif %};
{%- call construct::constants(item, false) %}{% endcall %}

{%- call construct::new(item, false) %}{% endcall %}

    /// The keys this version of the schema defines, ascending.
    const KNOWN_KEYS: &'static [u16] = &[{{ item.known_keys }}];

    /// Number of map entries the encoding has.
    fn entry_count(&self) -> usize {
        self.{{ item.unknown }}.len()
{%- if item.required_count > 0 %} + {{ item.required_count }}{% endif %}
{%- for f in item.fields %}
{%- if f.presence != "required" %}
            + {% call presence::count(f) %}{% endcall %}
{%- endif %}
{%- endfor %}
    }
{%- if let Some(budget) = item.budget %}

    /// Decodes within its recursive cycle: `budget` is how many more nestings `@max_depth` allows.
    pub(crate) fn decode_in_cycle(
        r: &mut rt::Reader<'a>,
        depth: usize,
        budget: u32,
    ) -> Result<Self, rt::DecodeError> {
{%- if item.counts_depth %}
        let Some(budget) = budget.checked_sub(1) else {
            return Err(rt::depth_exceeded(r));
        };
{%- endif %}
        {% call decode_body(item) %}{% endcall %}
    }

    /// Encodes within its recursive cycle: `budget` is how many more nestings `@max_depth` allows;
    /// a value nested deeper is refused, as a decoder would refuse its encoding.
    pub(crate) fn encode_in_cycle(
        &self,
        w: &mut rt::Writer<'_>,
        budget: u32,
    ) -> Result<(), rt::EncodeError> {
{%- if item.counts_depth %}
        let Some(budget) = budget.checked_sub(1) else {
            return Err(rt::EncodeError::DepthExceeded);
        };
{%- endif %}
        {% call encode_body(item) %}{% endcall %}
    }
{%- endif %}
{%- call decode_as(item) %}{% endcall %}
{%- call encode_as(item) %}{% endcall %}
}

{% if item.allow_deprecated -%}
#[allow(deprecated)]
{% endif -%}
impl<'a> rt::Message<'a> for {{ item.name }}<'a> {
    fn decode_from(r: &mut rt::Reader<'a>, depth: usize) -> Result<Self, rt::DecodeError> {
{%- if let Some(budget) = item.budget %}
        Self::decode_in_cycle(r, depth, {{ budget }})
{%- else if !item.role_unions.is_empty() %}
        Self::decode_from_as::<rt::Everything>(r, depth)
{%- else %}
        {% call decode_body(item) %}{% endcall %}
{%- endif %}
    }

    fn encoded_len(&self) -> usize {
        {% call len_body(item) %}{% endcall %}
    }

    fn encode_to(&self, w: &mut rt::Writer<'_>) -> Result<(), rt::EncodeError> {
{%- if let Some(budget) = item.budget %}
        self.encode_in_cycle(w, {{ budget }})
{%- else if !item.sent_unions.is_empty() %}
        self.encode_to_as::<rt::Everything>(w)
{%- else %}
        {% call encode_body(item) %}{% endcall %}
{%- endif %}
    }
}
{%- call construct::default_impl(item, false) %}{% endcall %}
{%- else %}
#[derive(Clone, Copy, Debug, PartialEq)]
{% if item.allow_deprecated -%}
#[allow(deprecated)]
{% endif -%}
pub enum {{ item.name }}<'a> {
{%- for v in item.variants %}
{%- for line in v.docs %}
    ///{% if !line.is_empty() %} {% endif %}{{ line }}
{%- endfor %}
{%- if let Some(note) = v.deprecated %}
    #[deprecated(note = "{{ note }}")]
{%- endif %}
{%- if let Some(t) = v.rust_type %}
    {{ v.name }}({{ t }}),
{%- else %}
    {{ v.name }},
{%- endif %}
{%- endfor %}
{%- if item.by_role %}
    /// A variant this version of the schema does not define, or one that the role a value was
    /// decoded for does not receive (`decode_as`); kept so that it is forwarded unchanged.
{%- else %}
    /// A variant this version of the schema does not define; kept so that it is forwarded unchanged.
{%- endif %}
    {{ item.other }} {
        /// The variant's key.
        key: u64,
        /// The variant's value, still encoded.
        value: &'a [u8],
    },
}


{% if item.allow_deprecated -%}
#[allow(deprecated)]
{% endif -%}
impl<'a> {{ item.name }}<'a> {
    /// Largest encoding of a value built from the schema, in bytes.
    pub const MAX_ENCODED_SIZE: usize = {% if item.max_size_fits_32_bit %}{{ item.max_size }}{% else %}rt::limits::saturating_usize({{ item.max_size }}){% endif %};

{%- if !item.by_role %}

    /// The keys of the variants this version of the schema defines, ascending.
    const KNOWN_KEYS: &'static [u16] = &[{{ item.known_keys }}];
{%- endif %}
{%- if let Some(budget) = item.budget %}

    /// Decodes within its recursive cycle: `budget` is how many more nestings `@max_depth` allows.
    pub(crate) fn decode_in_cycle(
        r: &mut rt::Reader<'a>,
        depth: usize,
        budget: u32,
    ) -> Result<Self, rt::DecodeError> {
{%- if item.counts_depth %}
        let Some(budget) = budget.checked_sub(1) else {
            return Err(rt::depth_exceeded(r));
        };
{%- endif %}
        {% call decode_body(item) %}{% endcall %}
    }

    /// Encodes within its recursive cycle: `budget` is how many more nestings `@max_depth` allows;
    /// a value nested deeper is refused, as a decoder would refuse its encoding.
    pub(crate) fn encode_in_cycle(
        &self,
        w: &mut rt::Writer<'_>,
        budget: u32,
    ) -> Result<(), rt::EncodeError> {
{%- if item.counts_depth %}
        let Some(budget) = budget.checked_sub(1) else {
            return Err(rt::EncodeError::DepthExceeded);
        };
{%- endif %}
        {% call encode_body(item) %}{% endcall %}
    }
{%- endif %}
{%- call decode_as(item) %}{% endcall %}
{%- call encode_as(item) %}{% endcall %}
}

{% if item.allow_deprecated -%}
#[allow(deprecated)]
{% endif -%}
impl<'a> rt::Message<'a> for {{ item.name }}<'a> {
    fn decode_from(r: &mut rt::Reader<'a>, depth: usize) -> Result<Self, rt::DecodeError> {
{%- if let Some(budget) = item.budget %}
        Self::decode_in_cycle(r, depth, {{ budget }})
{%- else if !item.role_unions.is_empty() %}
        Self::decode_from_as::<rt::Everything>(r, depth)
{%- else %}
        {% call decode_body(item) %}{% endcall %}
{%- endif %}
    }

    fn encoded_len(&self) -> usize {
        {% call len_body(item) %}{% endcall %}
    }

    fn encode_to(&self, w: &mut rt::Writer<'_>) -> Result<(), rt::EncodeError> {
{%- if let Some(budget) = item.budget %}
        self.encode_in_cycle(w, {{ budget }})
{%- else if !item.sent_unions.is_empty() %}
        self.encode_to_as::<rt::Everything>(w)
{%- else %}
        {% call encode_body(item) %}{% endcall %}
{%- endif %}
    }
}
{%- endif %}
{% endfor %}
{% if !roles.is_empty() %}
/// The roles that the schema's `@received_by` and `@sent_by` name. Decoding as a node in one of
/// them receives (`Envelope::decode_as::<role::Device>(bytes)`) keeps a variant the role does not
/// receive as an unknown variant is; encoding as it sends (`Envelope::encode_as::<role::Device>`)
/// refuses a variant it never sends. A firmware built for the role links neither's code.
pub mod role {
    use super::rt;
{%- for role in roles %}

    /// A node in the role `{{ role.schema_name }}`.
{%- if !role.receives.is_empty() %}
    ///
    /// It decodes these variants and keeps the others as unknown ones:
{%- for u in role.receives %}
{%- for line in u.variant_lines %}
    /// {% if loop.first %}- [`{{ u.name }}`](super::{{ u.name }}):{% else %} {% endif %} {{ line }}
{%- endfor %}
{%- endfor %}
{%- endif %}
{%- if !role.sends.is_empty() %}
    ///
    /// It sends only these variants:
{%- for u in role.sends %}
{%- for line in u.variant_lines %}
    /// {% if loop.first %}- [`{{ u.name }}`](super::{{ u.name }}):{% else %} {% endif %} {{ line }}
{%- endfor %}
{%- endfor %}
{%- endif %}
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct {{ role.name }};
{%- for u in role.receives %}

    impl rt::Receives<{{ u.path }}<'_>> for {{ role.name }} {
        const KEYS: rt::Keys = rt::Keys::Only(&[{{ u.keys }}]);
    }
{%- endfor %}
{%- for u in role.sends %}

    impl rt::Sends<{{ u.path }}<'_>> for {{ role.name }} {
        const KEYS: rt::Keys = rt::Keys::Only(&[{{ u.keys }}]);
    }
{%- endfor %}
{%- endfor %}
}
{% endif %}
