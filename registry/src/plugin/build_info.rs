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

    /// The first fact (in checking order) on which `theirs` differs from `self`: its name,
    /// the plugin's value and ours.
    pub fn first_difference(&self, theirs: &BuildInfo) -> Option<(&'static str, String, String)> {
        let facts: [(&'static str, &String, &String); 5] = [
            ("rustc", &theirs.rustc, &self.rustc),
            ("eobench-core", &theirs.core_version, &self.core_version),
            (
                "core/registry sources",
                &theirs.source_hash,
                &self.source_hash,
            ),
            ("burn", &theirs.burn_version, &self.burn_version),
            ("profile", &theirs.profile, &self.profile),
        ];
        facts
            .into_iter()
            .find(|(_, plugin, host)| plugin != host)
            .map(|(what, plugin, host)| (what, plugin.clone(), host.clone()))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trip_and_first_difference_in_checking_order() {
        let ours = BuildInfo::current();
        assert_eq!(BuildInfo::parse(&ours.to_text()), Some(ours.clone()));
        assert!(ours.rustc.starts_with("rustc 1."), "{}", ours.rustc);
        assert_eq!(ours.first_difference(&ours), None);
        let mut theirs = ours.clone();
        theirs.burn_version = "0.21.0".into();
        theirs.core_version = "0.2.0".into();
        let (what, plugin, host) = ours.first_difference(&theirs).unwrap();
        assert_eq!((what, plugin.as_str()), ("eobench-core", "0.2.0"));
        assert_eq!(host, ours.core_version);
        theirs.core_version = ours.core_version.clone();
        assert_eq!(ours.first_difference(&theirs).unwrap().0, "burn");
        assert_eq!(BuildInfo::parse("not build facts"), None);
    }

    #[test]
    fn refusal_messages_name_both_sides_and_the_fix() {
        let e = crate::plugin::LoadError::Build {
            path: "libx.so".into(),
            what: "rustc",
            plugin: "rustc 1.94.1 (abc) x86_64-unknown-linux-gnu".into(),
            host: "rustc 1.95.0 (def) x86_64-unknown-linux-gnu".into(),
        };
        let msg = e.to_string();
        assert!(
            msg.contains("libx.so was built with rustc rustc 1.94.1"),
            "{msg}"
        );
        assert!(msg.contains("this eobench with rustc 1.95.0"), "{msg}");
        assert!(msg.contains("eobench plugin build"), "{msg}");
        let abi = crate::plugin::LoadError::Abi {
            path: "liby.so".into(),
            plugin: 0,
            host: ABI_VERSION,
        };
        assert!(abi.to_string().contains("plugin ABI 0"), "{abi}");
    }
}
