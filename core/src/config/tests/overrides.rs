use serde_json::json;

use super::{fail, run, standard};

#[test]
fn values_are_typed_like_yaml() {
    let dir = standard();
    let cfg = run(
        dir.path(),
        &[
            "seed=1",
            "task.trainer.lr=1e-3",
            "dataset.use_cache=true",
            "encoder.channels=[1,2,3]",
            "dataset.bands=[B04, B8A]",
            "dataset.root=/path/to/x",
            "task.trainer.ckpt_dir=ckpts",
            "encoder.pretrained={url: x, strict: false}",
        ],
    )
    .unwrap();
    assert_eq!(cfg.get("seed"), Some(&json!(1)));
    assert_eq!(cfg.get("task.trainer.lr"), Some(&json!(0.001)));
    assert_eq!(cfg.get("dataset.use_cache"), Some(&json!(true)));
    assert_eq!(cfg.get("encoder.channels"), Some(&json!([1, 2, 3])));
    assert_eq!(cfg.get("dataset.bands"), Some(&json!(["B04", "B8A"])));
    assert_eq!(cfg.get("dataset.root"), Some(&json!("/path/to/x")));
    assert_eq!(cfg.get("task.trainer.ckpt_dir"), Some(&json!("ckpts")));
    assert_eq!(
        cfg.get("encoder.pretrained"),
        Some(&json!({"url": "x", "strict": false}))
    );
}

#[test]
fn null_replaces_anything() {
    let dir = standard();
    let cfg = run(dir.path(), &["dataset.root=null", "encoder.channels=~"]).unwrap();
    assert_eq!(cfg.get("dataset.root"), Some(&json!(null)));
    assert_eq!(cfg.get("encoder.channels"), Some(&json!(null)));
}

#[test]
fn integer_widens_to_float() {
    let dir = standard();
    let cfg = run(dir.path(), &["task.trainer.lr=1"]).unwrap();
    let lr = cfg.get("task.trainer.lr").unwrap();
    assert!(lr.is_f64(), "{lr}");
    assert_eq!(lr.as_f64(), Some(1.0));
}

#[test]
fn number_for_a_string_key_keeps_its_text() {
    let dir = standard();
    let cfg = run(dir.path(), &["output_dir=007", "device=1"]).unwrap();
    assert_eq!(cfg.get("output_dir"), Some(&json!("007")));
    assert_eq!(cfg.get("device"), Some(&json!("1")));
}

#[test]
fn type_mismatch_names_key_expected_type_and_value() {
    let dir = standard();
    let msg = fail(dir.path(), &["task.trainer.n_epochs=abc"]);
    assert!(
        msg.contains("type mismatch for 'task.trainer.n_epochs'"),
        "{msg}"
    );
    assert!(msg.contains("expected integer, got string abc"), "{msg}");
    let msg = fail(dir.path(), &["task.trainer.n_epochs=1.5"]);
    assert!(msg.contains("expected integer, got float 1.5"), "{msg}");
    let msg = fail(dir.path(), &["dataset.bands=B02"]);
    assert!(msg.contains("expected list, got string B02"), "{msg}");
    let msg = fail(dir.path(), &["task.trainer=5"]);
    assert!(msg.contains("expected map, got integer 5"), "{msg}");
    let msg = fail(dir.path(), &["dataset.use_cache=[1]"]);
    assert!(msg.contains("expected bool, got list [1]"), "{msg}");
}

#[test]
fn unknown_key_names_file_and_suggests_sibling() {
    let dir = standard();
    let msg = fail(dir.path(), &["task.trainer.n_epoch=3"]);
    assert!(
        msg.starts_with("unknown key 'task.trainer.n_epoch'"),
        "{msg}"
    );
    assert!(msg.contains("segmentation.yaml"), "{msg}");
    assert!(
        msg.contains("did you mean 'task.trainer.n_epochs'?"),
        "{msg}"
    );
    assert!(msg.contains("'+task.trainer.n_epoch=...'"), "{msg}");
    let msg = fail(dir.path(), &["task.trainr.n_epoch=3"]);
    assert!(
        msg.contains("did you mean 'task.trainer.n_epochs'?"),
        "{msg}"
    );
    let msg = fail(dir.path(), &["sed=3"]);
    assert!(
        msg.contains("config.yaml") && msg.contains("did you mean 'seed'?"),
        "{msg}"
    );
}

#[test]
fn plus_adds_new_keys_only() {
    let dir = standard();
    let cfg = run(
        dir.path(),
        &["+encoder.extra=1", "+logging.wandb.project=eo"],
    )
    .unwrap();
    assert_eq!(cfg.get("encoder.extra"), Some(&json!(1)));
    assert_eq!(
        cfg.get("logging"),
        Some(&json!({"wandb": {"project": "eo"}}))
    );
    let msg = fail(dir.path(), &["+encoder.depth=1"]);
    assert!(
        msg.contains("cannot add 'encoder.depth'") && msg.contains("it already exists"),
        "{msg}"
    );
    let msg = fail(dir.path(), &["+seed.x=1"]);
    assert!(
        msg.contains("'seed' is of type integer, not a map"),
        "{msg}"
    );
}

#[test]
fn later_overrides_win_and_list_items_are_addressable() {
    let dir = standard();
    let cfg = run(dir.path(), &["seed=1", "seed=2", "dataset.bands.1=B8A"]).unwrap();
    assert_eq!(cfg.get("seed"), Some(&json!(2)));
    assert_eq!(cfg.get("dataset.bands"), Some(&json!(["B02", "B8A"])));
}

#[test]
fn broken_list_value_is_malformed() {
    let dir = standard();
    let msg = fail(dir.path(), &["encoder.channels=[1,"]);
    assert!(
        msg.starts_with("malformed argument 'encoder.channels=[1,'"),
        "{msg}"
    );
}
