use std::panic::{AssertUnwindSafe, catch_unwind};

use super::ComponentError;

/// Runs component code and turns a panic (burn asserts shapes by panicking) into
/// [`ComponentError::Panicked`], so a broken plugin fails its run instead of the process.
pub fn guarded<T>(
    component: &str,
    f: impl FnOnce() -> Result<T, ComponentError>,
) -> Result<T, ComponentError> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(payload) => Err(ComponentError::Panicked {
            component: component.to_string(),
            message: panic_message(payload.as_ref()),
        }),
    }
}

/// The text of a panic payload.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic payload".to_string()
    }
}
