//! Every way composing or reading a configuration can fail.
//!
//! Each message names the file and/or key involved and, where possible, what to type
//! instead, because these errors are read by people at a terminal.

use std::path::PathBuf;

/// Formats an optional suggestion as `; did you mean 'x'?` (or nothing).
fn hint(suggestion: &Option<String>) -> String {
    match suggestion {
        Some(s) => format!("; did you mean '{s}'?"),
        None => String::new(),
    }
}

/// A configuration problem, reported before any run starts.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The directory passed as the configs root does not exist.
    #[error("configs directory {} does not exist; pass the directory that holds config.yaml", .dir.display())]
    ConfigsDirMissing { dir: PathBuf },

    /// The configs directory has no root `config.yaml`.
    #[error("root config {} does not exist; create it with a `defaults:` mapping", .path.display())]
    RootMissing { path: PathBuf },

    /// A file or directory could not be read.
    #[error("cannot read {}: {source}", .path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },

    /// A YAML file does not parse; `message` carries serde-saphyr's line/column report.
    #[error("YAML syntax error in {}: {message}", .path.display())]
    Yaml { path: PathBuf, message: String },

    /// A config file parsed, but its top level is not a mapping of keys to values.
    #[error("{} must contain a mapping of keys to values at the top level, found {found}", .path.display())]
    NotAMapping { path: PathBuf, found: &'static str },

    /// The root `defaults:` entry is malformed.
    #[error("invalid `defaults` in {}: {message}", .path.display())]
    BadDefaults { path: PathBuf, message: String },

    /// A root key has the same name as a selected config group, so the two would collide.
    #[error(
        "{} defines top-level key '{key}', which is also the config group configs/{key}/; \
         move those settings into a file of that group", .path.display()
    )]
    GroupKeyConflict { path: PathBuf, key: String },

    /// A group named in `defaults` has no subdirectory.
    #[error("unknown config group '{group}' (no directory {}){}; groups: {valid}", .dir.display(), hint(.suggestion))]
    UnknownGroup {
        group: String,
        dir: PathBuf,
        suggestion: Option<String>,
        valid: String,
    },

    /// A group choice names a file that does not exist.
    #[error("unknown {group} '{name}' ({} does not exist){} valid: {valid}", .file.display(), hint(.suggestion))]
    UnknownChoice {
        group: String,
        name: String,
        file: PathBuf,
        suggestion: Option<String>,
        valid: String,
    },

    /// A command-line argument is not of the form `key=value`.
    #[error(
        "malformed argument '{arg}': {reason}; expected key=value, e.g. encoder=vit or task.trainer.n_epochs=16"
    )]
    MalformedArg { arg: String, reason: String },

    /// An override or preset names a key that no config file defines.
    #[error(
        "unknown key '{key}' (set by {origin}; it would belong to {}){}; \
         write '+{key}=...' to add a new key", .file.display(), hint(.suggestion)
    )]
    UnknownKey {
        key: String,
        origin: String,
        file: PathBuf,
        suggestion: Option<String>,
    },

    /// A `+key` addition names a key that already exists.
    #[error(
        "cannot add '{key}' (set by {origin}): it already exists; drop the leading '+' to override it"
    )]
    KeyExists { key: String, origin: String },

    /// A `+key` addition would have to descend into a value that is not a mapping.
    #[error("cannot add '{key}' (set by {origin}): '{parent}' is of type {found}, not a map")]
    AddUnderScalar {
        key: String,
        parent: String,
        origin: String,
        found: &'static str,
    },

    /// An override or preset gives a value of the wrong type for its key.
    #[error(
        "type mismatch for '{key}' (set by {origin}): expected {expected}, got {given_type} {given}"
    )]
    TypeMismatch {
        key: String,
        origin: String,
        expected: &'static str,
        given_type: &'static str,
        given: String,
    },

    /// A component file's `presets:` entry is not a mapping of dotted keys to values.
    #[error("`presets` in {} must be a mapping of dotted keys to values, found {found}", .path.display())]
    PresetsNotMapping { path: PathBuf, found: &'static str },

    /// References `${...}` form a loop.
    #[error("interpolation cycle: {cycle}; replace one of these references with a value")]
    InterpolationCycle { cycle: String },

    /// A `${path}` reference points at a key that does not exist.
    #[error("'{key}' refers to '${{{reference}}}', which does not exist{}", hint(.suggestion))]
    MissingReference {
        key: String,
        reference: String,
        suggestion: Option<String>,
    },

    /// A string holds a `${` that is not a well-formed reference.
    #[error("bad interpolation in '{key}': {message}; write '$${{' for a literal '${{'")]
    BadInterpolation { key: String, message: String },

    /// A section asked for by code is absent from the resolved tree.
    #[error("the resolved config has no key '{path}'{}", hint(.suggestion))]
    MissingSection {
        path: String,
        suggestion: Option<String>,
    },

    /// A section does not deserialize into the type the component expects.
    #[error("in {path} ({}): {message}", .file.display())]
    Section {
        path: String,
        file: PathBuf,
        message: String,
    },
}
