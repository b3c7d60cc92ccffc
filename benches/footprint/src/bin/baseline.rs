//! The harness alone (reset handler, heap, panic handler, one allocation): subtracted from the other
//! images to give what iotp2p adds.
#![no_std]
#![no_main]

extern crate alloc;

use cortex_m_rt::entry;
use iotp2p_footprint::{init_heap, opaque};

#[entry]
fn main() -> ! {
    init_heap();
    let v = alloc::vec![opaque(1u8); opaque(16usize)];
    opaque(v);
    iotp2p_footprint::done()
}
