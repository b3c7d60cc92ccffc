//! Decoding and encoding allocate nothing: a counting global allocator watches a decode and an encode
//! of core messages, including one with arrays, strings and retained unknown fields.

use iotp2p_codec::prelude::*;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use iotp2p_codec::core::SemVer;
use iotp2p_codec::generated::transcode;

struct Counting;

thread_local! {
    // Per thread: the test harness runs tests (and allocates) on other threads at the same time.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: delegates every call to the system allocator unchanged; it only counts.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_during(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

#[test]
fn decode_and_encode_do_not_allocate() {
    // {0: 1, 1: 2, 2: 3, 60000: "x"}: a SemVer with an unknown field that must be kept.
    let input = [
        0xa4, 0x00, 0x01, 0x01, 0x02, 0x02, 0x03, 0x19, 0xea, 0x60, 0x61, b'x',
    ];
    let mut out = [0u8; 64];
    let n = allocations_during(|| {
        let v = SemVer::decode(&input).unwrap();
        assert_eq!(v.unknown_fields.len(), 1);
        let written = v.encode(&mut out).unwrap();
        assert_eq!(&out[..written], &input);
    });
    assert_eq!(n, 0, "decode or encode allocated");
}

#[test]
fn every_generated_type_transcodes_without_allocating() {
    // Rejections must not allocate either (errors are plain values).
    let inputs: [&[u8]; 4] = [&[0xa0], &[0xa1, 0x00, 0xf6], &[0x9f], &[0xff]];
    let mut out = [0u8; 256];
    let n = allocations_during(|| {
        for name in iotp2p_codec::generated::TYPE_NAMES {
            for input in inputs {
                let _ = transcode(name, input, &mut out);
            }
        }
    });
    assert_eq!(n, 0);
}
