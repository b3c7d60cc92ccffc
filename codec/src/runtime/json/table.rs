//! The per-type tables of the canonical JSON mapping (spec/04-wire-format.md §4.18): what the Rust
//! backend generates for each message, union and enum is one invocation of [`message_table!`],
//! [`union_table!`] or [`enum_table!`], a table of facts (keys, member names, Rust members, markers,
//! presence, default constants), and these macros turn it into the `Serialize` and `Deserialize`
//! impls over the generic part of [`json`](super): [`message`](super::message),
//! [`read_members`](super::read_members), [`put`](super::put), [`variant`](super::variant),
//! [`read_union`](super::read_union), ...
//!
//! Generated code passes only names and types; every statement is written here, once, so that a
//! change of the mapping is a change of the runtime and the generated files stay short (issue 12).
//! Paths in the table (`owned::Name`, markers) resolve where the table is written, in the package's
//! module, next to its `owned` module.
//!
//! [`message_table!`]: crate::runtime::json::message_table
//! [`union_table!`]: crate::runtime::json::union_table
//! [`enum_table!`]: crate::runtime::json::enum_table

/// What messages and unions share: `Serialize` for the owned form, with the body given (`self` is
/// passed in so that the body, written in the caller's macro, can name it), `Serialize` for the
/// borrowed form, which writes the owned copy ([`as_owned`](crate::runtime::json::as_owned)), and
/// `Deserialize` for the owned form through the runtime's reader `$read`
/// ([`read_message`](crate::runtime::json::read_message) or
/// [`read_union`](crate::runtime::json::read_union)).
#[doc(hidden)]
#[macro_export]
macro_rules! __iotp2p_json_record {
    ($name:ident, $read:ident, |$this:tt, $serializer:ident| $body:block) => {
        /// The canonical JSON form (spec/04-wire-format.md §4.18).
        #[allow(deprecated)]
        impl $crate::runtime::serde::Serialize for owned::$name {
            fn serialize<S: $crate::runtime::serde::Serializer>(
                &$this,
                $serializer: S,
            ) -> ::core::result::Result<S::Ok, S::Error> $body
        }

        /// The canonical JSON form (spec/04-wire-format.md §4.18), written as the owned form's.
        #[allow(deprecated)]
        impl<'a> $crate::runtime::serde::Serialize for $name<'a> {
            fn serialize<S: $crate::runtime::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::core::result::Result<S::Ok, S::Error> {
                $crate::runtime::json::as_owned(self, serializer)
            }
        }

        /// Reads the canonical JSON form (spec/04-wire-format.md §4.18).
        #[allow(deprecated)]
        impl<'de> $crate::runtime::serde::Deserialize<'de> for owned::$name {
            fn deserialize<D: $crate::runtime::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::core::result::Result<Self, D::Error> {
                $crate::runtime::json::$read(deserializer)
            }
        }
    };
}

