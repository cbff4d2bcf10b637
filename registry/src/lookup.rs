use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::entries::{CriterionEntry, DatasetEntry, DecoderEntry, EncoderEntry};
use crate::plugin::{PluginConfig, PluginEntries};

/// The four kinds of component.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ComponentKind {
    /// Feature extractors.
    Encoder,
    /// Heads on encoder features.
    Decoder,
    /// Data sources.
    Dataset,
    /// Training losses.
    Criterion,
}

impl ComponentKind {
    /// All kinds, in listing order.
    pub const ALL: [ComponentKind; 4] = [
        ComponentKind::Encoder,
        ComponentKind::Decoder,
        ComponentKind::Dataset,
        ComponentKind::Criterion,
    ];

    /// Singular lower-case name, as used in config groups (`encoder=`).
    pub fn as_str(self) -> &'static str {
        match self {
            ComponentKind::Encoder => "encoder",
            ComponentKind::Decoder => "decoder",
            ComponentKind::Dataset => "dataset",
            ComponentKind::Criterion => "criterion",
        }
    }

    /// Parses `encoder`/`encoders`, etc.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "encoder" | "encoders" => Some(ComponentKind::Encoder),
            "decoder" | "decoders" => Some(ComponentKind::Decoder),
            "dataset" | "datasets" => Some(ComponentKind::Dataset),
            "criterion" | "criteria" | "criterions" => Some(ComponentKind::Criterion),
            _ => None,
        }
    }
}

/// A lookup failure.
#[derive(Debug, Error)]
pub enum RegistryError {
    /// No component of that kind has that name.
    #[error("unknown {kind} '{name}'{}; registered: {}  (see `eobench list {kind}s`)",
        suggestion.as_ref().map(|s| format!("; did you mean '{s}'?")).unwrap_or_default(),
        available.join(", "))]
    Unknown {
        /// The kind looked up.
        kind: &'static str,
        /// The name given.
        name: String,
        /// The closest registered name.
        suggestion: Option<String>,
        /// Everything registered of that kind.
        available: Vec<String>,
    },
    /// Two components of one kind share a name.
    #[error("{kind} '{name}' is registered twice; component names must be unique")]
    Duplicate {
        /// The kind.
        kind: &'static str,
        /// The name.
        name: String,
    },
    /// A plugin component would replace an existing one.
    #[error(
        "{kind} '{name}' from {new_origin} is already registered by {existing_origin}; rename it in the plugin, or pass --allow-shadowing to let the plugin replace it"
    )]
    Shadowed {
        /// The kind.
        kind: &'static str,
        /// The name.
        name: String,
        /// The plugin that brought it.
        new_origin: String,
        /// Who had it first.
        existing_origin: String,
    },
    /// A plugin library was refused.
    #[error(transparent)]
    Load(#[from] Box<crate::plugin::LoadError>),
}

/// Name, summary and origin of a component, for `eobench list`.
#[derive(Clone, Debug, PartialEq)]
pub struct ComponentSummary {
    /// The kind.
    pub kind: ComponentKind,
    /// Registry name.
    pub name: &'static str,
    /// One line.
    pub summary: &'static str,
    /// `builtin` for statically linked plugins.
    pub origin: String,
}

/// Where a component comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Statically linked into this binary.
    Builtin,
    /// Loaded from a plugin library.
    Plugin {
        /// The library file.
        library: PathBuf,
        /// Its crate name.
        crate_name: String,
        /// Its crate version.
        version: String,
    },
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Builtin => f.write_str("builtin"),
            Origin::Plugin {
                library,
                crate_name,
                version,
            } => write!(f, "plugin {crate_name} {version} ({})", library.display()),
        }
    }
}

struct Registered<T: 'static> {
    entry: &'static T,
    origin: Origin,
}

/// All components this binary knows, sorted by name (inventory's order is unspecified).
pub struct Registry {
    encoders: Vec<Registered<EncoderEntry>>,
    decoders: Vec<Registered<DecoderEntry>>,
    datasets: Vec<Registered<DatasetEntry>>,
    criteria: Vec<Registered<CriterionEntry>>,
    configs: Vec<(PluginConfig, Origin)>,
}

