//! glibc malloc tuning for tensor workloads.
//!
//! burn's CPU backend allocates and frees many multi-megabyte buffers per step; glibc serves
//! every block above 128 KiB with a fresh `mmap` and returns it with `munmap`, so a ViT forward
//! spends 20–30 % of its time in the kernel (../shared/notes/burn.md §3: fused ViT-S inference
//! 0.98 s → 0.68 s with these settings). Raising the mmap threshold and keeping freed memory
//! in the heap removes that churn. glibc caps that threshold at 32 MB, and a 224 px UPerNet step
//! allocates many larger buffers (56² × 512 channels × batch 8 = 51 MB), each a fresh `mmap`
//! whose pages the kernel zeroes on first touch (`clear_page_erms` was 21–30 % of a training
//! step's samples in `perf`), so `M_MMAP_MAX = 0` also serves those from the retained heap:
//! ViT-S + UPerNet `eobench bench mode=finetune` 1.4–1.8 M → 0.77 M page faults and 12.8–22.8 s →
//! 9.1–11.1 s of system time per run (tools/bench/README.md). Trimming is off too
//! (`M_TRIM_THRESHOLD = -1`, "never" in mallopt(3)): a step frees its whole working set at the
//! end, and any trim threshold below the step's peak handed those pages back to the kernel only
//! to have them zeroed again on the next step's first touch — UNet + UPerNet finetune at 64 px
//! (2.5 GB peak): 1.37 M → 0.64 M page faults (the rest is the first step), 11–15 s → 3.4–4.5 s
//! of system time, 18.7–19.6 s → 16.6–17.3 s per step. One arena (`M_ARENA_MAX = 1`): the
//! convolution kernels allocate their per-image scratch in rayon workers, whose glibc arenas are
//! 64 MB mmap'd heaps that are unmapped as soon as they empty (whatever the trim threshold) and
//! that mmap anything larger, so those pages were faulted and zeroed again every step; in the
//! main arena they stay. UNet + UPerNet finetune at 64 px: 2.56 M → 0.49 M page faults and
//! 7.8 → 1.4–1.6 s of system time per run, peak RSS 2.11 → 1.92 GB, README quick start
//! 33.8–35.7 s → 31.5–32.7 s (tools/bench/README.md). The cost: the process keeps its peak
//! heap until it exits, which is what a run's peak already reserved. The system allocator stays
//! (dynamic plugins need host and plugin on the same allocator); `EOBENCH_MALLOC_TUNING=0` turns
//! this off for comparisons.

/// Applies the tuning once at start-up (Linux/glibc only; elsewhere a no-op).
pub fn tune_malloc() {
    if std::env::var_os("EOBENCH_MALLOC_TUNING").is_some_and(|v| v == "0") {
        return;
    }
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator parameters; called before any worker thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
        // -1: never trim (mallopt(3)).
        libc::mallopt(libc::M_TRIM_THRESHOLD, -1);
        libc::mallopt(libc::M_TOP_PAD, 256 << 20);
        libc::mallopt(libc::M_MMAP_MAX, 0);
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}
