use serde::Deserialize;
use serde_json::{Value, json};

use super::{configs, run, standard};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Unet {
    name: String,
    depth: u32,
    channels: Vec<u32>,
    pretrained: Option<String>,
    lr_scale: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Strict {
    name: String,
    dept: u32,
}

#[test]
fn section_deserializes_with_context_on_error() {
    let dir = standard();
    let cfg = run(dir.path(), &["encoder.depth=6"]).unwrap();
    let unet: Unet = cfg.section("encoder").unwrap();
    assert_eq!((unet.depth, unet.channels), (6, vec![32, 64]));
    let n: u32 = cfg.section("task.trainer.n_epochs").unwrap();
    assert_eq!(n, 80);

    let msg = cfg.section::<Strict>("encoder").unwrap_err().to_string();
    assert!(msg.starts_with("in encoder ("), "{msg}");
    assert!(msg.contains("unet.yaml): unknown field `depth`"), "{msg}");
    assert_eq!(cfg.section::<u32>("seed").unwrap(), 234);
    let msg = cfg.section::<bool>("seed").unwrap_err().to_string();
    assert!(
        msg.starts_with("in seed (") && msg.contains("config.yaml)"),
        "{msg}"
    );
}

#[test]
fn missing_section_suggests() {
    let dir = standard();
    let cfg = run(dir.path(), &[]).unwrap();
    let msg = cfg.section::<Value>("encodr").unwrap_err().to_string();
    assert!(
        msg.contains("no key 'encodr'; did you mean 'encoder'?"),
        "{msg}"
    );
}

#[test]
fn to_yaml_round_trips() {
    let dir = standard();
    let cfg = run(
        dir.path(),
        &["dataset=hlsburnscars_sample", "+encoder.note=${seed}: ok"],
    )
    .unwrap();
    let yaml = cfg.to_yaml();
    let back: Value = serde_saphyr::from_str(&yaml).unwrap();
    assert_eq!(&back, cfg.tree(), "{yaml}");
    assert!(yaml.starts_with("seed: 234\n"), "{yaml}");
}

#[test]
fn hash_ignores_key_order_but_not_values() {
    let a = configs(&[
        (
            "config.yaml",
            "defaults:\n  encoder: unet\nseed: 1\ndevice: cpu\n",
        ),
        ("encoder/unet.yaml", "depth: 4\nblock: {a: 1, b: 2}\n"),
    ]);
    let b = configs(&[
        (
            "config.yaml",
            "device: cpu\nseed: 1\ndefaults:\n  encoder: unet\n",
        ),
        ("encoder/unet.yaml", "block: {b: 2, a: 1}\ndepth: 4\n"),
    ]);
    let ha = run(a.path(), &[]).unwrap().hash();
    let hb = run(b.path(), &[]).unwrap().hash();
    assert_eq!(ha.len(), 64);
    assert!(
        ha.chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
    );
    assert_eq!(ha, hb);
    assert_ne!(ha, run(a.path(), &["seed=2"]).unwrap().hash());
    assert_ne!(ha, run(a.path(), &["encoder.block.a=3"]).unwrap().hash());
    assert_eq!(ha, run(a.path(), &["seed=1"]).unwrap().hash());
}

#[test]
fn hash_is_over_the_resolved_tree() {
    let dir = configs(&[("config.yaml", "seed: 1\nn: ${seed}\n")]);
    let literal = configs(&[("config.yaml", "seed: 1\nn: 1\n")]);
    assert_eq!(
        run(dir.path(), &[]).unwrap().hash(),
        run(literal.path(), &[]).unwrap().hash()
    );
    assert_eq!(run(dir.path(), &[]).unwrap().get("n"), Some(&json!(1)));
}
