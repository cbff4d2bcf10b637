//! The facts a plugin library and the host must share, compared field by field so a refusal
//! can say exactly what differs.

/// Version of the plugin boundary (the declaration's layout and the loading protocol). Bump it
/// whenever [`super::PluginDeclaration`] or [`super::PluginEntries`] change shape.
pub const ABI_VERSION: u32 = 1;

/// One side's build facts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildInfo {
    /// `rustc 1.95.0 (59807616e) x86_64-unknown-linux-gnu`.
    pub rustc: String,
    /// eobench-core version.
    pub core_version: String,
    /// Hash of the core and registry sources (same version, edited sources ⇒ different).
    pub source_hash: String,
    /// burn version from Cargo.lock.
    pub burn_version: String,
    /// `release` / `debug`.
    pub profile: String,
    /// Whether this side reaches burn through the shared eobench-burn library.
    pub shared_burn: bool,
}

impl BuildInfo {
    /// This copy of the registry's facts.
    pub fn current() -> Self {
        Self {
            rustc: env!("EOBENCH_BUILD_RUSTC").into(),
            core_version: eobench_core::VERSION.into(),
            source_hash: env!("EOBENCH_BUILD_SOURCE_HASH").into(),
            burn_version: env!("EOBENCH_BUILD_BURN").into(),
            profile: env!("EOBENCH_BUILD_PROFILE").into(),
            shared_burn: cfg!(feature = "dynamic-plugins"),
        }
    }

    /// `key=value` lines (the form that crosses the library boundary).
    pub fn to_text(&self) -> String {
        format!(
            "rustc={}\ncore_version={}\nsource_hash={}\nburn_version={}\nprofile={}\nshared_burn={}\n",
            self.rustc,
            self.core_version,
            self.source_hash,
            self.burn_version,
            self.profile,
            self.shared_burn
        )
    }

    /// Parses [`BuildInfo::to_text`]; `None` for text of another format.
    pub fn parse(text: &str) -> Option<Self> {
        let get = |key: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
                .map(str::to_string)
        };
        Some(Self {
            rustc: get("rustc")?,
            core_version: get("core_version")?,
            source_hash: get("source_hash")?,
            burn_version: get("burn_version")?,
            profile: get("profile")?,
            shared_burn: get("shared_burn")? == "true",
        })
    }
}
