//! Loading a plugin library: every check runs before any of the plugin's code but the
//! declaration's three read-only functions, and a refused library is never used.

use std::path::Path;

use super::{
    ABI_VERSION, BuildInfo, DECLARATION_SYMBOL, LoadError, PluginDeclaration, PluginEntries,
    differences, type_fingerprint,
};
use std::ffi::{CStr, c_char};

/// Opens `path`, checks it against this binary, and returns its components. The library stays
/// loaded for the life of the process: its entries, vtables and statics are used by reference.
pub fn load_library(path: &Path) -> Result<&'static PluginEntries, LoadError> {
    let path_buf = path.to_path_buf();
    if !path.is_file() {
        return Err(LoadError::Missing { path: path_buf });
    }
    // SAFETY: loading runs the library's initialisers; plugins are trusted code by design
    // (docs/PLUGINS.md: only load plugins you trust).
    let library = unsafe { libloading::Library::new(path) }.map_err(|e| LoadError::Open {
        path: path_buf.clone(),
        detail: error_chain(&e),
    })?;
    // SAFETY: the symbol is a static of type PluginDeclaration in any library that exports it.
    let declaration: &'static PluginDeclaration = unsafe {
        let symbol = library
            .get::<*const PluginDeclaration>(DECLARATION_SYMBOL)
            .map_err(|_| LoadError::NotAPlugin {
                path: path_buf.clone(),
            })?;
        let ptr: *const PluginDeclaration = *symbol;
        &*ptr
    };
    // Never unloaded (see the module docs of `plugin`).
    std::mem::forget(library);

    if declaration.abi_version != ABI_VERSION {
        return Err(LoadError::Abi {
            path: path_buf,
            plugin: declaration.abi_version,
            host: ABI_VERSION,
        });
    }
    // SAFETY: same ABI version ⇒ the declaration has this layout and returns static strings.
    let theirs_text = unsafe { read_c((declaration.build_info)()) };
    let ours = BuildInfo::current();
    let theirs = BuildInfo::parse(&theirs_text).ok_or_else(|| LoadError::Build {
        path: path_buf.clone(),
        what: "build facts",
        plugin: theirs_text.clone(),
        host: ours.to_text(),
    })?;
    if let Some((what, plugin, host)) = ours.first_difference(&theirs) {
        return Err(LoadError::Build {
            path: path_buf,
            what,
            plugin,
            host,
        });
    }
    // SAFETY: as above.
    let their_types = unsafe { read_c((declaration.type_fingerprint)()) };
    let diffs = differences(&type_fingerprint(), &their_types);
    if !diffs.is_empty() {
        return Err(LoadError::Types {
            path: path_buf,
            differences: diffs,
        });
    }
    if !theirs.shared_burn || (declaration.burn_image_anchor)() != eobench_core::burn_image_anchor()
    {
        return Err(LoadError::OwnBurn { path: path_buf });
    }
    let entries =
        std::panic::catch_unwind(|| (declaration.entries)()).map_err(|p| LoadError::Panicked {
            path: path_buf.clone(),
            message: panic_text(p.as_ref()),
        })?;
    // SAFETY: every check passed: same compiler, same sources, same burn image; the pointer is
    // a leaked, never-freed PluginEntries.
    Ok(unsafe { &*entries })
}

/// libloading's error and its sources (dlerror's text is in the source, not in Display).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "non-string panic".into())
}

/// Reads a NUL-terminated string returned through the declaration.
///
/// # Safety
/// `ptr` must be null or point to a NUL-terminated string that lives for the program.
unsafe fn read_c(ptr: *const c_char) -> String {
    if ptr.is_null() {
        return String::new();
    }
    // SAFETY: the caller guarantees a valid, NUL-terminated, 'static string.
    unsafe { CStr::from_ptr(ptr) }
        .to_string_lossy()
        .into_owned()
}
