//! Member values as the interaction model carries them: each one the deterministic CBOR of the
//! member's type (spec §6.2), written and read with the codec's runtime.

use alloc::vec::Vec;

use iotp2p_codec::core::StatusCode;
use iotp2p_codec::runtime::{DecodeError, EncodeError, Reader, Writer};
use iotp2p_protocol::interaction::check::ValueError;
use iotp2p_protocol::interaction::Failure;

/// Room for the largest scalar a profile serves: a `string<128>` and its head.
const MAX_SCALAR: usize = 160;

/// The value `write` writes, for a read or a report.
pub fn encoded(
    write: impl FnOnce(&mut Writer<'_>) -> Result<(), EncodeError>,
) -> Result<Vec<u8>, Failure> {
    let mut buf = [0u8; MAX_SCALAR];
    let mut w = Writer::new(&mut buf);
    // Only a profile's own bug (a value beyond its schema's bounds) fails here.
    write(&mut w).map_err(|_| failure(StatusCode::Failure))?;
    let len = w.position();
    Ok(buf[..len].to_vec())
}

/// Reads a whole value with `read` (steps 8 and 9 of §6.3): anything left after it is an error.
pub fn decoded<'a, T>(
    value: &'a [u8],
    read: impl FnOnce(&mut Reader<'a>) -> Result<T, DecodeError>,
) -> Result<T, ValueError> {
    let mut r = Reader::new(value);
    read(&mut r)
        .and_then(|v| r.finish().map(|()| v))
        .map_err(|e| ValueError::Decode {
            class: e.class(),
            offset: e.offset(),
        })
}

/// A failure of step 10 with a status of chapter 9 and no capability status.
pub const fn failure(code: StatusCode) -> Failure {
    Failure {
        code,
        capability_status: None,
    }
}

/// The request named a member the profile's model has but its code does not serve: the model and
/// the code disagree. Never reached when they agree (the tests check every member of every model).
pub const fn unserved() -> Failure {
    failure(StatusCode::Failure)
}

/// Decodes a whole value of a message type (an action's input).
pub fn message<'a, M: iotp2p_codec::runtime::Message<'a>>(
    value: &'a [u8],
) -> Result<M, ValueError> {
    M::decode(value).map_err(|e| ValueError::Decode {
        class: e.class(),
        offset: e.offset(),
    })
}
