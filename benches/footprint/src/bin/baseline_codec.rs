//! The harness as the `codec_*` images use it: the input and output buffers they fill, and no
//! allocation. `baseline` (one allocation) links about 1.4 KB of allocator and `Vec` code that the
//! codec images do not, and not the `memset`/`memclr` of their buffers, so the codec's own bytes
//! are an image's flash less this one's (benches/README.md, "How the harness counts").
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use iotp2p_footprint::{init_heap, opaque};

#[entry]
fn main() -> ! {
    init_heap();
    // The same buffers as the codec images, as opaque to the optimiser.
    let input = opaque([0xa0u8; 64]);
    let mut output = [0u8; 256];
    opaque(&input);
    opaque(&mut output);
    iotp2p_footprint::done()
}