/// The canonical JSON mapping of a message, from its table: `Serialize` for the borrowed form (as its
/// owned copy) and the owned form, `Deserialize` for the owned form through
/// [`ReadMessage`](crate::runtime::json::ReadMessage).
///
/// ```text
/// rt::json::message_table! {
///     ReadRequest, unknown: unknown_fields;
///     0 "endpoint" endpoint: rt::json::Same = default DEFAULT_ENDPOINT;
///     1 "capability" capability: rt::json::Same = required;
///     2 "members" members: rt::json::Seq<rt::json::Same> = optional;
/// }
/// ```
///
/// The type's name, the owned form's member that holds unknown fields, then one row per field in
/// key order: key, JSON member name, Rust member, marker (see [`json`](crate::runtime::json)) and
/// presence (`required`, `optional`, or `default` and the associated constant of the default).
#[doc(hidden)]
#[macro_export]
macro_rules! __iotp2p_json_message {
    (
        $name:ident, unknown: $unknown:ident;
        $( $key:literal $json:literal $field:ident: $marker:ty = $presence:ident $($default:ident)?; )*
    ) => {
        // Members in key order, absent optional fields and fields equal to their default left
        // out, unknown fields as `"#<key>": "<hex>"`.
        $crate::__iotp2p_json_record!($name, read_message, |self, serializer| {
            let count = self.$unknown.len()
                $(+ usize::from($crate::__iotp2p_json_field!(
                    present self.$field, $marker, $presence $($default)?
                )))*;
            #[allow(unused_mut)]
            let mut map =
                $crate::runtime::json::message(serializer, count, self.$unknown.entries())?;
            $(
                $crate::__iotp2p_json_field!(
                    write map, self.$field, $key, $json, $marker, $presence $($default)?
                );
            )*
            map.end()
        });

        #[allow(deprecated)]
        impl $crate::runtime::json::ReadMessage for owned::$name {
            const NAME: &'static str = ::core::stringify!($name);

            fn read<'de, A: $crate::runtime::serde::de::MapAccess<'de>>(
                mut map: A,
            ) -> ::core::result::Result<Self, A::Error> {
                $( let mut $field = ::core::option::Option::None; )*
                let unknown = $crate::runtime::json::read_members(
                    &mut map,
                    &[$(($json, $key)),*],
                    |key, map| {
                        ::core::result::Result::Ok(match key {
                            $(
                                $key => {
                                    $crate::runtime::json::put::<$marker, _, _>(map, &mut $field, $json)?;
                                    true
                                }
                            )*
                            _ => false,
                        })
                    },
                )?;
                ::core::result::Result::Ok(owned::$name {
                    $( $field: $crate::__iotp2p_json_field!(finish $field, $json, $presence $($default)?), )*
                    $unknown: unknown,
                })
            }
        }
    };
}

/// One field of [`message_table!`](crate::runtime::json::message_table), by presence: whether it
/// is written (`present`), how it is written (`write`), and its value from the reader's slot
/// (`finish`).
#[doc(hidden)]
#[macro_export]
macro_rules! __iotp2p_json_field {
    (present $v:expr, $marker:ty, required) => {
        true
    };
    (present $v:expr, $marker:ty, optional) => {
        $v.is_some()
    };
    (present $v:expr, $marker:ty, default $constant:ident) => {
        !$crate::runtime::json::is_default::<$marker, _, _>(&$v, &Self::$constant)
    };
    (write $map:ident, $v:expr, $key:literal, $json:literal, $marker:ty, optional) => {
        $map.optional::<$marker, _>($key, $json, &$v)?
    };
    (write $map:ident, $v:expr, $key:literal, $json:literal, $marker:ty, required) => {
        $map.field::<$marker, _>($key, $json, &$v)?
    };
    (write $map:ident, $v:expr, $key:literal, $json:literal, $marker:ty, default $constant:ident) => {
        if $crate::__iotp2p_json_field!(present $v, $marker, default $constant) {
            $map.field::<$marker, _>($key, $json, &$v)?;
        }
    };
    (finish $slot:ident, $json:literal, required) => {
        $crate::runtime::json::required($slot, $json)?
    };
    (finish $slot:ident, $json:literal, optional) => {
        $slot
    };
    (finish $slot:ident, $json:literal, default $constant:ident) => {
        $slot.unwrap_or_else(|| ::core::convert::From::from(Self::$constant))
    };
}

