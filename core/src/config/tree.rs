//! Dotted-path access into a `serde_json::Value` tree (`task.trainer.n_epochs`, `bands.0`).

use serde_json::Value;

use super::suggest::suggest;

/// Human name of a value's type, as used in error messages.
pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "map",
    }
}

/// Splits a dotted path; the empty path addresses the whole tree.
pub(crate) fn segments(path: &str) -> Vec<&str> {
    if path.is_empty() {
        Vec::new()
    } else {
        path.split('.').collect()
    }
}

/// One step down: a map key, or a list index.
pub(crate) fn child<'a>(node: &'a Value, seg: &str) -> Option<&'a Value> {
    match node {
        Value::Object(map) => map.get(seg),
        Value::Array(items) => seg.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => None,
    }
}

/// Mutable counterpart of [`child`].
pub(crate) fn child_mut<'a>(node: &'a mut Value, seg: &str) -> Option<&'a mut Value> {
    match node {
        Value::Object(map) => map.get_mut(seg),
        Value::Array(items) => seg.parse::<usize>().ok().and_then(|i| items.get_mut(i)),
        _ => None,
    }
}

/// The value at a dotted path, if every step exists.
pub(crate) fn get<'a>(root: &'a Value, path: &str) -> Option<&'a Value> {
    segments(path)
        .into_iter()
        .try_fold(root, |node, seg| child(node, seg))
}

/// The value at a dotted path, mutably.
pub(crate) fn get_mut<'a>(root: &'a mut Value, path: &str) -> Option<&'a mut Value> {
    segments(path)
        .into_iter()
        .try_fold(root, |node, seg| child_mut(node, seg))
}

/// An existing path close to `path`, correcting each mistyped segment in turn
/// (`task.trainr.n_epoch` -> `task.trainer.n_epochs`). `None` if any step has no close match.
pub(crate) fn suggest_path(root: &Value, path: &str) -> Option<String> {
    let mut node = root;
    let mut fixed = Vec::new();
    for seg in segments(path) {
        let next = match child(node, seg) {
            Some(n) => (seg.to_string(), n),
            None => {
                let Value::Object(map) = node else {
                    return None;
                };
                let keys: Vec<&str> = map.keys().map(String::as_str).collect();
                let s = suggest(seg, &keys)?;
                let n = &map[&s];
                (s, n)
            }
        };
        fixed.push(next.0);
        node = next.1;
    }
    (fixed.join(".") != path).then(|| fixed.join("."))
}
