use thiserror::Error;

use crate::entries::{CriterionEntry, DatasetEntry, DecoderEntry, EncoderEntry};

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

/// All components this binary knows, sorted by name (inventory's order is unspecified).
pub struct Registry {
    encoders: Vec<&'static EncoderEntry>,
    decoders: Vec<&'static DecoderEntry>,
    datasets: Vec<&'static DatasetEntry>,
    criteria: Vec<&'static CriterionEntry>,
}

macro_rules! sorted {
    ($t:ty) => {{
        let mut v: Vec<&'static $t> = inventory::iter::<$t>.into_iter().collect();
        v.sort_by_key(|e| e.name);
        v
    }};
}

fn find<'a, T>(
    kind: &'static str,
    entries: &'a [&'static T],
    name_of: impl Fn(&T) -> &'static str,
    name: &str,
) -> Result<&'static T, RegistryError> {
    if let Some(e) = entries.iter().find(|e| name_of(e) == name) {
        return Ok(e);
    }
    let available: Vec<String> = entries.iter().map(|e| name_of(e).to_string()).collect();
    let options: Vec<&str> = available.iter().map(String::as_str).collect();
    Err(RegistryError::Unknown {
        kind,
        name: name.to_string(),
        suggestion: eobench_core::config::suggest(name, &options),
        available,
    })
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
        };
        check_unique(
            "encoder",
            &r.encoders.iter().map(|e| e.name).collect::<Vec<_>>(),
        )?;
        check_unique(
            "decoder",
            &r.decoders.iter().map(|e| e.name).collect::<Vec<_>>(),
        )?;
        check_unique(
            "dataset",
            &r.datasets.iter().map(|e| e.name).collect::<Vec<_>>(),
        )?;
        check_unique(
            "criterion",
            &r.criteria.iter().map(|e| e.name).collect::<Vec<_>>(),
        )?;
        Ok(r)
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
        let builtin = || "builtin".to_string();
        let mut out = Vec::new();
        let want = |k: ComponentKind| kind.is_none_or(|x| x == k);
        if want(ComponentKind::Encoder) {
            out.extend(self.encoders.iter().map(|e| ComponentSummary {
                kind: ComponentKind::Encoder,
                name: e.name,
                summary: e.summary,
                origin: builtin(),
            }));
        }
        if want(ComponentKind::Decoder) {
            out.extend(self.decoders.iter().map(|e| ComponentSummary {
                kind: ComponentKind::Decoder,
                name: e.name,
                summary: e.summary,
                origin: builtin(),
            }));
        }
        if want(ComponentKind::Dataset) {
            out.extend(self.datasets.iter().map(|e| ComponentSummary {
                kind: ComponentKind::Dataset,
                name: e.name,
                summary: e.summary,
                origin: builtin(),
            }));
        }
        if want(ComponentKind::Criterion) {
            out.extend(self.criteria.iter().map(|e| ComponentSummary {
                kind: ComponentKind::Criterion,
                name: e.name,
                summary: e.summary,
                origin: builtin(),
            }));
        }
        out
    }
}
