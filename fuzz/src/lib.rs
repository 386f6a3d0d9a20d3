//! What the fuzz targets share: an allocator that ends the process on any single
//! allocation over [`MAX_ALLOCATION`] (256 MB), so libFuzzer reports it as a crash and
//! keeps the input. libFuzzer's own `-malloc_limit_mb` needs a sanitizer's malloc hooks,
//! which a build without a sanitizer does not have; its `-rss_limit_mb` (the process's
//! memory, checked every second) still applies.

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Write;

/// The largest single allocation a target may make.
pub const MAX_ALLOCATION: usize = 256 * 1024 * 1024;

/// The system allocator, capped at [`MAX_ALLOCATION`] per allocation.
pub struct Capped;

fn check(size: usize) {
    if size > MAX_ALLOCATION {
        // Unbuffered, and formatting an integer does not allocate.
        let _ = writeln!(
            std::io::stderr(),
            "==ERROR: an allocation of {size} bytes, over the 256 MB limit"
        );
        std::process::abort();
    }
}

// SAFETY: every call is passed on to the system allocator unchanged, after a size check
// that either returns or ends the process.
unsafe impl GlobalAlloc for Capped {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        check(layout.size());
        System.alloc(layout)
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        check(layout.size());
        System.alloc_zeroed(layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        check(new_size);
        System.realloc(ptr, layout, new_size)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
}