macro_rules! sorted {
    ($t:ty) => {{
        let mut v: Vec<Registered<$t>> = inventory::iter::<$t>
            .into_iter()
            .map(|entry| Registered {
                entry,
                origin: Origin::Builtin,
            })
            .collect();
        v.sort_by_key(|r| r.entry.name);
        v
    }};
}

fn find<T>(
    kind: &'static str,
    entries: &[Registered<T>],
    name_of: impl Fn(&T) -> &'static str,
    name: &str,
) -> Result<&'static T, RegistryError> {
    if let Some(r) = entries.iter().find(|r| name_of(r.entry) == name) {
        return Ok(r.entry);
    }
    let available: Vec<String> = entries
        .iter()
        .map(|r| name_of(r.entry).to_string())
        .collect();
    let options: Vec<&str> = available.iter().map(String::as_str).collect();
    Err(RegistryError::Unknown {
        kind,
        name: name.to_string(),
        suggestion: eobench_core::config::suggest(name, &options),
        available,
    })
}

/// Adds plugin entries of one kind; a name already taken is an error unless shadowing is
/// allowed, in which case the plugin's entry replaces the earlier one.
fn add_plugin_entries<T>(
    kind: &'static str,
    into: &mut Vec<Registered<T>>,
    entries: &[&'static T],
    name_of: impl Fn(&T) -> &'static str,
    origin: &Origin,
    allow_shadowing: bool,
) -> Result<(), RegistryError> {
    for &entry in entries {
        let name = name_of(entry);
        if let Some(i) = into.iter().position(|r| name_of(r.entry) == name) {
            if !allow_shadowing {
                return Err(RegistryError::Shadowed {
                    kind,
                    name: name.to_string(),
                    new_origin: origin.to_string(),
                    existing_origin: into[i].origin.to_string(),
                });
            }
            into.remove(i);
        }
        into.push(Registered {
            entry,
            origin: origin.clone(),
        });
    }
    into.sort_by_key(|r| name_of(r.entry));
    Ok(())
}

fn check_unique(kind: &'static str, names: &[&'static str]) -> Result<(), RegistryError> {
    for pair in names.windows(2) {
        if pair[0] == pair[1] {
            return Err(RegistryError::Duplicate {
                kind,
                name: pair[0].to_string(),
            });
        }
    }
    Ok(())
}

impl Registry {
    /// Collects the statically linked components; fails on duplicate names.
    pub fn builtin() -> Result<Self, RegistryError> {
        let r = Self {
            encoders: sorted!(EncoderEntry),
            decoders: sorted!(DecoderEntry),
            datasets: sorted!(DatasetEntry),
            criteria: sorted!(CriterionEntry),
            configs: Vec::new(),
        };
        let names = |v: Vec<&'static str>| v;
        check_unique(
            "encoder",
            &names(r.encoders.iter().map(|e| e.entry.name).collect()),
        )?;
        check_unique(
            "decoder",
            &names(r.decoders.iter().map(|e| e.entry.name).collect()),
        )?;
        check_unique(
            "dataset",
            &names(r.datasets.iter().map(|e| e.entry.name).collect()),
        )?;
        check_unique(
            "criterion",
            &names(r.criteria.iter().map(|e| e.entry.name).collect()),
        )?;
        Ok(r)
    }

    /// The built-in components plus those of each plugin library, loaded and checked in order.
    /// A plugin component named like an existing one is an error unless `allow_shadowing`.
    pub fn with_plugins(
        libraries: &[PathBuf],
        allow_shadowing: bool,
    ) -> Result<Self, RegistryError> {
        let mut r = Self::builtin()?;
        for path in libraries {
            let loaded = crate::plugin::load_library(path).map_err(Box::new)?;
            r.add_plugin(path, loaded, allow_shadowing)?;
        }
        Ok(r)
    }

