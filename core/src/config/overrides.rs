//! Strict, type-checked application of one dotted-key assignment; shared by presets and the
//! command line so both obey the same rules.

use std::path::Path;

use serde_json::{Map, Number, Value};

use super::error::ConfigError;
use super::tree::{self, type_name};

/// One assignment of a value to a dotted key.
#[derive(Debug, Clone)]
pub(crate) struct Override {
    /// Dotted path without the leading `+`.
    pub key: String,
    /// `+key=...`: the key must not exist yet and is created.
    pub add: bool,
    /// The typed value.
    pub value: Value,
    /// Text as typed on the command line, used when a number or bool lands in a string key.
    pub raw: Option<String>,
    /// Where the assignment came from, for error messages.
    pub origin: String,
}

/// Applies `ov` to `root`; `file` is the config file the key belongs to (for messages).
pub(crate) fn apply(root: &mut Value, ov: &Override, file: &Path) -> Result<(), ConfigError> {
    if ov.add {
        return add(root, ov);
    }
    let suggestion = tree::suggest_path(root, &ov.key);
    let Some(slot) = tree::get_mut(root, &ov.key) else {
        return Err(ConfigError::UnknownKey {
            key: ov.key.clone(),
            origin: ov.origin.clone(),
            file: file.to_path_buf(),
            suggestion,
        });
    };
    *slot = checked(ov, slot)?;
    Ok(())
}

/// Creates a new key (and any missing parent maps) for a `+key=value` assignment.
fn add(root: &mut Value, ov: &Override) -> Result<(), ConfigError> {
    let segs = tree::segments(&ov.key);
    let mut node = root;
    for (i, seg) in segs.iter().enumerate() {
        let parent = segs[..i].join(".");
        let Value::Object(map) = node else {
            return Err(ConfigError::AddUnderScalar {
                key: ov.key.clone(),
                parent,
                origin: ov.origin.clone(),
                found: type_name(node),
            });
        };
        if i + 1 == segs.len() {
            if map.contains_key(*seg) {
                return Err(ConfigError::KeyExists {
                    key: ov.key.clone(),
                    origin: ov.origin.clone(),
                });
            }
            map.insert(seg.to_string(), ov.value.clone());
            return Ok(());
        }
        node = map
            .entry(seg.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
    }
    Ok(())
}

/// The value to store for `ov` over `current`, or a type error.
///
/// Null replaces and is replaced by anything; an integer widens to a float; a number or bool
/// given for a string key keeps its text; a pending `${...}` on either side defers the check.
fn checked(ov: &Override, current: &Value) -> Result<Value, ConfigError> {
    let given = &ov.value;
    let deferred = |v: &Value| v.as_str().is_some_and(|s| s.contains("${"));
    let ok = match (current, given) {
        (_, Value::Null) | (Value::Null, _) => true,
        _ if deferred(current) || deferred(given) => true,
        (Value::Bool(_), Value::Bool(_))
        | (Value::String(_), Value::String(_))
        | (Value::Array(_), Value::Array(_))
        | (Value::Object(_), Value::Object(_)) => true,
        (Value::Number(c), Value::Number(g)) => c.is_f64() || !g.is_f64(),
        (Value::String(_), Value::Number(_) | Value::Bool(_)) => {
            let text = ov.raw.as_deref().map(str::trim).map(str::to_string);
            return Ok(Value::String(text.unwrap_or_else(|| given.to_string())));
        }
        _ => false,
    };
    if !ok {
        return Err(ConfigError::TypeMismatch {
            key: ov.key.clone(),
            origin: ov.origin.clone(),
            expected: type_name(current),
            given_type: type_name(given),
            given: ov.raw.clone().unwrap_or_else(|| given.to_string()),
        });
    }
    Ok(widen(current, given))
}

/// Stores an integer given for a float key as a float, so the tree keeps one type per key.
fn widen(current: &Value, given: &Value) -> Value {
    match (current, given) {
        (Value::Number(c), Value::Number(g)) if c.is_f64() && !g.is_f64() => g
            .as_f64()
            .and_then(Number::from_f64)
            .map_or_else(|| given.clone(), Value::Number),
        _ => given.clone(),
    }
}
