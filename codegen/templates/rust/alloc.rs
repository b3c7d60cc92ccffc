{%- import "rust/presence.rs" as presence -%}
{%- import "rust/construct.rs" as construct -%}
{%- import "rust/role.rs" as role -%}
{#- The body of an owned message's or union's encoder, for a type whose owned form `rt::AsBorrowed`
    cannot see in its borrowed form (an array of text, bytes, arrays or records, or a member on a
    recursive cycle): in `encode_to`, or, for a type on a recursive cycle, in `encode_in_cycle`. #}
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
{#- The conversions of an owned message or union (`rt::owned_message!`, `rt::owned_union!`):
    `IntoOwned` from the borrowed form, and, where `rt::AsBorrowed` sees the owned form in the
    borrowed one, `AsBorrowed` and (unless it encodes by role) `Message` through the borrowed form. #}
{%- macro conversions(item) -%}

    rt::owned_{{ item.kind }}!({% if item.allow_deprecated %}#[allow(deprecated)] {% endif %}{{ item.name }} {
{%- if item.members_inline %} {% for line in item.member_groups %}{% for m in line %}{{ m }}{% if item.kind == "union" %}(..){% endif %}{% if !loop.last %}, {% endif %}{% endfor %}{% endfor %}
{%- if item.kind == "union" %}; {% for m in item.empty_variants %}{{ m }}{% if !loop.last %}, {% endif %}{% endfor %}{% endif %} }
{%- else %}
{%- for line in item.member_groups %}
        {% for m in line %}{{ m }}{% if item.kind == "union" %}(..){% endif %},{% if !loop.last %} {% endif %}{% endfor %}
{%- endfor %}
{%- if item.kind == "union" %}
        ;{% for m in item.empty_variants %} {{ m }},{% endfor %}
{%- endif %}
    }
{%- endif %} {% if item.kind == "union" %}{{ item.other }}{% else %}{{ item.unknown }}{% endif %}
{%- if !item.owned_as_borrowed %}, own_encoder{% else if item.sent_unions.is_empty() %}, through_borrowed{% else %}, as_borrowed{% endif %});
{%- endmacro %}
{#- An owned message or union with an encoder of its own (one that `rt::AsBorrowed` cannot see in
    its borrowed form): the `encode_owned` that its `Message` (`rt::owned_message!(.., own_encoder)`)
    encodes with, and what that needs. #}
{%- macro own_encoder(item) -%}
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

        /// The owned form's encoder (its `rt::Message::encode_to`).
        fn encode_owned(&self, w: &mut rt::Writer<'_>) -> Result<(), rt::EncodeError> {
{%- if !item.sent_unions.is_empty() %}
            self.encode_to_as::<rt::Everything>(w)
{%- else if let Some(budget) = item.budget %}
            self.encode_in_cycle(w, {{ budget }})
{%- else %}
            {% call owned_encode_body(item) %}{% endcall %}
{%- endif %}
        }
    }
{%- if !item.sent_unions.is_empty() %}

    {% call owned_message(item) %}{% endcall %}
{%- endif %}
{%- endmacro %}
{#- The `Message` impl of an owned message or union: decoded by the borrowed form and copied,
    encoded by the borrowed form's encoder where `rt::AsBorrowed` sees it in that form, by its own
    otherwise. #}
{%- macro owned_message(item) -%}
{%- if item.owned_as_borrowed %}
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
            rt::counted_len(|w| rt::Message::encode_to(self, w))
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
{%- endif %}
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
rt::owned_enum!({% if item.allow_deprecated %}#[allow(deprecated)] {% endif %}{{ item.name }});
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
/// Each message and union has a type of the same name here that owns its data (its fields
/// and variants are the borrowed type's, documented there): `String` for strings, `Vec<u8>` for bytes, `[u8; N]` for fixed-size bytes, `Vec<T>` for arrays,
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
    /// The owned form of [`super::{{ item.name }}`] (documented there).
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
    /// The owned form of [`super::{{ item.name }}`], documented there field by field: the same
    /// fields, owning their data.
{%- if let Some(note) = item.deprecated %}
    #[deprecated(note = "{{ note }}")]
{%- endif %}
    #[derive(Clone, Debug, PartialEq)]
    #[allow(missing_docs{% if item.allow_deprecated %}, deprecated{% endif %})]
    pub struct {{ item.name }} {
{%- for f in item.fields %}
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


{% call conversions(item) %}{% endcall %}

{% if item.owned_as_borrowed -%}
{%- if !item.sent_unions.is_empty() %}

    {% call owned_message(item) %}{% endcall %}
{%- endif %}
{%- else %}

    {% call own_encoder(item) %}{% endcall %}
{%- endif %}
{%- else %}
    /// The owned form of [`super::{{ item.name }}`], documented there variant by variant: the
    /// same variants, owning their data.
{%- if let Some(note) = item.deprecated %}
    #[deprecated(note = "{{ note }}")]
{%- endif %}
    #[derive(Clone, Debug, PartialEq)]
    #[allow(missing_docs{% if item.allow_deprecated %}, deprecated{% endif %})]
    pub enum {{ item.name }} {
{%- for v in item.variants %}
{%- if let Some(note) = v.deprecated %}
        #[deprecated(note = "{{ note }}")]
{%- endif %}
{%- if let Some(t) = v.owned_type %}
        {{ v.name }}({{ t }}),
{%- else %}
        {{ v.name }},
{%- endif %}
{%- endfor %}
        {{ item.other }} { key: u64, value: rt::alloc::vec::Vec<u8> },
    }

{% call conversions(item) %}{% endcall %}
{%- if item.owned_as_borrowed %}
{%- if !item.sent_unions.is_empty() %}

    {% call owned_message(item) %}{% endcall %}
{%- endif %}
{%- else %}

    {% call own_encoder(item) %}{% endcall %}
{%- endif %}
{%- endif %}
{% endfor %}
}
