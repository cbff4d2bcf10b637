//! burn as a shared library for builds with the `dynamic-plugins` feature.
//!
//! burn keeps process-wide state in statics: the autodiff graph, the flex backend's seed, the
//! device registry. A plugin library that linked its own copy of burn would have its own copy
//! of each (measured: backward through it panics, the host's seed does not reach it). When
//! host and plugins link this one library instead, there is one burn in the process.

pub use burn;

/// A static whose address identifies this copy of the library in the process: the host and a
/// plugin see the same address exactly when they share it (checked before a plugin is used).
#[used]
static IMAGE_ANCHOR: u8 = 0;

/// Address of [`IMAGE_ANCHOR`] as this code sees it.
pub fn image_anchor() -> usize {
    std::ptr::addr_of!(IMAGE_ANCHOR) as usize
}
