//! An example vendor crate: the Acme sprinkler capability, generated at build time from
//! `schema/sprinkler.iotp` by `iotp2p_codegen::Builder` (see `build.rs`), on top of the core codec.
//!
//! It builds for bare-metal targets (`thumbv7em-none-eabihf` in CI): no `std`, no allocator.

#![no_std]

include!(concat!(env!("OUT_DIR"), "/iotp2p_generated.rs"));

pub use com_acme_sprinkler::{SprinklerActions, StartWatering};

/// Encodes "water zone `zone` for `seconds` seconds" into `buf`, returning the bytes written.
pub fn start_watering(
    zone: u8,
    seconds: u16,
    buf: &mut [u8],
) -> Result<usize, iotp2p_codec::runtime::EncodeError> {
    SprinklerActions::Start(StartWatering::new(zone, seconds)).encode(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_watering_round_trips() {
        let mut buf = [0u8; SprinklerActions::MAX_ENCODED_SIZE];
        let n = start_watering(3, 600, &mut buf).unwrap();
        // {8: {0: 3, 1: 600}}
        assert_eq!(
            &buf[..n],
            &[0xa1, 0x08, 0xa2, 0x00, 0x03, 0x01, 0x19, 0x02, 0x58]
        );
        let SprinklerActions::Start(start) = SprinklerActions::decode(&buf[..n]).unwrap() else {
            panic!("decoded another variant");
        };
        assert_eq!((start.zone, start.duration), (3, 600));
    }

    #[test]
    fn out_of_range_values_are_refused_on_encode() {
        let mut buf = [0u8; 16];
        assert!(start_watering(17, 600, &mut buf).is_err());
    }

    #[test]
    fn the_index_reaches_the_vendor_types_by_name() {
        // What a relay or a CLI does with a type it knows only by name.
        assert!(TYPE_NAMES.contains(&"com.acme.sprinkler.SprinklerActions"));
        let input = [0xa1, 0x08, 0xa2, 0x00, 0x03, 0x01, 0x19, 0x02, 0x58];
        let mut out = [0u8; 16];
        let n = transcode("com.acme.sprinkler.SprinklerActions", &input, &mut out)
            .expect("a generated type")
            .unwrap();
        assert_eq!(&out[..n], &input);
        assert!(transcode("com.acme.sprinkler.Nothing", &input, &mut out).is_none());
        assert!(
            transcode("com.acme.sprinkler.StartWatering", &[0xa0], &mut out)
                .expect("a generated type")
                .is_err()
        );
    }
}
