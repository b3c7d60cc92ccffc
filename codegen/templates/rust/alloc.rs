{%- import "rust/presence.rs" as presence -%}
{%- import "rust/construct.rs" as construct -%}
{%- import "rust/role.rs" as role -%}
{#- The bodies of an owned message's or union's length and encoder, for a type whose owned form
    `rt::AsBorrowed` cannot see in its borrowed form (an array of text, bytes, arrays or records, or
    a member on a recursive cycle): in `encoded_len` and `encode_to`, or, for a type on a recursive
    cycle, in `encode_in_cycle`. #}
{%- macro owned_len_body(item) -%}
{%- if item.kind == "message" -%}
            {% if item.fields.is_empty() %}let{% else %}let mut{% endif %} len = rt::head_len(self.entry_count() as u64);
{%- for f in item.fields %}
            {% call presence::owned_len(f) %}{% endcall %}
{%- endfor %}
            len + self.{{ item.unknown }}.encoded_len()
{%- else %}
            1 + match self {
{%- for v in item.variants %}
{%- if v.owned_type.is_some() %}
                Self::{{ v.name }}({{ v.len_binding }}) => {{ v.key_len }} + {{ v.owned_len }},
{%- else %}
                Self::{{ v.name }} => {{ v.key_len }} + 1,
{%- endif %}
{%- endfor %}
                Self::{{ item.other }} { key, value } => rt::head_len(*key) + value.len(),
            }
{%- endif %}
{%- endmacro %}

{%- macro owned_encode_body(item) -%}
{%- if item.kind == "message" -%}
            let count = self.entry_count();
            w.map(count)?;
            let mut unknown = self.{{ item.unknown }}.merge();
{%- for f in item.sorted %}
            {% call presence::owned_open(f) %}{% endcall %}
{%- if !f.owned_validate.is_empty() %}
                {{ f.owned_validate }}
{%- endif %}
{%- if f.owned_encode_field.is_empty() %}
                unknown.key({{ f.key }}, w)?;
                {{ f.owned_encode }}
{%- else %}
                {{ f.owned_encode_field }}
{%- endif %}
            {%- call presence::close(f) %}{% endcall %}
{%- endfor %}
            unknown.finish(w)?;
            w.close(count);
            Ok(())
{%- else %}
            w.map(1)?;
            match self {
{%- for v in item.variants %}
{%- if v.owned_type.is_some() %}
                Self::{{ v.name }}(v) => {
{%- call role::sent(item, v, true) %}{% endcall %}
{%- if !v.owned_validate.is_empty() %}
                    {{ v.owned_validate }}
{%- endif %}
                    w.u64({{ v.key }})?;
                    {{ v.owned_encode }}
                }
{%- else %}
                Self::{{ v.name }} => {
{%- call role::sent(item, v, true) %}{% endcall %}
                    w.u64({{ v.key }})?;
                    w.null()?;
                }
{%- endif %}
{%- endfor %}
                Self::{{ item.other }} { key, value } => {
{%- if item.by_role %}
                    // Built by an application, or read elsewhere or by a role that does not
                    // receive the variant (`decode_as`): check what a decoder would.
                    rt::check_kept_variant(*key)?;
{%- else %}
                    // Built by an application, or read elsewhere: check what a decoder would.
                    rt::check_unknown_variant(*key, super::{{ item.name }}::KNOWN_KEYS)?;
{%- endif %}
                    w.u64(*key)?;
                    w.raw_item(value)?;
                }
            }
            w.close(1);
            Ok(())
{%- endif %}
{%- endmacro %}
{#- The `Message` impl of an owned message or union: decoded by the borrowed form and copied,
    encoded by the borrowed form's encoder where `rt::AsBorrowed` sees it in that form, by its own
    otherwise. #}
{%- macro owned_message(item) -%}
{% if item.allow_deprecated -%}
    #[allow(deprecated)]
{% endif -%}
    impl<'a> rt::Message<'a> for {{ item.name }} {
        /// Decodes with the borrowed form and copies the value.
        fn decode_from(r: &mut rt::Reader<'a>, depth: usize) -> Result<Self, rt::DecodeError> {
            super::{{ item.name }}::decode_from(r, depth).map(rt::IntoOwned::into_owned)
        }

        fn encoded_len(&self) -> usize {
{%- if item.owned_as_borrowed %}
            super::{{ item.name }}::encoded_len(&self.as_borrowed())
{%- else %}
            {% call owned_len_body(item) %}{% endcall %}
{%- endif %}
        }

        fn encode_to(&self, w: &mut rt::Writer<'_>) -> Result<(), rt::EncodeError> {
{%- if !item.sent_unions.is_empty() %}
            self.encode_to_as::<rt::Everything>(w)
{%- else if item.owned_as_borrowed %}
            super::{{ item.name }}::encode_to(&self.as_borrowed(), w)
{%- else if let Some(budget) = item.budget %}
            self.encode_in_cycle(w, {{ budget }})
{%- else %}
            {% call owned_encode_body(item) %}{% endcall %}
{%- endif %}
        }
    }
{%- if !item.sent_unions.is_empty() %}

{% if item.allow_deprecated -%}
    #[allow(deprecated)]
{% endif -%}
    impl {{ item.name }} {
        /// Encodes into `buf` in one pass as a node in the role `R` sends (see
        /// [`super::{{ item.name }}::encode_as`]).
        pub fn encode_as{% call role::sends_param(item, true) %}{% endcall %}(&self, buf: &mut [u8]) -> Result<usize, rt::EncodeError> {
            rt::encode_whole(buf, |w| self.encode_to_as::<R>(w))
        }

        /// Encodes into a new vector as a node in the role `R` sends (see
        /// [`super::{{ item.name }}::encode_as`]).
        pub fn encode_to_vec_as{% call role::sends_param(item, true) %}{% endcall %}(&self) -> Result<rt::alloc::vec::Vec<u8>, rt::EncodeError> {
            rt::encode_to_vec_measured(|w| self.encode_to_as::<R>(w))
        }

        /// Writes the canonical encoding as a node in the role `R` sends it (see
        /// [`super::{{ item.name }}::encode_as`]).
        pub fn encode_to_as{% call role::sends_param(item, true) %}{% endcall %}(
            &self,
            w: &mut rt::Writer<'_>,
        ) -> Result<(), rt::EncodeError> {
{%- if item.owned_as_borrowed %}
            super::{{ item.name }}::encode_to_as::<R>(&self.as_borrowed(), w)
{%- else %}
            {% call owned_encode_body(item) %}{% endcall %}
{%- endif %}
        }
    }
{%- endif %}
{%- endmacro %}
{%- for item in items %}
{%- if item.kind == "enum" %}
{% if item.allow_deprecated -%}
#[allow(deprecated)]
{% endif -%}
impl rt::IntoOwned for {{ item.name }} {
    type Owned = Self;
    fn into_owned(self) -> Self {
        self
    }
}
{%- else if item.kind == "message" %}
{% if item.allow_deprecated -%}
#[allow(deprecated)]
{% endif -%}
impl<'a> rt::IntoOwned for {{ item.name }}<'a> {
    type Owned = owned::{{ item.name }};
    fn into_owned(self) -> owned::{{ item.name }} {
        owned::{{ item.name }} {
{%- for f in item.fields %}
            {{ f.name }}: {{ f.into_owned }},
{%- endfor %}
            {{ item.unknown }}: self.{{ item.unknown }}.owned(Self::KNOWN_KEYS),
        }
    }
}
{%- else if item.kind == "union" %}
{% if item.allow_deprecated -%}
#[allow(deprecated)]
{% endif -%}
impl<'a> rt::IntoOwned for {{ item.name }}<'a> {
    type Owned = owned::{{ item.name }};
    fn into_owned(self) -> owned::{{ item.name }} {
        match self {
{%- for v in item.variants %}
{%- if v.owned_type.is_some() %}
            Self::{{ v.name }}(v) => owned::{{ item.name }}::{{ v.name }}({{ v.into_owned }}),
{%- else %}
            Self::{{ v.name }} => owned::{{ item.name }}::{{ v.name }},
{%- endif %}
{%- endfor %}
            Self::{{ item.other }} { key, value } => owned::{{ item.name }}::{{ item.other }} {
                key,
                value: rt::IntoOwned::into_owned(value),
            },
        }
    }
}
{%- endif %}
{%- if !item.sent_unions.is_empty() %}

{% if item.allow_deprecated -%}
#[allow(deprecated)]
{% endif -%}
impl<'a> {{ item.name }}<'a> {
    /// Encodes into a new vector, as `encode_to_vec` does, as a node in the role `R` sends (see
    /// [`Self::encode_as`]). The length comes from a first pass of the same encoder, so that nothing
    /// links `encoded_len` for the variants `R` never sends.
    pub fn encode_to_vec_as{% call role::sends_param(item, false) %}{% endcall %}(&self) -> Result<rt::alloc::vec::Vec<u8>, rt::EncodeError> {
        rt::encode_to_vec_measured(|w| self.encode_to_as::<R>(w))
    }
}
{%- endif %}
{%- endfor %}

/// Owned counterparts of the types of package `{{ package }}`, for applications that
/// keep messages (feature `alloc` of `iotp2p-codec`).
///
/// Each message and union has a type of the same name here that owns its data: `String`
/// for strings, `Vec<u8>` for bytes, `[u8; N]` for fixed-size bytes, `Vec<T>` for arrays,
/// `Box<T>` for recursive members, and [`OwnedUnknownFields`](rt::OwnedUnknownFields) for
/// retained unknown fields. Make one from a decoded value with `into_owned`, or build it;
/// it is a [`Message`](rt::Message) like the borrowed type, with the same checks and the
/// same bytes. Enums own nothing and are re-exported as they are; aliases name the owned
/// form of their target.
pub mod owned {
    #[allow(unused_imports)]
    use super::rt;
    #[allow(unused_imports)]
    use rt::{AsBorrowed as _, Message as _};
{% for item in items %}
{%- if item.kind == "alias" %}
{%- for line in item.docs %}
    ///{% if !line.is_empty() %} {% endif %}{{ line }}
{%- endfor %}
{%- if let Some(note) = item.deprecated %}
    #[deprecated(note = "{{ note }}")]
{%- endif %}
    pub type {{ item.name }} = {{ item.owned_alias_type }};
{%- else if item.kind == "enum" %}
{% if item.allow_deprecated -%}
    #[allow(deprecated)]
{% endif -%}
    pub use super::{{ item.name }};
{%- else if item.kind == "message" %}
{%- for line in item.docs %}
    ///{% if !line.is_empty() %} {% endif %}{{ line }}
{%- endfor %}
{%- if !item.docs.is_empty() %}
    ///
{%- endif %}
    /// The owned form of [`super::{{ item.name }}`].
{%- if let Some(note) = item.deprecated %}
    #[deprecated(note = "{{ note }}")]
{%- endif %}
    #[derive(Clone, Debug, PartialEq)]
{% if item.allow_deprecated -%}
    #[allow(deprecated)]
{% endif -%}
    pub struct {{ item.name }} {
{%- for f in item.fields %}
{%- for line in f.docs %}
        ///{% if !line.is_empty() %} {% endif %}{{ line }}
{%- endfor %}
{%- if let Some(note) = f.deprecated %}
        #[deprecated(note = "{{ note }}")]
{%- endif %}
        pub {{ f.name }}: {% call presence::owned_field_type(f) %}{% endcall %},
{%- endfor %}
        /// Fields this schema version does not define, kept so that re-encoding is exact.
        pub {{ item.unknown }}: rt::OwnedUnknownFields,
    }

{% if item.allow_deprecated -%}
    #[allow(deprecated)]
{% endif -%}
    impl {{ item.name }} {
{%- call construct::constants(item, true) %}{% endcall %}

{%- call construct::new(item, true) %}{% endcall %}
    }
{%- call construct::default_impl(item, true) %}{% endcall %}


{% if item.owned_as_borrowed -%}
{% if item.allow_deprecated -%}
    #[allow(deprecated)]
{% endif -%}
    impl<'a> rt::AsBorrowed<'a, super::{{ item.name }}<'a>> for {{ item.name }} {
        fn as_borrowed(&'a self) -> super::{{ item.name }}<'a> {
            super::{{ item.name }} {
{%- for f in item.fields %}
                {{ f.name }}: self.{{ f.name }}.as_borrowed(),
{%- endfor %}
                {{ item.unknown }}: self.{{ item.unknown }}.as_borrowed(),
            }
        }
    }

    {% call owned_message(item) %}{% endcall %}
{%- else -%}
{% if item.allow_deprecated -%}
    #[allow(deprecated)]
{% endif -%}
    impl {{ item.name }} {
{%- if item.kind == "message" %}
        /// Number of map entries the encoding has.
        pub(super) fn entry_count(&self) -> usize {
            self.{{ item.unknown }}.len()
{%- if item.required_count > 0 %} + {{ item.required_count }}{% endif %}
{%- for f in item.fields %}
{%- if f.presence != "required" %}
                + {% call presence::count(f) %}{% endcall %}
{%- endif %}
{%- endfor %}
        }
{%- endif %}
{%- if let Some(budget) = item.budget %}

        /// Encodes within its recursive cycle: `budget` is how many more nestings
        /// `@max_depth` allows; a value nested deeper is refused, as a decoder would
        /// refuse its encoding.
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
            {% call owned_encode_body(item) %}{% endcall %}
        }
{%- endif %}
    }

{% call owned_message(item) %}{% endcall %}
{%- endif %}
{%- else %}
{%- for line in item.docs %}
    ///{% if !line.is_empty() %} {% endif %}{{ line }}
{%- endfor %}
{%- if !item.docs.is_empty() %}
    ///
{%- endif %}
    /// The owned form of [`super::{{ item.name }}`].
{%- if let Some(note) = item.deprecated %}
    #[deprecated(note = "{{ note }}")]
{%- endif %}
    #[derive(Clone, Debug, PartialEq)]
{% if item.allow_deprecated -%}
    #[allow(deprecated)]
{% endif -%}
    pub enum {{ item.name }} {
{%- for v in item.variants %}
{%- for line in v.docs %}
        ///{% if !line.is_empty() %} {% endif %}{{ line }}
{%- endfor %}
{%- if let Some(note) = v.deprecated %}
        #[deprecated(note = "{{ note }}")]
{%- endif %}
{%- if let Some(t) = v.owned_type %}
        {{ v.name }}({{ t }}),
{%- else %}
        {{ v.name }},
{%- endif %}
{%- endfor %}
{%- if item.by_role %}
        /// A variant this version of the schema does not define, or one that the role a value was
        /// decoded for does not receive (`decode_as`); kept so that it is forwarded unchanged.
{%- else %}
        /// A variant this version of the schema does not define; kept so that it is forwarded
        /// unchanged.
{%- endif %}
        {{ item.other }} {
            /// The variant's key.
            key: u64,
            /// The variant's value, still encoded (one canonical data item).
            value: rt::alloc::vec::Vec<u8>,
        },
    }


{%- if item.owned_as_borrowed %}

{% if item.allow_deprecated -%}
    #[allow(deprecated)]
{% endif -%}
    impl<'a> rt::AsBorrowed<'a, super::{{ item.name }}<'a>> for {{ item.name }} {
        fn as_borrowed(&'a self) -> super::{{ item.name }}<'a> {
            match self {
{%- for v in item.variants %}
{%- if v.owned_type.is_some() %}
                Self::{{ v.name }}(v) => super::{{ item.name }}::{{ v.name }}(v.as_borrowed()),
{%- else %}
                Self::{{ v.name }} => super::{{ item.name }}::{{ v.name }},
{%- endif %}
{%- endfor %}
                Self::{{ item.other }} { key, value } => super::{{ item.name }}::{{ item.other }} { key: *key, value },
            }
        }
    }

    {% call owned_message(item) %}{% endcall %}
{%- else %}
{%- if item.budget.is_some() %}
{% if item.allow_deprecated -%}
    #[allow(deprecated)]
{% endif -%}
    impl {{ item.name }} {
{%- if item.kind == "message" %}
        /// Number of map entries the encoding has.
        pub(super) fn entry_count(&self) -> usize {
            self.{{ item.unknown }}.len()
{%- if item.required_count > 0 %} + {{ item.required_count }}{% endif %}
{%- for f in item.fields %}
{%- if f.presence != "required" %}
                + {% call presence::count(f) %}{% endcall %}
{%- endif %}
{%- endfor %}
        }
{%- endif %}
{%- if let Some(budget) = item.budget %}

        /// Encodes within its recursive cycle: `budget` is how many more nestings
        /// `@max_depth` allows; a value nested deeper is refused, as a decoder would
        /// refuse its encoding.
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
            {% call owned_encode_body(item) %}{% endcall %}
        }
{%- endif %}
    }
{%- endif %}

{% call owned_message(item) %}{% endcall %}
{%- endif %}
{%- endif %}
{% endfor %}
}
