//! `${a.b.c}` references between keys, resolved once all overrides are in.
//!
//! A string that is exactly one reference takes the referenced value with its type; a
//! reference inside longer text is replaced by the value's text (lists and maps as compact
//! JSON). References chain, may point at or through other interpolated values, and `$${`
//! stands for a literal `${`.

use std::borrow::Cow;
use std::collections::HashMap;

use serde_json::{Map, Value};

use super::error::ConfigError;
use super::tree::{child, segments, suggest_path};

/// Returns `tree` with every reference replaced.
pub(crate) fn resolve(tree: &Value) -> Result<Value, ConfigError> {
    Resolver {
        raw: tree,
        done: HashMap::new(),
        stack: Vec::new(),
    }
    .node(tree, "")
}

/// A piece of a string: literal text or a reference path.
#[derive(Debug, PartialEq)]
enum Part {
    Text(String),
    Ref(String),
}

struct Resolver<'a> {
    /// The tree before resolution; references are looked up here.
    raw: &'a Value,
    /// Resolved strings by key, so shared references are resolved once.
    done: HashMap<String, Value>,
    /// Keys being resolved, outermost first, to detect and report cycles.
    stack: Vec<String>,
}

impl<'a> Resolver<'a> {
    fn node(&mut self, node: &'a Value, path: &str) -> Result<Value, ConfigError> {
        Ok(match node {
            Value::String(s) => self.string(s, path)?,
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| self.node(v, &join(path, &i.to_string())))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| Ok((k.clone(), self.node(v, &join(path, k))?)))
                    .collect::<Result<Map<_, _>, ConfigError>>()?,
            ),
            other => other.clone(),
        })
    }

    fn string(&mut self, s: &str, key: &str) -> Result<Value, ConfigError> {
        if !s.contains("${") {
            return Ok(Value::String(s.to_string()));
        }
        if let Some(v) = self.done.get(key) {
            return Ok(v.clone());
        }
        if let Some(pos) = self.stack.iter().position(|k| k == key) {
            let mut cycle = self.stack[pos..].to_vec();
            cycle.push(key.to_string());
            return Err(ConfigError::InterpolationCycle {
                cycle: cycle.join(" -> "),
            });
        }
        self.stack.push(key.to_string());
        let out = match parse(s, key)?.as_slice() {
            [Part::Ref(r)] => self.lookup(r, key)?,
            parts => {
                let mut text = String::new();
                for part in parts {
                    match part {
                        Part::Text(t) => text.push_str(t),
                        Part::Ref(r) => text.push_str(&as_text(&self.lookup(r, key)?)),
                    }
                }
                Value::String(text)
            }
        };
        self.stack.pop();
        self.done.insert(key.to_string(), out.clone());
        Ok(out)
    }

    /// The fully resolved value at `reference`, which the string at `key` refers to.
    fn lookup(&mut self, reference: &str, key: &str) -> Result<Value, ConfigError> {
        let mut node: Cow<'a, Value> = Cow::Borrowed(self.raw);
        let mut prefix = String::new();
        for seg in segments(reference) {
            if let Value::String(s) = node.as_ref() {
                node = Cow::Owned(self.string(&s.clone(), &prefix)?);
            }
            let next = match node {
                Cow::Borrowed(n) => child(n, seg).map(Cow::Borrowed),
                Cow::Owned(ref v) => child(v, seg).cloned().map(Cow::Owned),
            };
            node = next.ok_or_else(|| ConfigError::MissingReference {
                key: key.to_string(),
                reference: reference.to_string(),
                suggestion: suggest_path(self.raw, reference),
            })?;
            prefix = join(&prefix, seg);
        }
        match node {
            Cow::Borrowed(n) => self.node(n, &prefix),
            Cow::Owned(v) => Ok(v),
        }
    }
}

/// Splits a string into text and references, turning `$${` into a literal `${`.
fn parse(s: &str, key: &str) -> Result<Vec<Part>, ConfigError> {
    let bad = |message: &str| ConfigError::BadInterpolation {
        key: key.to_string(),
        message: message.to_string(),
    };
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut rest = s;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("$${") {
            text.push_str("${");
            rest = after;
        } else if let Some(after) = rest.strip_prefix("${") {
            let end = after.find('}').ok_or_else(|| bad("unterminated '${'"))?;
            let reference = after[..end].trim();
            if reference.is_empty() {
                return Err(bad("empty reference '${}'"));
            }
            if !text.is_empty() {
                parts.push(Part::Text(std::mem::take(&mut text)));
            }
            parts.push(Part::Ref(reference.to_string()));
            rest = &after[end + 1..];
        } else {
            let c = rest.chars().next().unwrap_or_default();
            text.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    if !text.is_empty() || parts.is_empty() {
        parts.push(Part::Text(text));
    }
    Ok(parts)
}

/// Text of a value spliced into a longer string.
fn as_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn join(prefix: &str, seg: &str) -> String {
    if prefix.is_empty() {
        seg.to_string()
    } else {
        format!("{prefix}.{seg}")
    }
}
