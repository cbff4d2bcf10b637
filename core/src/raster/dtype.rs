//! Sample types and their TIFF encoding (SampleFormat + BitsPerSample).

/// The sample type of a raster, independent of any decoder's enum, so loaders can check
/// dtypes (e.g. "labels must be integers") from a header without decoding pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DType {
    U8,
    I8,
    U16,
    I16,
    U32,
    I32,
    U64,
    I64,
    F32,
    F64,
}

/// TIFF SampleFormat values (tag 339).
pub(crate) const SAMPLE_UINT: u16 = 1;
pub(crate) const SAMPLE_INT: u16 = 2;
pub(crate) const SAMPLE_FLOAT: u16 = 3;

impl DType {
    /// numpy-style name, as used in dataset docs and error messages.
    pub fn name(self) -> &'static str {
        match self {
            DType::U8 => "uint8",
            DType::I8 => "int8",
            DType::U16 => "uint16",
            DType::I16 => "int16",
            DType::U32 => "uint32",
            DType::I32 => "int32",
            DType::U64 => "uint64",
            DType::I64 => "int64",
            DType::F32 => "float32",
            DType::F64 => "float64",
        }
    }

    /// Bytes per sample.
    pub fn size_bytes(self) -> usize {
        match self {
            DType::U8 | DType::I8 => 1,
            DType::U16 | DType::I16 => 2,
            DType::U32 | DType::I32 | DType::F32 => 4,
            DType::U64 | DType::I64 | DType::F64 => 8,
        }
    }

    /// Whether samples are IEEE floats (and so may hold NaN nodata).
    pub fn is_float(self) -> bool {
        matches!(self, DType::F32 | DType::F64)
    }

    /// The TIFF SampleFormat code for this type.
    pub(crate) fn tiff_sample_format(self) -> u16 {
        match self {
            DType::U8 | DType::U16 | DType::U32 | DType::U64 => SAMPLE_UINT,
            DType::I8 | DType::I16 | DType::I32 | DType::I64 => SAMPLE_INT,
            DType::F32 | DType::F64 => SAMPLE_FLOAT,
        }
    }

    /// Maps TIFF (SampleFormat, BitsPerSample) to a type; `None` for layouts we do not
    /// decode (1/4/12-bit, f16, complex, void).
    pub(crate) fn from_tiff(sample_format: u16, bits: u16) -> Option<DType> {
        Some(match (sample_format, bits) {
            (SAMPLE_UINT, 8) => DType::U8,
            (SAMPLE_UINT, 16) => DType::U16,
            (SAMPLE_UINT, 32) => DType::U32,
            (SAMPLE_UINT, 64) => DType::U64,
            (SAMPLE_INT, 8) => DType::I8,
            (SAMPLE_INT, 16) => DType::I16,
            (SAMPLE_INT, 32) => DType::I32,
            (SAMPLE_INT, 64) => DType::I64,
            (SAMPLE_FLOAT, 32) => DType::F32,
            (SAMPLE_FLOAT, 64) => DType::F64,
            _ => return None,
        })
    }
}

impl std::fmt::Display for DType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
