//! The generated codec alone: decode and encode `SemVer` (three integers (the smallest message)), borrowed, without allocation. A row
//! of issue 12's table of what a firmware links.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use iotp2p_codec::core::SemVer;
use iotp2p_codec::prelude::*;
use iotp2p_footprint::{init_heap, opaque};

#[entry]
fn main() -> ! {
    init_heap();
    // Bytes the optimiser cannot see through, as if they had come from the radio.
    let input = opaque([0xa0u8; 64]);
    let mut output = [0u8; 256];
    if let Ok(value) = SemVer::decode(&input) {
        opaque(value.encode(&mut output)).ok();
    }
    iotp2p_footprint::done()
}
