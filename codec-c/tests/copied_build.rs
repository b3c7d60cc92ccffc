//! The library of the packages generated with copied strings is what its name says: build.rs links it
//! from `generated-copy/` beside the zero-copy one, renaming its entry points, and a mistake there
//! (the zero-copy sources linked twice) would leave every differential check comparing a form with
//! itself.

use iotp2p_codec_c::envelope::Transcoder;

/// A zero-copy value holds a pointer and a length per string or byte string; a copied one holds the
/// bytes, up to the schema's bound, so the largest copied value is larger by at least the bytes of
/// its longest string's bound less the pointer and length it replaces.
#[test]
fn the_copied_library_holds_its_strings_bytes() {
    let zero_copy = Transcoder::new().memory_size();
    let copied = Transcoder::copied().memory_size();
    assert!(
        copied > zero_copy,
        "the copied-strings library needs {copied} bytes for its largest value, the zero-copy one \
         {zero_copy}: it was not built from generated-copy/"
    );
}
