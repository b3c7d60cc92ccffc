//! What every image shares: a heap for `alloc`, a panic handler, a way to keep inputs opaque to the
//! optimiser so that the code under measurement is really linked, and (feature `probe`, under QEMU)
//! the measurement of the heap's peak and of the stack's depth.
//!
//! This is a measurement harness, not shipped code: it holds the only `unsafe` of the repository
//! outside dependencies (giving the allocator its memory, counting allocations, painting the stack),
//! each with its reason.

#![no_std]

use core::alloc::{GlobalAlloc, Layout};
use core::mem::MaybeUninit;
use core::sync::atomic::{AtomicUsize, Ordering};

use embedded_alloc::LlffHeap as Heap;

/// Bytes of heap each image gets; the probe reports the peak an image uses.
pub const HEAP_SIZE: usize = 16 * 1024;

/// The heap, counting what it holds and the most it ever held.
struct Counting {
    heap: Heap,
    used: AtomicUsize,
    peak: AtomicUsize,
}

// SAFETY: every call is forwarded to the heap, which upholds GlobalAlloc's contract; the counters
// only observe the sizes.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's layout.
        let p = unsafe { self.heap.alloc(layout) };
        if !p.is_null() {
            let used = self.used.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            self.peak.fetch_max(used, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        self.used.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: forwarded with the caller's pointer and layout.
        unsafe { self.heap.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static HEAP: Counting = Counting {
    heap: Heap::empty(),
    used: AtomicUsize::new(0),
    peak: AtomicUsize::new(0),
};

/// Gives the allocator its memory, and (probe) paints the free stack. Call once, first thing in
/// `main`.
pub fn init_heap() {
    static mut MEMORY: [MaybeUninit<u8>; HEAP_SIZE] = [MaybeUninit::uninit(); HEAP_SIZE];
    // SAFETY: called once at start-up, before any allocation, with a static region used by nothing
    // else; `&raw mut` takes its address without creating a reference to the `static mut`.
    #[allow(unsafe_code)]
    unsafe {
        HEAP.heap.init((&raw mut MEMORY) as usize, HEAP_SIZE)
    }
    #[cfg(feature = "probe")]
    probe::paint();
}

/// Randomness for the engine's timers; a device would read its hardware RNG here.
pub struct Rng(pub u32);

impl rand_core::RngCore for Rng {
    fn next_u32(&mut self) -> u32 {
        self.0 = self.0.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        self.0
    }
    fn next_u64(&mut self) -> u64 {
        rand_core::impls::next_u64_via_u32(self)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        rand_core::impls::fill_bytes_via_next(self, dest)
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

// A measurement image, not a product: what matters is that the engine links its RNG calls.
impl rand_core::CryptoRng for Rng {}

/// `value`, hidden from the optimiser.
pub fn opaque<T>(value: T) -> T {
    core::hint::black_box(value)
}

/// The end of an image's work: under the probe, print the heap's peak and the stack's depth and
/// leave QEMU; otherwise wait for ever.
pub fn done() -> ! {
    #[cfg(feature = "probe")]
    probe::report(HEAP.peak.load(Ordering::Relaxed));
    #[cfg(not(feature = "probe"))]
    loop {
        cortex_m::asm::wfi();
    }
}

#[cfg(feature = "probe")]
mod probe {
    use cortex_m_semihosting::{debug, hprintln};

    const PAINT: u32 = 0x5a5a_5a5a;
    /// Bytes left unpainted below the stack pointer of `paint` itself, for its own frame.
    const MARGIN: usize = 256;

    extern "C" {
        /// End of RAM used by statics (cortex-m-rt): the stack grows down towards it.
        static __sheap: u32;
        /// Top of the stack (cortex-m-rt).
        static _stack_start: u32;
    }

    /// Taking the address of a linker symbol reads nothing, so it needs no `unsafe`.
    fn bounds() -> (usize, usize) {
        (
            &raw const __sheap as usize,
            &raw const _stack_start as usize,
        )
    }

    /// Fills the stack below the current frame with a pattern.
    pub fn paint() {
        let (bottom, _) = bounds();
        let sp = cortex_m::register::msp::read() as usize - MARGIN;
        let mut p = (bottom + 3) & !3;
        while p < sp {
            // SAFETY: [bottom, sp) is RAM between the statics and the live stack, used by nothing
            // else at this point: the heap's memory is a static below `__sheap`.
            #[allow(unsafe_code)]
            unsafe {
                core::ptr::write_volatile(p as *mut u32, PAINT)
            };
            p += 4;
        }
    }

    /// Prints the peak heap use and the deepest stack use since `paint`, then exits QEMU.
    pub fn report(heap_peak: usize) -> ! {
        let (bottom, top) = bounds();
        let mut p = (bottom + 3) & !3;
        // SAFETY: reads RAM painted by `paint`, word by word, up to the first word the stack reached.
        #[allow(unsafe_code)]
        while p < top && unsafe { core::ptr::read_volatile(p as *const u32) } == PAINT {
            p += 4;
        }
        hprintln!("heap-peak {} stack {}", heap_peak, top - p);
        debug::exit(debug::EXIT_SUCCESS);
        // Not reached under QEMU, which the exit above ends.
        cortex_m::asm::udf()
    }
}

/// A panic stops the core at once: a failed measurement shows as QEMU's exit without a report.
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    cortex_m::asm::udf()
}
