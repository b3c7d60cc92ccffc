//! The worst-case decode stack of the `Envelope` as a device decodes it (benches/README.md,
//! "Worst-case decode stack"): `Envelope::decode_as::<role::Device>` alone, without the encoder and
//! the output buffer that `codec_envelope_device` keeps in the same frame, on the deepest input
//! there is, a body the device does not receive (`report`) whose content is nested to MAX_DEPTH.
//! `stack` reads the worst case from its machine code; `measure`'s run of it is this input's.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use iotp2p_codec::core::{role, Envelope};
use iotp2p_footprint::{init_heap, opaque};

/// `{1: 0, 12: {8: [[[…[0]…]]]}}`: the envelope at depth 1, its body at 2, the `report` variant's
/// value at 3, arrays down to the integer at depth 16.
const DEEPEST: [u8; 20] = [
    0xa2, 0x01, 0x00, 0x0c, 0xa1, 0x08, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81,
    0x81, 0x81, 0x81, 0x00,
];

#[entry]
fn main() -> ! {
    init_heap();
    // Bytes the optimiser cannot see through, as if they had come from the radio.
    let input = opaque(DEEPEST);
    let _ = opaque(Envelope::decode_as::<role::Device>(&input));
    iotp2p_footprint::done()
}
