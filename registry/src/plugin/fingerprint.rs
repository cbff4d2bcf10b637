//! A description of the types that cross the plugin boundary, computed in each image.
//!
//! burn's types are compared by `TypeId` (equal only for the very same build of burn: same
//! version, features, profile and dependency graph) plus size and alignment; eobench's own
//! types by size and alignment, their definitions being pinned by the source hash of
//! [`super::BuildInfo`]. A mismatch is reported per type.

use std::any::TypeId;
use std::fmt::Write as _;

use eobench_core::burn::module::Param;
use eobench_core::burn::tensor::{Device, Int, Tensor, TensorData};
use eobench_core::component::{
    ComponentError, CriterionContext, DatasetContext, DatasetSpec, Decoder, DecoderContext,
    Encoder, EncoderContext, EncoderSpec, Features,
};
use eobench_core::sample::{Batch, Sample};

use super::PluginEntries;
use crate::{CriterionEntry, DatasetEntry, DecoderEntry, EncoderEntry};

fn layout<T>(out: &mut String, name: &str) {
    let _ = writeln!(
        out,
        "{name} size={} align={}",
        std::mem::size_of::<T>(),
        std::mem::align_of::<T>()
    );
}

fn identity<T: 'static>(out: &mut String, name: &str) {
    let mut hasher = std::hash::DefaultHasher::new();
    std::hash::Hash::hash(&TypeId::of::<T>(), &mut hasher);
    let id = std::hash::Hasher::finish(&hasher);
    let _ = writeln!(
        out,
        "{name} size={} align={} type_id={id:016x}",
        std::mem::size_of::<T>(),
        std::mem::align_of::<T>()
    );
}

/// One line per boundary type, in a fixed order.
pub fn type_fingerprint() -> String {
    let mut s = String::new();
    identity::<Tensor<4>>(&mut s, "burn::Tensor<4>");
    identity::<Tensor<5>>(&mut s, "burn::Tensor<5>");
    identity::<Tensor<1, Int>>(&mut s, "burn::Tensor<1, Int>");
    identity::<Device>(&mut s, "burn::Device");
    identity::<Param<Tensor<2>>>(&mut s, "burn::Param<Tensor<2>>");
    identity::<TensorData>(&mut s, "burn::TensorData");
    layout::<EncoderSpec>(&mut s, "EncoderSpec");
    layout::<Features>(&mut s, "Features");
    layout::<Batch>(&mut s, "Batch");
    layout::<Sample>(&mut s, "Sample");
    layout::<DatasetSpec>(&mut s, "DatasetSpec");
    layout::<ComponentError>(&mut s, "ComponentError");
    layout::<EncoderContext<'static>>(&mut s, "EncoderContext");
    layout::<DecoderContext<'static>>(&mut s, "DecoderContext");
    layout::<DatasetContext<'static>>(&mut s, "DatasetContext");
    layout::<CriterionContext<'static>>(&mut s, "CriterionContext");
    layout::<Box<dyn Encoder>>(&mut s, "Box<dyn Encoder>");
    layout::<Box<dyn Decoder>>(&mut s, "Box<dyn Decoder>");
    layout::<serde_json::Value>(&mut s, "serde_json::Value");
    layout::<EncoderEntry>(&mut s, "EncoderEntry");
    layout::<DecoderEntry>(&mut s, "DecoderEntry");
    layout::<DatasetEntry>(&mut s, "DatasetEntry");
    layout::<CriterionEntry>(&mut s, "CriterionEntry");
    layout::<PluginEntries>(&mut s, "PluginEntries");
    s
}

/// The lines of `theirs` that differ from `ours`, as "name: plugin … / eobench …".
pub fn differences(ours: &str, theirs: &str) -> Vec<String> {
    // Names may contain spaces (`Box<dyn Encoder>`); the facts start at " size=".
    let split = |line: &str| {
        let (name, rest) = line.split_once(" size=").unwrap_or((line, ""));
        (name.to_string(), format!("size={rest}"))
    };
    let ours: Vec<(String, String)> = ours.lines().map(split).collect();
    let theirs: Vec<(String, String)> = theirs.lines().map(split).collect();
    let mut out = Vec::new();
    for (name, ours_rest) in &ours {
        match theirs.iter().find(|(n, _)| n == name) {
            None => out.push(format!("{name}: missing in the plugin")),
            Some((_, their_rest)) if their_rest != ours_rest => {
                let same_layout =
                    their_rest.split(" type_id=").next() == ours_rest.split(" type_id=").next();
                let note = if same_layout {
                    " (same layout, another build of that crate)"
                } else {
                    ""
                };
                out.push(format!(
                    "{name}: plugin {their_rest}, eobench {ours_rest}{note}"
                ));
            }
            Some(_) => {}
        }
    }
    for (name, _) in &theirs {
        if !ours.iter().any(|(n, _)| n == name) {
            out.push(format!("{name}: unknown to this eobench"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_fingerprints_have_no_differences() {
        let ours = type_fingerprint();
        assert!(ours.contains("Box<dyn Encoder> size="), "{ours}");
        assert!(differences(&ours, &ours).is_empty());
    }

    #[test]
    fn differences_name_the_type_and_tell_layout_from_build() {
        let ours = "burn::Device size=8 align=8 type_id=00aa\nBox<dyn Encoder> size=16 align=8\n";
        let theirs = "burn::Device size=8 align=8 type_id=00bb\nBox<dyn Encoder> size=24 align=8\nExtra size=1 align=1\n";
        let d = differences(ours, theirs);
        assert_eq!(d.len(), 3, "{d:?}");
        assert!(
            d[0].starts_with("burn::Device: plugin size=8 align=8 type_id=00bb"),
            "{d:?}"
        );
        assert!(
            d[0].ends_with("(same layout, another build of that crate)"),
            "{d:?}"
        );
        assert!(
            d[1].starts_with("Box<dyn Encoder>: plugin size=24"),
            "{d:?}"
        );
        assert!(!d[1].contains("same layout"), "{d:?}");
        assert_eq!(d[2], "Extra: unknown to this eobench");
    }
}
