use serde_json::json;

use super::{fail, run, standard};

#[test]
fn presets_apply_and_are_recorded() {
    let dir = standard();
    let cfg = run(dir.path(), &["dataset=hlsburnscars_sample"]).unwrap();
    assert_eq!(cfg.get("task.trainer.n_epochs"), Some(&json!(8)));
    assert_eq!(cfg.get("decoder.channels"), Some(&json!(64)));
    assert_eq!(
        cfg.get("dataset.presets"),
        None,
        "presets must leave the section"
    );
    let file = dir.path().join("dataset/hlsburnscars_sample.yaml");
    let applied: Vec<_> = cfg
        .presets()
        .iter()
        .map(|p| {
            (
                p.key.as_str(),
                p.value.clone(),
                p.source.clone(),
                p.overridden,
            )
        })
        .collect();
    assert_eq!(
        applied,
        [
            ("task.trainer.n_epochs", json!(8), file.clone(), false),
            ("decoder.channels", json!(64), file, false),
        ]
    );
}

#[test]
fn command_line_overrides_win_over_presets() {
    let dir = standard();
    let cfg = run(
        dir.path(),
        &["task.trainer.n_epochs=3", "dataset=hlsburnscars_sample"],
    )
    .unwrap();
    assert_eq!(cfg.get("task.trainer.n_epochs"), Some(&json!(3)));
    assert_eq!(cfg.get("decoder.channels"), Some(&json!(64)));
    let overridden: Vec<bool> = cfg.presets().iter().map(|p| p.overridden).collect();
    assert_eq!(overridden, [true, false]);
}

#[test]
fn no_presets_without_the_sample_dataset() {
    let dir = standard();
    let cfg = run(dir.path(), &[]).unwrap();
    assert!(cfg.presets().is_empty());
    assert_eq!(cfg.get("task.trainer.n_epochs"), Some(&json!(80)));
}

#[test]
fn presets_are_strict_and_name_their_file() {
    let dir = standard();
    std::fs::write(
        dir.path().join("dataset/hlsburnscars.yaml"),
        "root: x\npresets:\n  task.trainer.n_epoch: 8\n",
    )
    .unwrap();
    let msg = fail(dir.path(), &[]);
    assert!(msg.contains("unknown key 'task.trainer.n_epoch'"), "{msg}");
    assert!(
        msg.contains("preset in") && msg.contains("hlsburnscars.yaml"),
        "{msg}"
    );
    assert!(
        msg.contains("did you mean 'task.trainer.n_epochs'?"),
        "{msg}"
    );

    std::fs::write(
        dir.path().join("dataset/hlsburnscars.yaml"),
        "root: x\npresets:\n  task.trainer.n_epochs: many\n",
    )
    .unwrap();
    let msg = fail(dir.path(), &[]);
    assert!(
        msg.contains("type mismatch for 'task.trainer.n_epochs'"),
        "{msg}"
    );

    std::fs::write(
        dir.path().join("dataset/hlsburnscars.yaml"),
        "presets: [1]\n",
    )
    .unwrap();
    let msg = fail(dir.path(), &[]);
    assert!(
        msg.contains("`presets` in") && msg.contains("found list"),
        "{msg}"
    );
}

#[test]
fn optional_presets_skip_keys_the_component_lacks() {
    let dir = standard();
    std::fs::write(
        dir.path().join("dataset/hlsburnscars.yaml"),
        "root: x\npresets:\n  ?decoder.channels: 32\n  ?decoder.pool_scales: [1, 2]\n",
    )
    .unwrap();
    let cfg = run(dir.path(), &[]).unwrap();
    assert_eq!(cfg.get("decoder.channels"), Some(&json!(32)));
    assert_eq!(cfg.get("decoder.pool_scales"), None, "skipped, not created");
    let state: Vec<(&str, bool)> = cfg
        .presets()
        .iter()
        .map(|p| (p.key.as_str(), p.skipped))
        .collect();
    assert_eq!(
        state,
        [("decoder.channels", false), ("decoder.pool_scales", true)]
    );
}

#[test]
fn optional_presets_still_reject_an_unknown_section() {
    let dir = standard();
    std::fs::write(
        dir.path().join("dataset/hlsburnscars.yaml"),
        "root: x\npresets:\n  ?decodr.channels: 32\n",
    )
    .unwrap();
    let msg = fail(dir.path(), &[]);
    assert!(msg.contains("unknown key 'decodr'"), "{msg}");
    assert!(msg.contains("did you mean 'decoder'?"), "{msg}");
}

#[test]
fn presets_can_be_left_out_for_measurements() {
    let dir = standard();
    let args = vec!["dataset=hlsburnscars_sample".to_string()];
    let cfg = crate::config::compose_without_presets(dir.path(), &args, &[]).unwrap();
    assert_eq!(cfg.get("decoder.channels"), Some(&json!(256)));
    assert!(cfg.presets().is_empty());
}
