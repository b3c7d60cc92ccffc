//! The schema checks that generated encoders and decoders make, each in one line: a length against
//! its bound and an integer against its `@range` before a value is written
//! ([`check_bound!`](crate::runtime::check_bound), [`check_range!`](crate::runtime::check_range)),
//! a required field's presence after a map is read ([`required`]).
//!
//! The encoder checks are macros that return from the encoder they are written in: the very code
//! the generator used to write out at every field. As functions returning a `Result` for `?`, the
//! same checks cost a firmware 200–400 bytes of flash (opt-level "z", `benches/footprint`).

use super::error::{DecodeError, ErrorClass, FieldName};

/// Returns `Err(EncodeError::BoundExceeded { field })` from the enclosing encoder when `len`
/// exceeds `max`; see [`check_bound!`](crate::runtime::check_bound).
#[doc(hidden)]
#[macro_export]
macro_rules! __iotp2p_check_bound {
    ($len:expr, $max:expr, $field:expr $(,)?) => {
        if $len > $max {
            return Err($crate::runtime::EncodeError::BoundExceeded { field: $field });
        }
    };
}

/// Returns `Err(EncodeError::OutOfRange { field })` from the enclosing encoder unless `within` (the
/// value's test against its field's `@range`); see [`check_range!`](crate::runtime::check_range).
#[doc(hidden)]
#[macro_export]
macro_rules! __iotp2p_check_range {
    ($within:expr, $field:expr $(,)?) => {
        if !$within {
            return Err($crate::runtime::EncodeError::OutOfRange { field: $field });
        }
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
        crate::runtime::check_bound!(len, 4, &"T.s");
        crate::runtime::check_range!((1..=254).contains(&level), &"T.level");
        Ok(())
    }

    #[test]
    fn bounds_and_ranges_refuse_only_what_breaks_them() {
        assert_eq!(write(4, 1), Ok(()));
        assert_eq!(write(0, 254), Ok(()));
        let bound = EncodeError::BoundExceeded { field: &"T.s" };
        assert_eq!(write(5, 1), Err(bound));
        let range = EncodeError::OutOfRange { field: &"T.level" };
        assert_eq!(write(4, 0), Err(range));
        assert_eq!(write(4, 255), Err(range));
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
