//! Run identifiers that double as directory names.

use std::time::SystemTime;

use super::UtcDateTime;

/// Longest a single component may be, so ids stay readable and paths stay short.
const MAX_COMPONENT: usize = 40;

/// `20261123-211500-unet-seg_upernet-hlsburnscars_sample-0a1f`.
///
/// The timestamp first makes directories sort chronologically; the components make them
/// recognisable; `nonce` (pass 16 random bits) separates runs started in the same second.
/// Components are lower-cased and every character outside `[a-z0-9_]` becomes `_`, because
/// `-` separates components and the id must be safe on every filesystem.
pub fn new_run_id(
    encoder: &str,
    decoder: &str,
    dataset: &str,
    time: SystemTime,
    nonce: u16,
) -> String {
    format!(
        "{}-{}-{}-{}-{nonce:04x}",
        UtcDateTime::from_system_time(time).compact(),
        sanitize(encoder),
        sanitize(decoder),
        sanitize(dataset),
    )
}

fn sanitize(component: &str) -> String {
    let s: String = component
        .chars()
        .map(|c| c.to_ascii_lowercase())
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(MAX_COMPONENT)
        .collect();
    if s.is_empty() { "none".to_string() } else { s }
}
