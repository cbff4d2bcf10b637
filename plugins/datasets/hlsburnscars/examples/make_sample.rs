//! Regenerates the shipped synthetic sample, or writes a larger synthetic dataset in the real
//! format (e.g. full 512x512 scenes to exercise the full-size path):
//!
//! ```text
//! cargo run --release -p eobench-dataset-hlsburnscars --example make_sample -- plugins/datasets/hlsburnscars/sample
//! cargo run --release -p eobench-dataset-hlsburnscars --example make_sample -- "$(mktemp -d)" 20 8 512 1
//! ```
//! Arguments: `DIR [N_TRAIN N_VAL SIZE SEED]` (defaults: the shipped sample's).

use std::path::PathBuf;

use eobench_dataset_hlsburnscars::synthetic::{SHIPPED_SAMPLE, SyntheticSpec, write_dataset};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = args
        .first()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("plugins/datasets/hlsburnscars/sample"));
    let num = |i: usize, default: u64| -> u64 {
        args.get(i)
            .map(|s| {
                s.parse()
                    .unwrap_or_else(|_| panic!("argument {i} must be a number, got '{s}'"))
            })
            .unwrap_or(default)
    };
    let d = SHIPPED_SAMPLE;
    let spec = SyntheticSpec {
        n_train: num(1, d.n_train as u64) as usize,
        n_val: num(2, d.n_val as u64) as usize,
        size: num(3, d.size as u64) as usize,
        seed: num(4, d.seed),
    };
    if let Err(e) = write_dataset(&root, spec) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
    println!("wrote {} ({spec:?})", root.display());
}
