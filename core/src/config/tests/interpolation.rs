use serde_json::json;

use super::{configs, fail, run, standard};

/// A root-only config with the given extra body.
fn root(body: &str) -> tempfile::TempDir {
    configs(&[(
        "config.yaml",
        &format!("seed: 234\noutput_dir: results\n{body}"),
    )])
}

#[test]
fn whole_value_reference_keeps_its_type() {
    let dir = root("sizes: [1, 2]\ncopy: ${sizes}\nn: ${seed}\nm: {a: 1}\nm2: ${m}\n");
    let cfg = run(dir.path(), &[]).unwrap();
    assert_eq!(cfg.get("copy"), Some(&json!([1, 2])));
    assert_eq!(cfg.get("n"), Some(&json!(234)));
    assert_eq!(cfg.get("m2"), Some(&json!({"a": 1})));
}

#[test]
fn reference_inside_text_is_spliced() {
    let dir = root("run_dir: ${output_dir}/seed_${seed}\n");
    let cfg = run(dir.path(), &[]).unwrap();
    assert_eq!(cfg.get("run_dir"), Some(&json!("results/seed_234")));
}

#[test]
fn references_chain_and_see_overrides() {
    let dir = root("a: ${b}\nb: ${c.d}\nc:\n  d: ${seed}\nx: ${c}\ny: ${x.d}\n");
    let cfg = run(dir.path(), &["seed=7"]).unwrap();
    assert_eq!(cfg.get("a"), Some(&json!(7)));
    assert_eq!(cfg.get("x"), Some(&json!({"d": 7})));
    assert_eq!(cfg.get("y"), Some(&json!(7)));
}

#[test]
fn references_cross_sections() {
    let dir = standard();
    std::fs::write(
        dir.path().join("decoder/seg_upernet.yaml"),
        "channels: 256\nin_channels: ${encoder.channels}\n",
    )
    .unwrap();
    let cfg = run(dir.path(), &["encoder.channels=[8, 16]"]).unwrap();
    assert_eq!(cfg.get("decoder.in_channels"), Some(&json!([8, 16])));
}

#[test]
fn overriding_an_interpolated_key_takes_any_type() {
    let dir = root("n: ${seed}\n");
    let cfg = run(dir.path(), &["n=5"]).unwrap();
    assert_eq!(cfg.get("n"), Some(&json!(5)));
}

#[test]
fn cycles_are_named() {
    let dir = root("a: ${b}\nb: x${c}\nc: ${a}\n");
    let msg = fail(dir.path(), &[]);
    assert!(
        msg.contains("interpolation cycle: a -> b -> c -> a"),
        "{msg}"
    );
    let dir = root("m:\n  k: ${m}\n");
    let msg = fail(dir.path(), &[]);
    assert!(msg.contains("interpolation cycle: m.k -> m.k"), "{msg}");
}

#[test]
fn missing_reference_names_key_and_suggests() {
    let dir = root("nested: {dir: '${output_dr}/x'}\n");
    let msg = fail(dir.path(), &[]);
    assert!(
        msg.contains("'nested.dir' refers to '${output_dr}'"),
        "{msg}"
    );
    assert!(msg.contains("did you mean 'output_dir'?"), "{msg}");
}

#[test]
fn double_dollar_escapes() {
    let dir = root("lit: $${not_a_ref}\nmix: $${x} and ${seed}\n");
    let cfg = run(dir.path(), &[]).unwrap();
    assert_eq!(cfg.get("lit"), Some(&json!("${not_a_ref}")));
    assert_eq!(cfg.get("mix"), Some(&json!("${x} and 234")));
}

#[test]
fn malformed_references_are_rejected() {
    let msg = fail(root("a: ${seed\n").path(), &[]);
    assert!(
        msg.contains("bad interpolation in 'a': unterminated"),
        "{msg}"
    );
    let msg = fail(root("a: x${}\n").path(), &[]);
    assert!(msg.contains("empty reference"), "{msg}");
}