    /// Adds one loaded library's components.
    pub fn add_plugin(
        &mut self,
        path: &Path,
        entries: &PluginEntries,
        allow_shadowing: bool,
    ) -> Result<(), RegistryError> {
        let origin = Origin::Plugin {
            library: path.to_path_buf(),
            crate_name: entries.name.to_string(),
            version: entries.version.to_string(),
        };
        add_plugin_entries(
            "encoder",
            &mut self.encoders,
            &entries.encoders,
            |e| e.name,
            &origin,
            allow_shadowing,
        )?;
        add_plugin_entries(
            "decoder",
            &mut self.decoders,
            &entries.decoders,
            |e| e.name,
            &origin,
            allow_shadowing,
        )?;
        add_plugin_entries(
            "dataset",
            &mut self.datasets,
            &entries.datasets,
            |e| e.name,
            &origin,
            allow_shadowing,
        )?;
        add_plugin_entries(
            "criterion",
            &mut self.criteria,
            &entries.criteria,
            |e| e.name,
            &origin,
            allow_shadowing,
        )?;
        self.configs
            .extend(entries.configs.iter().map(|c| (*c, origin.clone())));
        Ok(())
    }

    /// Default configs shipped inside loaded plugins, with their origin.
    pub fn plugin_configs(&self) -> &[(PluginConfig, Origin)] {
        &self.configs
    }

    /// Where the component `name` of `kind` comes from.
    pub fn origin(&self, kind: ComponentKind, name: &str) -> Option<&Origin> {
        fn of<'a, T>(
            v: &'a [Registered<T>],
            n: impl Fn(&T) -> &str,
            name: &str,
        ) -> Option<&'a Origin> {
            v.iter().find(|r| n(r.entry) == name).map(|r| &r.origin)
        }
        match kind {
            ComponentKind::Encoder => of(&self.encoders, |e| e.name, name),
            ComponentKind::Decoder => of(&self.decoders, |e| e.name, name),
            ComponentKind::Dataset => of(&self.datasets, |e| e.name, name),
            ComponentKind::Criterion => of(&self.criteria, |e| e.name, name),
        }
    }

    /// The encoder called `name`.
    pub fn encoder(&self, name: &str) -> Result<&'static EncoderEntry, RegistryError> {
        find("encoder", &self.encoders, |e| e.name, name)
    }

    /// The decoder called `name`.
    pub fn decoder(&self, name: &str) -> Result<&'static DecoderEntry, RegistryError> {
        find("decoder", &self.decoders, |e| e.name, name)
    }

    /// The dataset called `name`.
    pub fn dataset(&self, name: &str) -> Result<&'static DatasetEntry, RegistryError> {
        find("dataset", &self.datasets, |e| e.name, name)
    }

    /// The criterion called `name`.
    pub fn criterion(&self, name: &str) -> Result<&'static CriterionEntry, RegistryError> {
        find("criterion", &self.criteria, |e| e.name, name)
    }

    /// Everything of one kind (or all kinds), sorted by kind then name.
    pub fn list(&self, kind: Option<ComponentKind>) -> Vec<ComponentSummary> {
        fn rows<T>(
            kind: ComponentKind,
            v: &[Registered<T>],
            name: impl Fn(&T) -> &'static str,
            summary: impl Fn(&T) -> &'static str,
        ) -> Vec<ComponentSummary> {
            v.iter()
                .map(|r| ComponentSummary {
                    kind,
                    name: name(r.entry),
                    summary: summary(r.entry),
                    origin: r.origin.to_string(),
                })
                .collect()
        }
        let want = |k: ComponentKind| kind.is_none_or(|x| x == k);
        let mut out = Vec::new();
        if want(ComponentKind::Encoder) {
            out.extend(rows(
                ComponentKind::Encoder,
                &self.encoders,
                |e| e.name,
                |e| e.summary,
            ));
        }
        if want(ComponentKind::Decoder) {
            out.extend(rows(
                ComponentKind::Decoder,
                &self.decoders,
                |e| e.name,
                |e| e.summary,
            ));
        }
        if want(ComponentKind::Dataset) {
            out.extend(rows(
                ComponentKind::Dataset,
                &self.datasets,
                |e| e.name,
                |e| e.summary,
            ));
        }
        if want(ComponentKind::Criterion) {
            out.extend(rows(
                ComponentKind::Criterion,
                &self.criteria,
                |e| e.name,
                |e| e.summary,
            ));
        }
        out
    }
}
