{%- import "rust/presence.rs" as presence -%}
{%- for item in items %}
{%- if item.kind == "enum" %}
{%- if item.allow_deprecated %}
#[allow(deprecated)]
{%- endif %}
impl rt::IntoOwned for {{ item.name }} {
    type Owned = Self;
    fn into_owned(self) -> Self {
        self
    }
}
{%- else if item.kind == "message" %}
{%- if item.allow_deprecated %}
#[allow(deprecated)]
{%- endif %}
impl<'a> {{ item.name }}<'a> {
    /// A copy that owns its data ([`owned::{{ item.name }}`]), to keep after the input is
    /// gone.
    pub fn into_owned(self) -> owned::{{ item.name }} {
        owned::{{ item.name }} {
{%- for f in item.fields %}
            {{ f.name }}: {{ f.into_owned }},
{%- endfor %}
            {{ item.unknown }}: rt::OwnedUnknownFields::from_borrowed(&self.{{ item.unknown }}, Self::KNOWN_KEYS),
        }
    }

    /// Encodes into a new vector of exactly [`encoded_len`](Self::encoded_len) bytes.
    pub fn encode_to_vec(&self) -> Result<rt::alloc::vec::Vec<u8>, rt::EncodeError> {
        rt::encode_to_vec(self.encoded_len(), |w| self.encode_to(w))
    }
}

{%- if item.allow_deprecated %}
#[allow(deprecated)]
{%- endif %}
impl<'a> rt::IntoOwned for {{ item.name }}<'a> {
    type Owned = owned::{{ item.name }};
    fn into_owned(self) -> owned::{{ item.name }} {
        {{ item.name }}::into_owned(self)
    }
}
{%- else if item.kind == "union" %}
{%- if item.allow_deprecated %}
#[allow(deprecated)]
{%- endif %}
impl<'a> {{ item.name }}<'a> {
    /// A copy that owns its data ([`owned::{{ item.name }}`]), to keep after the input is
    /// gone.
    pub fn into_owned(self) -> owned::{{ item.name }} {
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

    /// Encodes into a new vector of exactly [`encoded_len`](Self::encoded_len) bytes.
    pub fn encode_to_vec(&self) -> Result<rt::alloc::vec::Vec<u8>, rt::EncodeError> {
        rt::encode_to_vec(self.encoded_len(), |w| self.encode_to(w))
    }
}

{%- if item.allow_deprecated %}
#[allow(deprecated)]
{%- endif %}
impl<'a> rt::IntoOwned for {{ item.name }}<'a> {
    type Owned = owned::{{ item.name }};
    fn into_owned(self) -> owned::{{ item.name }} {
        {{ item.name }}::into_owned(self)
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
/// it has its own `decode`, `encoded_len`, `encode`, `encode_to` and `encode_to_vec`, with
/// the same checks and the same bytes as the borrowed type. Enums own nothing and are
/// re-exported as they are; aliases name the owned form of their target.
pub mod owned {
    #[allow(unused_imports)]
    use super::rt;
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
{%- if item.allow_deprecated %}
    #[allow(deprecated)]
{%- endif %}
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
{%- if item.allow_deprecated %}
    #[allow(deprecated)]
{%- endif %}
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
        /// Entries with keys this version of the schema does not define, kept so that
        /// re-encoding reproduces the input exactly.
        pub {{ item.unknown }}: rt::OwnedUnknownFields,
    }

{%- if item.allow_deprecated %}
    #[allow(deprecated)]
{%- endif %}
    impl {{ item.name }} {
        /// Decodes a complete message, accepting only its canonical encoding, and copies
        /// it.
        pub fn decode(bytes: &[u8]) -> Result<Self, rt::DecodeError> {
            super::{{ item.name }}::decode(bytes).map(super::{{ item.name }}::into_owned)
        }

        /// Number of map entries the encoding has.
        pub(super) fn entry_count(&self) -> usize {
            self.{{ item.unknown }}.len()
{%- for f in item.fields %}
                + {% call presence::count(f) %}{% endcall %}
{%- endfor %}
        }

        /// Bytes [`encode`](Self::encode) writes.
        pub fn encoded_len(&self) -> usize {
            {% if item.fields.is_empty() %}let{% else %}let mut{% endif %} len = rt::head_len(self.entry_count() as u64);
{%- for f in item.fields %}
            {% call presence::owned_len(f) %}{% endcall %}
{%- endfor %}
            len + self.{{ item.unknown }}.encoded_len()
        }

        /// Encodes into `buf` in one pass and returns the number of bytes written.
        pub fn encode(&self, buf: &mut [u8]) -> Result<usize, rt::EncodeError> {
            let mut w = rt::Writer::new(buf);
            match self.encode_to(&mut w) {
                Ok(()) => Ok(w.position()),
                Err(rt::EncodeError::BufferTooSmall { .. }) => Err(rt::EncodeError::BufferTooSmall {
                    needed: self.encoded_len(),
                }),
                Err(e) => Err(e),
            }
        }

{%- include "rust/encode_to.rs" %}
            let count = self.entry_count();
            w.map(count)?;
            {% if item.fields.is_empty() %}let{% else %}let mut{% endif %} unknown = self.{{ item.unknown }}.merge();
{%- for f in item.sorted %}
            {% call presence::owned_bind(f) %}{% endcall %} {
{%- if !f.owned_validate.is_empty() %}
                {{ f.owned_validate }}
{%- endif %}
                unknown.write_before({{ f.key }}, w)?;
                w.u64({{ f.key }})?;
                {{ f.owned_encode }}
            }
{%- endfor %}
            unknown.finish(w)?;
            w.close(count);
            Ok(())
        }

        /// Encodes into a new vector of exactly [`encoded_len`](Self::encoded_len) bytes.
        pub fn encode_to_vec(&self) -> Result<rt::alloc::vec::Vec<u8>, rt::EncodeError> {
            rt::encode_to_vec(self.encoded_len(), |w| self.encode_to(w))
        }
    }
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
{%- if item.allow_deprecated %}
    #[allow(deprecated)]
{%- endif %}
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
        /// A variant this version of the schema does not define; kept so that it is forwarded
        /// unchanged.
        {{ item.other }} {
            /// The variant's key.
            key: u64,
            /// The variant's value, still encoded (one canonical data item).
            value: rt::alloc::vec::Vec<u8>,
        },
    }

{%- if item.allow_deprecated %}
    #[allow(deprecated)]
{%- endif %}
    impl {{ item.name }} {
        /// Decodes a complete value, accepting only its canonical encoding, and copies it.
        pub fn decode(bytes: &[u8]) -> Result<Self, rt::DecodeError> {
            super::{{ item.name }}::decode(bytes).map(super::{{ item.name }}::into_owned)
        }

