//! What a plugin library exports: one `#[repr(C)]` declaration under a fixed symbol name.
//!
//! Only the declaration's first field (`abi_version`) is read before anything else is known;
//! everything after it is trusted only once the version, the build facts, the type fingerprint
//! and the burn image have been compared with the host's.

use std::ffi::c_char;
use std::sync::OnceLock;

use super::{BuildInfo, type_fingerprint};
use crate::{CriterionEntry, DatasetEntry, DecoderEntry, EncoderEntry};

/// Name of the exported static (`eobench_plugin_declaration`), NUL-terminated for `dlsym`.
pub const DECLARATION_SYMBOL: &[u8] = b"eobench_plugin_declaration\0";

/// The exported declaration. Field order is part of the ABI.
#[repr(C)]
pub struct PluginDeclaration {
    /// [`super::ABI_VERSION`] of the registry the plugin was built with. Never moves.
    pub abi_version: u32,
    /// [`BuildInfo::to_text`] of the plugin side, NUL-terminated.
    pub build_info: extern "C" fn() -> *const c_char,
    /// [`type_fingerprint`] of the plugin side, NUL-terminated.
    pub type_fingerprint: extern "C" fn() -> *const c_char,
    /// Address of the shared burn library's anchor as the plugin sees it (0 without one).
    pub burn_image_anchor: extern "C" fn() -> usize,
    /// The plugin's components; read only after every check passed.
    pub entries: extern "C" fn() -> *const PluginEntries,
}

/// A default config shipped inside a plugin (`configs/<group>/<name>.yaml` equivalent).
#[derive(Clone, Copy, Debug)]
pub struct PluginConfig {
    /// `encoder`, `decoder`, `dataset` or `criterion`.
    pub group: &'static str,
    /// Component name.
    pub name: &'static str,
    /// YAML text.
    pub yaml: &'static str,
}

/// Everything a plugin registers, as `&'static` data inside the (never unloaded) library.
pub struct PluginEntries {
    /// Crate name.
    pub name: &'static str,
    /// Crate version.
    pub version: &'static str,
    /// Encoders.
    pub encoders: Vec<&'static EncoderEntry>,
    /// Decoders.
    pub decoders: Vec<&'static DecoderEntry>,
    /// Datasets.
    pub datasets: Vec<&'static DatasetEntry>,
    /// Criteria.
    pub criteria: Vec<&'static CriterionEntry>,
    /// Default configs of its components.
    pub configs: Vec<PluginConfig>,
}

/// Implementation behind [`crate::export_plugin!`]: the plugin side of the declaration, in the
/// plugin's own copy of this crate. Not for direct use.
#[doc(hidden)]
pub mod plugin_side {
    use super::*;

    fn leak_c(text: String) -> *const c_char {
        let c = std::ffi::CString::new(text).unwrap_or_default();
        Box::leak(c.into_boxed_c_str()).as_ptr()
    }

    /// Build facts, computed once.
    pub extern "C" fn build_info() -> *const c_char {
        static TEXT: OnceLock<usize> = OnceLock::new();
        *TEXT.get_or_init(|| leak_c(BuildInfo::current().to_text()) as usize) as *const c_char
    }

    /// Type fingerprint, computed once.
    pub extern "C" fn fingerprint() -> *const c_char {
        static TEXT: OnceLock<usize> = OnceLock::new();
        *TEXT.get_or_init(|| leak_c(type_fingerprint()) as usize) as *const c_char
    }

    /// The anchor of the burn copy this plugin uses.
    pub extern "C" fn burn_image_anchor() -> usize {
        eobench_core::burn_image_anchor()
    }

    /// Collects this library's inventory (its own copy of the registry's lists).
    pub fn collect(
        name: &'static str,
        version: &'static str,
        configs: &'static [PluginConfig],
    ) -> *const PluginEntries {
        static ENTRIES: OnceLock<usize> = OnceLock::new();
        *ENTRIES.get_or_init(|| {
            let entries = PluginEntries {
                name,
                version,
                encoders: inventory::iter::<EncoderEntry>.into_iter().collect(),
                decoders: inventory::iter::<DecoderEntry>.into_iter().collect(),
                datasets: inventory::iter::<DatasetEntry>.into_iter().collect(),
                criteria: inventory::iter::<CriterionEntry>.into_iter().collect(),
                configs: configs.to_vec(),
            };
            Box::leak(Box::new(entries)) as *const PluginEntries as usize
        }) as *const PluginEntries
    }
}

/// Exports a plugin library's declaration. Put it once in the plugin crate's `lib.rs`, next to
/// its `register_*!` calls; it only emits code when the crate's `eobench-dynamic` feature is
/// on (set by `eobench plugin build`), so the same crate also links statically.
///
/// ```ignore
/// eobench_registry::export_plugin!(configs: [("encoder", "my_encoder", include_str!("../configs/encoder/my_encoder.yaml"))]);
/// ```
#[macro_export]
macro_rules! export_plugin {
    (configs: [$(($group:expr, $name:expr, $yaml:expr)),* $(,)?] $(,)?) => {
        #[cfg(feature = "eobench-dynamic")]
        const _: () = {
            static CONFIGS: &[$crate::plugin::PluginConfig] = &[
                $($crate::plugin::PluginConfig { group: $group, name: $name, yaml: $yaml }),*
            ];
            extern "C" fn entries() -> *const $crate::plugin::PluginEntries {
                $crate::plugin::declaration::plugin_side::collect(
                    env!("CARGO_PKG_NAME"),
                    env!("CARGO_PKG_VERSION"),
                    CONFIGS,
                )
            }
            #[unsafe(no_mangle)]
            #[used]
            static eobench_plugin_declaration: $crate::plugin::PluginDeclaration =
                $crate::plugin::PluginDeclaration {
                    abi_version: $crate::plugin::ABI_VERSION,
                    build_info: $crate::plugin::declaration::plugin_side::build_info,
                    type_fingerprint: $crate::plugin::declaration::plugin_side::fingerprint,
                    burn_image_anchor: $crate::plugin::declaration::plugin_side::burn_image_anchor,
                    entries,
                };
        };
    };
}
