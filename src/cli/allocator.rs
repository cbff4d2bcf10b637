//! glibc malloc tuning for tensor workloads.
//!
//! burn's CPU backend allocates and frees many multi-megabyte buffers per step; glibc serves
//! every block above 128 KiB with a fresh `mmap` and returns it with `munmap`, so a ViT forward
//! spends 20–30 % of its time in the kernel (../shared/notes/burn.md §3: fused ViT-S inference
//! 0.98 s → 0.68 s with these settings). Raising the mmap threshold and keeping freed memory
//! in the heap removes that churn. The system allocator stays (dynamic plugins need host and
//! plugin on the same allocator); `EOBENCH_MALLOC_TUNING=0` turns this off for comparisons.

/// Applies the tuning once at start-up (Linux/glibc only; elsewhere a no-op).
pub fn tune_malloc() {
    if std::env::var_os("EOBENCH_MALLOC_TUNING").is_some_and(|v| v == "0") {
        return;
    }
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator parameters; called before any worker thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 1 << 30);
        libc::mallopt(libc::M_TOP_PAD, 256 << 20);
    }
}
