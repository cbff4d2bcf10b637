//! The four component kinds eobench composes — [`Encoder`], [`Decoder`], [`Dataset`],
//! [`Criterion`] — as object-safe traits without a backend type parameter (burn 0.22 dispatches
//! the backend at run time), plus the author-facing [`EncoderModel`] / [`DecoderModel`] traits
//! that a `#[derive(Module)]` struct implements and the adapters that turn them into the former.

mod criterion;
mod dataset;
mod decoder;
mod encoder;
mod error;
mod guard;
mod master_weights;
mod trainable;

pub use criterion::{Criterion, CriterionContext};
pub use dataset::{Dataset, DatasetContext, DatasetModality, DatasetSpec, Split};
pub use decoder::{Decoder, DecoderContext, DecoderModel, ModuleDecoder};
pub use encoder::{
    Encoder, EncoderContext, EncoderModel, EncoderSpec, Features, ModalitySpec, ModuleEncoder,
};
pub use error::ComponentError;
pub use guard::{guarded, panic_message};
pub use trainable::{ModuleSlot, Trainable};

/// Overlays a config section on a component's built-in defaults, then deserializes it: keys a
/// caller leaves out (tests, hand-written configs) take the defaults the shipped YAML also holds.
pub fn parse_config_with_defaults<T: serde::de::DeserializeOwned>(
    kind: &str,
    name: &str,
    mut defaults: serde_json::Value,
    value: &serde_json::Value,
) -> Result<T, ComponentError> {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                defaults[k] = v.clone();
            }
        }
        serde_json::Value::Null => {}
        other => {
            return Err(ComponentError::Config {
                component: format!("{kind} '{name}'"),
                message: format!("expected a map of settings, got {other}"),
            });
        }
    }
    parse_config(kind, name, &defaults)
}

/// Deserializes a component's config section, naming the component on error.
pub fn parse_config<T: serde::de::DeserializeOwned>(
    kind: &str,
    name: &str,
    value: &serde_json::Value,
) -> Result<T, ComponentError> {
    let mut value = value.clone();
    // The composer inserts `name`; component structs need not declare it.
    if let Some(map) = value.as_object_mut() {
        map.remove("name");
    }
    serde_json::from_value(value).map_err(|e| ComponentError::Config {
        component: format!("{kind} '{name}'"),
        message: e.to_string(),
    })
}
