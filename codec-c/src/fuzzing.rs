//! The body of the differential fuzz target `codec_c_differential` (`fuzz/fuzz_targets/`): the
//! generated C codecs of the shipped schema against the generated Rust codec, for any bytes as any
//! type. Kept in the library so that `tests/fuzz_replay.rs` replays the target's corpus on stable
//! (and adds pseudo-random inputs of its own).
//!
//! An input starts with a type selector: its first byte, modulo the number of types, picks one of
//! [`type_names`] (every message, union and enum of `iotp2p.core`, `iotp2p.security` and
//! `iotp2p.capabilities` that the C knows, in the order of `iotp2p_codec::generated::TYPE_NAMES`, so
//! that the codec targets' seeds select the same types here). The rest is decoded as that type by the
//! C (`<package>_transcode`, through `shim/transcode_shim.c`) in both of its forms, strings pointing
//! into the input (`generated/`) and strings copied into the struct (`generated-copy/`, the runtime
//! built with `IOTP_COPIED_STRINGS`), and by the Rust codec (`iotp2p_codec::generated::transcode`),
//! each encoding the value back when it accepts it. [`differential`] panics unless, for each form of
//! the C against the Rust:
//! - both accept, or both reject with the same error class (spec §4.17) at the same byte offset,
//!   naming the same field; a rejection's offset lies within the input;
//! - an accepted input is encoded back by both to the same bytes, which are the input itself
//!   (canonical encoding: unknown fields and variants kept as they came);
//! - into a buffer one byte too short, both refuse alike (`BufferTooSmall`, the same length
//!   needed), and neither refuses anything else.
//!
//! Not a public API: it exists for `fuzz/` and the replay test only.

use std::cell::RefCell;

use iotp2p_codec::runtime::{EncodeError, TranscodeError};

use crate::envelope::{type_names, RoundTrip, Transcoder};

/// The type an input is about: [`type_names`]`[selector % len]` for its first byte, and the rest of
/// the input. `None` for an empty input.
pub fn type_selector(data: &[u8]) -> Option<(&'static str, &[u8])> {
    let (&selector, rest) = data.split_first()?;
    let names = type_names();
    Some((names[usize::from(selector) % names.len()], rest))
}

/// Decodes the input (after its type selector) as the selected type with both codecs, and checks
/// that they agree; see the module documentation.
pub fn differential(data: &[u8]) {
    thread_local! {
        static FORMS: RefCell<Forms> = RefCell::new(Forms::new());
    }
    if let Some((name, input)) = type_selector(data) {
        FORMS.with(|f| check(&mut f.borrow_mut(), name, input));
    }
}

/// The generated C in both forms, each with its memory (reused from input to input).
pub struct Forms {
    zero_copy: Transcoder,
    copied: Transcoder,
}

impl Default for Forms {
    fn default() -> Self {
        Forms::new()
    }
}

impl Forms {
    /// Both forms, their memory filled with a pattern.
    pub fn new() -> Forms {
        Forms {
            zero_copy: Transcoder::new(),
            copied: Transcoder::copied(),
        }
    }
}

/// Each form of the C against the Rust codec on `input` as the type `name`; panics where they
/// disagree (see the module documentation). Returns whether they accepted it.
pub fn check(forms: &mut Forms, name: &str, input: &[u8]) -> bool {
    let accepted = check_form(&mut forms.zero_copy, name, input);
    let copied = check_form(&mut forms.copied, name, input);
    assert_eq!(accepted, copied, "{name}: the two C forms differ");
    accepted
}

/// One form of the C against the Rust codec.
fn check_form(c: &mut Transcoder, name: &str, input: &[u8]) -> bool {
    let cap = input.len() + 16;
    let verdict = both(c, name, input, cap);
    match &verdict {
        RoundTrip::Reencoded(bytes) => {
            assert_eq!(
                bytes,
                input,
                "{name}: accepted, but not encoded back byte for byte: {}",
                hex(input)
            );
            if let Some(short) = input.len().checked_sub(1) {
                match both(c, name, input, short) {
                    RoundTrip::Refused(EncodeError::BufferTooSmall { .. }) => {}
                    other => panic!(
                        "{name}: into {short} bytes, {other:?} instead of BufferTooSmall: {}",
                        hex(input)
                    ),
                }
            }
            true
        }
        RoundTrip::Rejected(e) => {
            assert!(
                e.offset() <= input.len(),
                "{name}: offset {} past the input: {}",
                e.offset(),
                hex(input)
            );
            false
        }
        RoundTrip::Refused(e) => {
            panic!(
                "{name}: accepted, but its value refused ({e:?}): {}",
                hex(input)
            )
        }
    }
}

/// The C and the Rust round trip of `input` as `name` into `cap` bytes, which must be equal.
fn both(c: &mut Transcoder, name: &str, input: &[u8], cap: usize) -> RoundTrip {
    let from_c = c
        .transcode(name, input, cap)
        .unwrap_or_else(|| panic!("the C lists {name}, which its transcode does not know"));
    let from_rust = rust(name, input, cap);
    assert_eq!(
        from_c,
        from_rust,
        "{name}: C (left) and Rust (right) differ on {} (into {cap} bytes)",
        hex(input)
    );
    from_c
}

/// The Rust codec's round trip of `input` as `name`, in the C binding's terms.
fn rust(name: &str, input: &[u8], cap: usize) -> RoundTrip {
    let mut out = vec![0u8; cap];
    match iotp2p_codec::generated::transcode(name, input, &mut out) {
        None => panic!("the C knows {name}, the Rust codec does not"),
        Some(Ok(n)) => {
            out.truncate(n);
            RoundTrip::Reencoded(out)
        }
        Some(Err(TranscodeError::Decode(e))) => RoundTrip::Rejected(e),
        Some(Err(TranscodeError::Encode(e))) => RoundTrip::Refused(e),
    }
}

/// `bytes` in lower-case hexadecimal, for messages.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