/// The canonical JSON mapping of a union, from its table: `Serialize` for the borrowed form (as its
/// owned copy) and the owned form, `Deserialize` for the owned form through
/// [`ReadUnion`](crate::runtime::json::ReadUnion).
///
/// ```text
/// rt::json::union_table! {
///     Request, other: Unrecognized;
///     0 "ack" Ack;
///     1 "status" Status(rt::json::Same);
/// }
/// ```
///
/// The type's name, the variant that holds unknown ones, then one row per variant in the schema's
/// order:
/// key, JSON member name, Rust variant and, unless it is a unit variant, the payload's marker.
#[doc(hidden)]
#[macro_export]
macro_rules! __iotp2p_json_union {
    (
        $name:ident, other: $other:ident;
        $( $key:literal $json:literal $variant:ident $(($marker:ty))?; )*
    ) => {
        // `{"variant": value}`, `null` for a unit variant, `{"#<key>": "<hex>"}` for an unknown one.
        $crate::__iotp2p_json_record!($name, read_union, |self, serializer| {
            match self {
                $(
                    $crate::__iotp2p_json_variant!(pattern value, $variant $(, $marker)?) =>
                        $crate::__iotp2p_json_variant!(
                            write serializer, value, $json $(, $marker)?
                        ),
                )*
                Self::$other { key, value } => {
                    $crate::runtime::json::unknown_variant(serializer, *key, value)
                }
            }
        });

        #[allow(deprecated)]
        impl $crate::runtime::json::ReadUnion for owned::$name {
            const NAME: &'static str = ::core::stringify!($name);
            const MEMBERS: &'static [(&'static str, u64)] = &[$(($json, $key)),*];

            fn variant<'de, A: $crate::runtime::serde::de::MapAccess<'de>>(
                key: u64,
                map: &mut A,
            ) -> ::core::result::Result<Self, A::Error> {
                ::core::result::Result::Ok(match key {
                    $( $key => $crate::__iotp2p_json_variant!(read map, $variant $(, $marker)?), )*
                    key => Self::$other { key, value: $crate::runtime::json::raw_value(map)? },
                })
            }
        }
    };
}

/// One variant of [`union_table!`](crate::runtime::json::union_table), unit or with a payload: its
/// pattern (binding the payload to the name given), how it is written, and how it is read.
#[doc(hidden)]
#[macro_export]
macro_rules! __iotp2p_json_variant {
    (pattern $value:ident, $variant:ident) => {
        Self::$variant
    };
    (pattern $value:ident, $variant:ident, $marker:ty) => {
        Self::$variant($value)
    };
    (write $serializer:ident, $value:ident, $json:literal) => {
        $crate::runtime::json::unit_variant($serializer, $json)
    };
    (write $serializer:ident, $value:ident, $json:literal, $marker:ty) => {
        $crate::runtime::json::variant::<$marker, _, _>($serializer, $json, $value)
    };
    (read $map:ident, $variant:ident) => {{
        $crate::runtime::json::unit($map)?;
        Self::$variant
    }};
    (read $map:ident, $variant:ident, $marker:ty) => {
        Self::$variant($crate::runtime::json::value::<$marker, _, _>($map)?)
    };
}

/// The canonical JSON mapping of an enum, from its table of value names and numbers: `Serialize`
/// (the value's name, or an unknown value's number) and `Deserialize` (a name, or any number).
///
/// ```text
/// rt::json::enum_table! {
///     Flavor;
///     "Plain" = 0,
///     "Salted" = 17,
/// }
/// ```
#[doc(hidden)]
#[macro_export]
macro_rules! __iotp2p_json_enum {
    ($name:ident; $($json:literal = $number:literal,)*) => {
        #[allow(deprecated)]
        impl $name {
            /// The values' names, for the canonical JSON mapping.
            const JSON_NAMES: &'static [(&'static str, u32)] = &[$(($json, $number)),*];
        }

        /// The canonical JSON form (spec/04-wire-format.md §4.18): the value's name, or an unknown
        /// value's number.
        #[allow(deprecated)]
        impl $crate::runtime::serde::Serialize for $name {
            fn serialize<S: $crate::runtime::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::core::result::Result<S::Ok, S::Error> {
                $crate::runtime::json::serialize_enum(serializer, Self::JSON_NAMES, self.to_u32())
            }
        }

        /// Reads the canonical JSON form: a value's name, or a number.
        #[allow(deprecated)]
        impl<'de> $crate::runtime::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::runtime::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::core::result::Result<Self, D::Error> {
                $crate::runtime::json::deserialize_enum(deserializer, Self::JSON_NAMES)
                    .map(Self::from_u32)
            }
        }
    };
}
