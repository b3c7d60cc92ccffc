//! The codec runtime: the small hand-written part that every generated codec calls.
//!
//! - [`Reader`]: strict, canonical-only CBOR primitives with byte offsets in errors;
//! - [`Writer`]: canonical CBOR primitives into a caller's buffer;
//! - [`DecodeError`] / [`ErrorClass`] / [`EncodeError`]: the spec's closed list of error classes;
//! - [`limits`]: the decoder's fixed limits;
//! - [`check_bound!`], [`check_range!`], [`required`](fn@required), [`required!`](macro@required):
//!   the schema checks of generated code, one line each; [`field!`]: how they and the decoders name
//!   a field in errors (`Type.field`, or its key with the feature `field-keys`);
//! - [`Receives`], [`Sends`], [`Keys`], [`Everything`]: decoding and encoding by role, a node
//!   decoding only the union variants it receives and encoding only those it sends (`role.rs`).
//!
//! No allocation, no `unsafe`, no recursion beyond the depth limits.
//!
//! With the `alloc` feature: `IntoOwned`, `AsBorrowed`, `OwnedUnknownFields` and `encode_to_vec`,
//! behind the generated `owned` modules (an owned type that `AsBorrowed` can see in its borrowed
//! form encodes through the borrowed form's encoder), `into_owned` and `encode_to_vec` (they
//! allocate, the codec itself still does not), and `alloc`, the paths generated code names `Vec`, `String` and `Box` by. With the
//! `serde` feature (which implies `alloc`): `json`, the canonical JSON mapping behind the generated
//! `Serialize` and `Deserialize` impls, and `serde` itself. Generated code wraps what needs a
//! feature in [`cfg_alloc!`] and [`cfg_serde!`], so that it follows this crate's features wherever
//! it is generated.
//!
//! With the `arbitrary` feature: `fuzz`, the support behind the generated `Arbitrary` impls (values
//! that mostly keep to the schema's bounds), and `arbitrary` itself; generated code wraps those impls
//! in [`cfg_arbitrary!`].

mod array;
mod check;
mod construct;
mod element;
mod error;
mod float;
#[cfg(feature = "arbitrary")]
pub mod fuzz;
#[cfg(feature = "arbitrary")]
mod fuzz_type;
mod gate;
mod index;
#[cfg(feature = "serde")]
pub mod json;
mod lazy;
pub mod limits;
mod message;
#[cfg(feature = "alloc")]
mod owned;
mod reader;
mod role;
mod unknown;
mod writer;

pub use array::{Array, ArrayIter};
pub use check::required;
pub use element::Element;
pub use lazy::Lazy;
pub use message::{transcode, Message};
pub use unknown::{
    check_kept_variant, check_unknown_variant, UnknownEntries, UnknownFields, UnknownMerge,
};

pub use error::{DecodeError, EncodeError, ErrorClass, FieldName, TranscodeError, FIELDS_BY_KEY};
pub use float::{f16_to_f64, f64_to_f16_exact};
pub use reader::{depth_exceeded, enter, initial_byte_class, major, Head, Reader, MAX_KEY};
pub use role::{
    decode_whole, encode_whole, receives, sends, Everything, Keys, Opaque, Receives, Sends,
};
pub use writer::{float_len, float_len_f32, head_len, int_len, Writer};

#[cfg(feature = "alloc")]
pub use owned::{
    counted_len, decode_owned, encode_to_vec, encode_to_vec_measured, AsBorrowed, IntoOwned,
    OwnedUnknownFields,
};

/// `owned_message!(Name { field, ... } unknown)`, `owned_message!(... , as_borrowed)`: a generated
/// message's `IntoOwned`, and where its owned form is seen in its borrowed form, `AsBorrowed` and
/// `Message` through that form (see the `owned` module).
#[cfg(feature = "alloc")]
#[doc(inline)]
pub use crate::__iotp2p_owned_message as owned_message;

/// `owned_union!(Name { Variant(..), ...; Empty, ... } Other)`: a generated union's `IntoOwned`, and
/// with `, as_borrowed`, `AsBorrowed` and `Message` through the borrowed form (see the `owned`
/// module).
#[cfg(feature = "alloc")]
#[doc(inline)]
pub use crate::__iotp2p_owned_union as owned_union;

/// `owned_enum!(Name)`: a generated enum's `IntoOwned`, itself.
#[cfg(feature = "alloc")]
#[doc(inline)]
pub use crate::__iotp2p_owned_enum as owned_enum;

