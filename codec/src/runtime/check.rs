//! The schema checks that generated encoders and decoders make, each in one line: a length against
//! its bound and an integer against its `@range` before a value is written
//! ([`check_bound!`](crate::runtime::check_bound), [`check_range!`](crate::runtime::check_range)),
//! a required field's presence after a map is read ([`required`](fn@required),
//! [`required!`](macro@crate::runtime::required)).
//!
//! The encoder checks are macros that return from the encoder they are written in: the very code
//! the generator used to write out at every field. As functions returning a `Result` for `?`, the
//! same checks cost a firmware 200–400 bytes of flash (opt-level "z", `benches/footprint`).

use super::error::{DecodeError, ErrorClass, FieldName};

/// Returns `Err(EncodeError::BoundExceeded { field })` from the enclosing encoder when `len`
/// exceeds `max`, the field named by [`field!`](crate::runtime::field)`(name, key N)`; see
/// [`check_bound!`](crate::runtime::check_bound).
#[doc(hidden)]
#[macro_export]
macro_rules! __iotp2p_check_bound {
    ($len:expr, $max:expr, $name:literal, key $key:literal $(,)?) => {
        if $len > $max {
            return Err($crate::runtime::EncodeError::BoundExceeded {
                field: $crate::runtime::field!($name, key $key),
            });
        }
    };
}

/// Returns `Err(EncodeError::OutOfRange { field })` from the enclosing encoder unless `within` (the
/// value's test against its field's `@range`), the field named by
/// [`field!`](crate::runtime::field)`(name, key N)`; see [`check_range!`](crate::runtime::check_range).
#[doc(hidden)]
#[macro_export]
macro_rules! __iotp2p_check_range {
    ($within:expr, $name:literal, key $key:literal $(,)?) => {
        if !$within {
            return Err($crate::runtime::EncodeError::OutOfRange {
                field: $crate::runtime::field!($name, key $key),
            });
        }
    };
}

/// [`required`](fn@required)`(slot, start, field!(name, key N))`; see
/// [`required!`](macro@crate::runtime::required).
#[doc(hidden)]
#[macro_export]
macro_rules! __iotp2p_required {
    ($slot:expr, $start:expr, $name:literal, key $key:literal $(,)?) => {
        $crate::runtime::required($slot, $start, $crate::runtime::field!($name, key $key))
    };
}

/// A required field's value, else [`ErrorClass::MissingField`] at `start` (where the message's map
/// begins) naming `field`.
#[inline(always)]
pub fn required<T>(slot: Option<T>, start: usize, field: FieldName) -> Result<T, DecodeError> {
    slot.ok_or(DecodeError::new(ErrorClass::MissingField, start).in_field(field))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::EncodeError;

    fn write(len: usize, level: u8) -> Result<(), EncodeError> {
        crate::runtime::check_bound!(len, 4, "T.s", key 0);
        crate::runtime::check_range!((1..=254).contains(&level), "T.level", key 1);
        Ok(())
    }

    #[test]
    fn bounds_and_ranges_refuse_only_what_breaks_them() {
        assert_eq!(write(4, 1), Ok(()));
        assert_eq!(write(0, 254), Ok(()));
        // The field as `field!` names it: `T.s`, or `key 0` with the feature `field-keys`.
        let (s, level): (FieldName, FieldName) = if cfg!(feature = "field-keys") {
            (&"key 0", &"key 1")
        } else {
            (&"T.s", &"T.level")
        };
        let bound = EncodeError::BoundExceeded { field: s };
        assert_eq!(write(5, 1), Err(bound));
        let range = EncodeError::OutOfRange { field: level };
        assert_eq!(write(4, 0), Err(range));
        assert_eq!(write(4, 255), Err(range));
    }

    /// `required!` names the field as `field!` does.
    #[test]
    fn required_names_the_field_by_field() {
        let e = crate::runtime::required!(None::<u8>, 5, "T.f", key 12).unwrap_err();
        let named = if cfg!(feature = "field-keys") {
            "key 12"
        } else {
            "T.f"
        };
        assert_eq!(
            (e.class(), e.offset(), e.field()),
            (ErrorClass::MissingField, 5, named)
        );
        assert_eq!(crate::runtime::required!(Some(7), 5, "T.f", key 12), Ok(7));
    }

    #[test]
    fn a_missing_field_is_reported_where_its_map_starts() {
        let field: FieldName = &"T.f";
        assert_eq!(required(Some(7), 3, field), Ok(7));
        let e = required::<u8>(None, 3, field).unwrap_err();
        assert_eq!(
            (e.class(), e.offset(), e.field()),
            (ErrorClass::MissingField, 3, "T.f")
        );
    }
}
