//! The generated codec as a device links it: decode `Envelope` as a device receives it
//! (`decode_as::<role::Device>`: the body types of the schema's `@received_by(device)`, the others
//! kept as unknown variants) and encode it as a device sends it (`encode_as::<role::Device>`: the
//! body types of `@sent_by(device)`, the others refused), borrowed, without allocation. Beside
//! `codec_envelope`, which decodes and encodes every body type: the difference is the decoders and
//! encoders a device never needs.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use iotp2p_codec::core::{role, Envelope};
use iotp2p_footprint::{init_heap, opaque};

#[entry]
fn main() -> ! {
    init_heap();
    // Bytes the optimiser cannot see through, as if they had come from the radio.
    let input = opaque([0xa0u8; 64]);
    let mut output = [0u8; 256];
    if let Ok(value) = Envelope::decode_as::<role::Device>(&input) {
        opaque(value.encode_as::<role::Device>(&mut output)).ok();
    }
    iotp2p_footprint::done()
}
