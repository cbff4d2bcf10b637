use eobench_core::component::{
    ComponentError, Criterion, CriterionContext, Dataset, DatasetContext, Decoder, DecoderContext,
    Encoder, EncoderContext,
};
use serde_json::Value;

/// Builds an encoder from its config section.
pub type EncoderFactory = fn(&Value, &EncoderContext) -> Result<Box<dyn Encoder>, ComponentError>;
/// Builds a decoder from its config section.
pub type DecoderFactory = fn(&Value, &DecoderContext) -> Result<Box<dyn Decoder>, ComponentError>;
/// Opens one split of a dataset from its config section.
pub type DatasetFactory = fn(&Value, &DatasetContext) -> Result<Box<dyn Dataset>, ComponentError>;
/// Builds a criterion from its config section.
pub type CriterionFactory =
    fn(&Value, &CriterionContext) -> Result<Box<dyn Criterion>, ComponentError>;

/// A registered encoder.
pub struct EncoderEntry {
    /// Name used in configs (`encoder=vit`) and in `configs/encoder/<name>.yaml`.
    pub name: &'static str,
    /// One line for `eobench list`.
    pub summary: &'static str,
    /// Factory.
    pub build: EncoderFactory,
}

/// A registered decoder.
pub struct DecoderEntry {
    /// Name used in configs.
    pub name: &'static str,
    /// One line for `eobench list`.
    pub summary: &'static str,
    /// Factory.
    pub build: DecoderFactory,
}

/// A registered dataset.
pub struct DatasetEntry {
    /// Name used in configs.
    pub name: &'static str,
    /// One line for `eobench list`.
    pub summary: &'static str,
    /// Factory.
    pub build: DatasetFactory,
}

/// A registered criterion.
pub struct CriterionEntry {
    /// Name used in configs.
    pub name: &'static str,
    /// One line for `eobench list`.
    pub summary: &'static str,
    /// Factory.
    pub build: CriterionFactory,
}

inventory::collect!(EncoderEntry);
inventory::collect!(DecoderEntry);
inventory::collect!(DatasetEntry);
inventory::collect!(CriterionEntry);
