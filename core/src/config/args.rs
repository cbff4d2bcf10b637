//! Parsing command-line `key=value` arguments into group choices and typed overrides.

use serde_json::Value;

use super::error::ConfigError;
use super::overrides::Override;

/// One parsed command-line argument.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    /// `group=name`: pick `configs/<group>/<name>.yaml`.
    Choice { group: String, name: String },
    /// `dotted.key=value` (or `+dotted.key=value`).
    Override(Override),
}

/// Parses every argument; `groups` decides which bare keys are choices.
pub(crate) fn parse_args(args: &[String], groups: &[String]) -> Result<Vec<Arg>, ConfigError> {
    args.iter().map(|a| parse_arg(a, groups)).collect()
}

fn parse_arg(arg: &str, groups: &[String]) -> Result<Arg, ConfigError> {
    let bad = |reason: &str| ConfigError::MalformedArg {
        arg: arg.to_string(),
        reason: reason.to_string(),
    };
    let (key, raw) = arg.split_once('=').ok_or_else(|| bad("no '='"))?;
    let key = key.trim();
    let (add, path) = match key.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, key),
    };
    if path.is_empty() {
        return Err(bad("empty key"));
    }
    if path.split('.').any(str::is_empty) {
        return Err(bad("empty segment in dotted key"));
    }
    if groups.iter().any(|g| g == path) {
        return Ok(Arg::Choice {
            group: path.to_string(),
            name: raw.trim().to_string(),
        });
    }
    let value = parse_value(raw).map_err(|reason| bad(&reason))?;
    Ok(Arg::Override(Override {
        key: path.to_string(),
        add,
        value,
        raw: Some(raw.to_string()),
        origin: format!("command-line argument '{arg}'"),
    }))
}

/// Types a raw value by reading it as a YAML flow value.
///
/// Lists and maps are only recognised with explicit `[...]` / `{...}` brackets, and null only
/// from a null literal, so stray YAML syntax (`a: b`, `x #y`) stays a plain string.
pub(crate) fn parse_value(raw: &str) -> Result<Value, String> {
    let text = raw.trim();
    if text.is_empty() {
        return Ok(Value::String(String::new()));
    }
    let bracketed = text.starts_with('[') || text.starts_with('{');
    match serde_saphyr::from_str::<Value>(text) {
        Ok(Value::Array(_) | Value::Object(_)) if !bracketed => Ok(Value::String(text.into())),
        Ok(Value::Null) if !matches!(text, "null" | "Null" | "NULL" | "~") => {
            Ok(Value::String(text.into()))
        }
        Ok(v) => Ok(v),
        Err(e) if bracketed => Err(format!("invalid list/map value: {e}")),
        Err(_) => Ok(Value::String(text.into())),
    }
}
