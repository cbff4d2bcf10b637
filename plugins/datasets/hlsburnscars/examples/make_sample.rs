//! Regenerates the shipped synthetic sample:
//! `cargo run --release -p eobench-dataset-hlsburnscars --example make_sample -- plugins/datasets/hlsburnscars/sample`

use std::path::PathBuf;

use eobench_dataset_hlsburnscars::synthetic::{SHIPPED_SAMPLE, write_dataset};

fn main() {
    let root = std::env::args().nth(1).map(PathBuf::from).unwrap_or_else(|| PathBuf::from("plugins/datasets/hlsburnscars/sample"));
    if let Err(e) = write_dataset(&root, SHIPPED_SAMPLE) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
    println!("wrote {}", root.display());
}
