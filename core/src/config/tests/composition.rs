use serde_json::json;

use super::{configs, fail, run, standard};
use crate::config::{groups, list_choices};

#[test]
fn composes_defaults_in_order_with_name_first() {
    let dir = standard();
    let cfg = run(dir.path(), &[]).unwrap();
    let keys: Vec<&str> = cfg
        .tree()
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    assert_eq!(
        keys,
        [
            "seed",
            "device",
            "protocol",
            "output_dir",
            "encoder",
            "decoder",
            "dataset",
            "task"
        ]
    );
    let encoder = cfg.get("encoder").unwrap().as_object().unwrap();
    assert_eq!(encoder.keys().next().map(String::as_str), Some("name"));
    assert_eq!(cfg.get("encoder.name"), Some(&json!("unet")));
    assert_eq!(cfg.get("encoder.depth"), Some(&json!(4)));
    assert_eq!(cfg.get("seed"), Some(&json!(234)));
    let chosen: Vec<(&str, &str)> = cfg
        .choices()
        .iter()
        .map(|c| (c.group.as_str(), c.name.as_str()))
        .collect();
    assert_eq!(
        chosen,
        [
            ("encoder", "unet"),
            ("decoder", "seg_upernet"),
            ("dataset", "hlsburnscars"),
            ("task", "segmentation")
        ]
    );
    let file = &cfg.choice("encoder").unwrap().file;
    assert_eq!(file, &dir.path().join("encoder").join("unet.yaml"));
}

#[test]
fn keeps_a_name_the_file_sets() {
    let dir = standard();
    let cfg = run(dir.path(), &["encoder=vit"]).unwrap();
    assert_eq!(cfg.get("encoder.name"), Some(&json!("ViT-S")));
    assert_eq!(cfg.choice("encoder").unwrap().name, "vit");
}

#[test]
fn group_choice_replaces_the_section() {
    let dir = standard();
    let cfg = run(dir.path(), &["encoder=vit"]).unwrap();
    assert_eq!(cfg.get("encoder.patch_size"), Some(&json!(16)));
    assert_eq!(
        cfg.get("encoder.channels"),
        None,
        "unet keys must not leak into vit"
    );
}

#[test]
fn choices_apply_before_overrides_whatever_the_order() {
    let dir = standard();
    let cfg = run(dir.path(), &["encoder.depth=2", "encoder=vit"]).unwrap();
    assert_eq!(cfg.get("encoder.depth"), Some(&json!(2)));
    assert_eq!(cfg.get("encoder.patch_size"), Some(&json!(16)));
}

#[test]
fn group_missing_from_defaults_can_be_chosen() {
    let dir = standard();
    let cfg = run(dir.path(), &["criterion=cross_entropy"]).unwrap();
    assert_eq!(cfg.get("criterion.ignore_index"), Some(&json!(-1)));
    assert_eq!(cfg.choices().last().unwrap().group, "criterion");
}

#[test]
fn unknown_choice_lists_valid_names_and_suggests() {
    let dir = standard();
    let msg = fail(dir.path(), &["encoder=vt"]);
    assert!(msg.starts_with("unknown encoder 'vt' ("), "{msg}");
    assert!(msg.contains("vt.yaml does not exist"), "{msg}");
    assert!(
        msg.contains("did you mean 'vit'? valid: unet, vit"),
        "{msg}"
    );
}

#[test]
fn choice_names_cannot_escape_the_group() {
    let dir = standard();
    let msg = fail(dir.path(), &["encoder=../decoder/seg_upernet"]);
    assert!(msg.starts_with("unknown encoder"), "{msg}");
}

#[test]
fn unknown_group_in_defaults_suggests() {
    let dir = configs(&[
        ("config.yaml", "defaults:\n  encodr: unet\n"),
        ("encoder/unet.yaml", "depth: 4\n"),
    ]);
    let msg = fail(dir.path(), &[]);
    assert!(msg.contains("unknown config group 'encodr'"), "{msg}");
    assert!(msg.contains("did you mean 'encoder'?"), "{msg}");
}

#[test]
fn root_key_clashing_with_a_group_is_rejected() {
    let dir = configs(&[
        ("config.yaml", "defaults:\n  encoder: unet\nencoder: 3\n"),
        ("encoder/unet.yaml", "depth: 4\n"),
    ]);
    let msg = fail(dir.path(), &[]);
    assert!(msg.contains("top-level key 'encoder'"), "{msg}");
}

#[test]
fn missing_dir_and_root_are_reported() {
    let dir = standard();
    let msg = fail(&dir.path().join("nope"), &[]);
    assert!(
        msg.contains("configs directory") && msg.contains("nope"),
        "{msg}"
    );
    let empty = configs(&[("encoder/unet.yaml", "depth: 4\n")]);
    let msg = fail(empty.path(), &[]);
    assert!(msg.contains("config.yaml does not exist"), "{msg}");
}

#[test]
fn yaml_syntax_error_names_the_file_and_line() {
    let dir = standard();
    std::fs::write(
        dir.path().join("encoder/unet.yaml"),
        "depth: 4\nchannels: [32,\n",
    )
    .unwrap();
    let msg = fail(dir.path(), &[]);
    assert!(msg.contains("YAML syntax error in"), "{msg}");
    assert!(msg.contains("unet.yaml"), "{msg}");
    assert!(msg.contains("line 2"), "{msg}");
}

#[test]
fn component_must_be_a_mapping() {
    let dir = standard();
    std::fs::write(dir.path().join("decoder/seg_upernet.yaml"), "- 1\n- 2\n").unwrap();
    let msg = fail(dir.path(), &[]);
    assert!(
        msg.contains("seg_upernet.yaml must contain a mapping"),
        "{msg}"
    );
    assert!(msg.contains("found list"), "{msg}");
}

#[test]
fn empty_component_is_an_empty_section() {
    let dir = standard();
    std::fs::write(dir.path().join("decoder/seg_upernet.yaml"), "").unwrap();
    let cfg = run(dir.path(), &[]).unwrap();
    assert_eq!(cfg.get("decoder"), Some(&json!({"name": "seg_upernet"})));
}

#[test]
fn malformed_arguments_are_rejected() {
    let dir = standard();
    for arg in ["seed", "=1", "+=1", "task..lr=1"] {
        let msg = fail(dir.path(), &[arg]);
        assert!(
            msg.starts_with(&format!("malformed argument '{arg}'")),
            "{msg}"
        );
    }
}

#[test]
fn lists_groups_and_choices_sorted() {
    let dir = standard();
    std::fs::write(dir.path().join("encoder/notes.txt"), "not a config").unwrap();
    assert_eq!(
        groups(dir.path()).unwrap(),
        ["criterion", "dataset", "decoder", "encoder", "task"]
    );
    assert_eq!(
        list_choices(dir.path(), "encoder").unwrap(),
        ["unet", "vit"]
    );
    assert_eq!(
        list_choices(dir.path(), "dataset").unwrap(),
        ["hlsburnscars", "hlsburnscars_sample"]
    );
}
