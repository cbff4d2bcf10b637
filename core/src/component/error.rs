use std::path::PathBuf;
use thiserror::Error;

/// Everything a component can fail with. Messages name the file or key and say what to do.
#[derive(Debug, Error)]
pub enum ComponentError {
    /// The component's config section is invalid.
    #[error("invalid config for {component}: {message}")]
    Config {
        /// e.g. `encoder 'vit'`.
        component: String,
        /// What is wrong.
        message: String,
    },
    /// Input bands or channel counts do not match what the component declared.
    #[error("band mismatch in {component}: {message}")]
    Bands {
        /// The component.
        component: String,
        /// Expected vs got.
        message: String,
    },
    /// A file could not be read or written.
    #[error("{}: {message}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// What went wrong and what to do.
        message: String,
    },
    /// A dataset root or split is missing or malformed.
    #[error("{0}")]
    Dataset(String),
    /// Tensor shapes do not fit together.
    #[error("shape error in {component}: {message}")]
    Shape {
        /// The component.
        component: String,
        /// Expected vs got.
        message: String,
    },
    /// The component's code panicked; the run is stopped, the host keeps working.
    #[error("{component} panicked: {message}")]
    Panicked {
        /// The component.
        component: String,
        /// The panic payload.
        message: String,
    },
}