#[cfg(feature = "alloc")]
#[doc(hidden)]
pub use crate::__iotp2p_owned_own_encoder as __owned_own_encoder;
#[cfg(feature = "alloc")]
#[doc(hidden)]
pub use crate::__iotp2p_owned_through_borrowed as __owned_through_borrowed;

/// The `alloc` crate's modules that generated code names types by (`rt::alloc::vec::Vec`), so that it
/// compiles in `no_std` crates and in crates that never declare `extern crate alloc`.
#[cfg(feature = "alloc")]
pub mod alloc {
    pub use ::alloc::{boxed, string, vec};
}

/// The `serde` crate, as generated `Serialize` and `Deserialize` impls name it (`rt::serde::...`), so
/// that a crate with generated code needs no `serde` dependency of its own.
#[cfg(feature = "serde")]
pub use ::serde;

/// The `arbitrary` crate, as generated `Arbitrary` impls name it (`rt::arbitrary::...`).
#[cfg(feature = "arbitrary")]
pub use ::arbitrary;

/// `field!("Type.field", key N)`: the [`FieldName`] by which generated code names a field in its
/// errors (`key N` is the field's key, a literal): `&"Type.field"`, so that [`DecodeError::field`] and the errors' `Display` say
/// `Type.field`; with the codec's feature `field-keys`, `&"key 3"` (the field's key), so that no
/// `Type.field` string is linked (a firmware that wants the smallest image; see `Cargo.toml`).
#[doc(inline)]
pub use crate::__iotp2p_field as field;

/// `check_bound!(len, max, "Type.field", key N)`: in a generated encoder, returns
/// `Err(EncodeError::BoundExceeded { field })` when a string's, byte string's or array's `len`
/// exceeds its bound `max`, the field named by [`field!`]`("Type.field", key N)`.
#[doc(inline)]
pub use crate::__iotp2p_check_bound as check_bound;

/// `check_range!(within, "Type.field", key N)`: in a generated encoder, returns
/// `Err(EncodeError::OutOfRange { field })` unless `within`, the integer's test against its
/// `@range`, the field named by [`field!`]`("Type.field", key N)`.
#[doc(inline)]
pub use crate::__iotp2p_check_range as check_range;

/// `required!(slot, start, "Type.field", key N)`: in a generated decoder, [`required`](fn@required)`(slot, start,
/// field!("Type.field", key N))`, a required field's value or its `missing-field` error.
#[doc(inline)]
pub use crate::__iotp2p_required as required;

/// `fuzz_type! { owned::Name: "package.Name", Name<'a>, cycle false; generate(g) { .. } audit(self,
/// a) { .. } }`: `FuzzType` and `Arbitrary` for the owned form of a generated message or union.
#[cfg(feature = "arbitrary")]
#[doc(inline)]
pub use crate::__iotp2p_fuzz_type as fuzz_type;

/// `default_is_new!(Name<'_>)`: `Default` for a generated message without required fields, which
/// is its `new()`.
#[doc(inline)]
pub use crate::__iotp2p_default_is_new as default_is_new;

/// `index! { "package.Type" => module::Type, ... }`: the by-name functions of a generated index
/// (`TYPE_NAMES`, `transcode`, `to_json`, `from_json`, `visit_type`) from one row per type.
#[doc(inline)]
pub use crate::__iotp2p_index as index;

/// Keeps the items it wraps when `iotp2p-codec` has the `alloc` feature, and drops them otherwise.
/// Generated code wraps its owned types, `into_owned` and `encode_to_vec` in it (see the `gate`
/// module: a `#[cfg(feature = ...)]` in generated code would test the features of the crate the code
/// is generated into).
#[doc(inline)]
pub use crate::__iotp2p_cfg_alloc as cfg_alloc;

/// Keeps the items it wraps when `iotp2p-codec` has the `serde` feature, and drops them otherwise.
/// Generated code wraps its `Serialize` and `Deserialize` impls in it.
#[doc(inline)]
pub use crate::__iotp2p_cfg_serde as cfg_serde;

/// Keeps the items it wraps when `iotp2p-codec` has the `arbitrary` feature, and drops them
/// otherwise. Generated code wraps its `Arbitrary` impls and fuzzing support in it.
#[doc(inline)]
pub use crate::__iotp2p_cfg_arbitrary as cfg_arbitrary;