        /// Bytes [`encode`](Self::encode) writes.
        pub fn encoded_len(&self) -> usize {
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
        }

        /// Encodes into `buf` in one pass and returns the number of bytes written.
        pub fn encode(&self, buf: &mut [u8]) -> Result<usize, rt::EncodeError> {
            let mut w = rt::Writer::new(buf);
            match self.encode_to(&mut w) {
                Ok(()) => Ok(w.position()),
                Err(rt::EncodeError::BufferTooSmall { .. }) => Err(rt::EncodeError::BufferTooSmall {
                    needed: self.encoded_len(),
                }),
                Err(e) => Err(e),
            }
        }

{%- include "rust/encode_to.rs" %}
            w.map(1)?;
            match self {
{%- for v in item.variants %}
{%- if v.owned_type.is_some() %}
                Self::{{ v.name }}(v) => {
{%- if !v.owned_validate.is_empty() %}
                    {{ v.owned_validate }}
{%- endif %}
                    w.u64({{ v.key }})?;
                    {{ v.owned_encode }}
                }
{%- else %}
                Self::{{ v.name }} => {
                    w.u64({{ v.key }})?;
                    w.null()?;
                }
{%- endif %}
{%- endfor %}
                Self::{{ item.other }} { key, value } => {
                    // Built by an application, or read elsewhere: check what a decoder would.
                    rt::check_unknown_variant(*key, super::{{ item.name }}::KNOWN_KEYS)?;
                    w.u64(*key)?;
                    w.raw_item(value)?;
                }
            }
            w.close(1);
            Ok(())
        }

        /// Encodes into a new vector of exactly [`encoded_len`](Self::encoded_len) bytes.
        pub fn encode_to_vec(&self) -> Result<rt::alloc::vec::Vec<u8>, rt::EncodeError> {
            rt::encode_to_vec(self.encoded_len(), |w| self.encode_to(w))
        }
    }
{%- endif %}
{% endfor %}
}
