//! End-to-end tests of the `eobench` binary on the shipped sample.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn eobench(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_eobench"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run eobench")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Small and fast: a tiny UNet and UPerNet, one epoch.
const FAST: [&str; 4] = [
    "task.trainer.n_epochs=1",
    "encoder.channels=[4,8,16,32]",
    "decoder.channels=16",
    "seed=7",
];

fn run_fast(out: &Path, extra: &[&str]) -> Output {
    let out_arg = format!("output_dir={}", out.display());
    let mut args = vec!["run", out_arg.as_str()];
    args.extend(FAST);
    args.extend(extra);
    eobench(&args)
}

fn rows(csv: &Path) -> Vec<csv::StringRecord> {
    let mut r = csv::Reader::from_path(csv).unwrap();
    r.records().map(|x| x.unwrap()).collect()
}

fn header(csv: &Path) -> Vec<String> {
    csv::Reader::from_path(csv)
        .unwrap()
        .headers()
        .unwrap()
        .iter()
        .map(String::from)
        .collect()
}

fn col(csv: &Path, row: &csv::StringRecord, name: &str) -> String {
    let i = header(csv)
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}"));
    row[i].to_string()
}

#[test]
fn every_plugin_crate_is_linked_and_has_a_config() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let listing = eobench(&["list"]);
    assert!(listing.status.success(), "{}", text(&listing));
    let listing = text(&listing);
    for (folder, kind) in [
        ("encoders", "encoder"),
        ("decoders", "decoder"),
        ("datasets", "dataset"),
        ("criteria", "criterion"),
    ] {
        for entry in std::fs::read_dir(root.join("plugins").join(folder)).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            // A crate registers its own name, or a family of `<name>_<variant>` names (croma_optical).
            let family = format!("{name}_");
            let registered: Vec<&str> = listing
                .lines()
                .filter_map(|l| {
                    let mut words = l.split_whitespace();
                    (words.next() == Some(kind)).then(|| words.next()).flatten()
                })
                .filter(|n| *n == name || n.starts_with(&family))
                .collect();
            assert!(
                !registered.is_empty(),
                "plugin crate plugins/{folder}/{name} is not registered in the binary (add it to the root Cargo.toml)\n{listing}"
            );
            for n in registered {
                let file = root.join("configs").join(kind).join(format!("{n}.yaml"));
                assert!(file.is_file(), "configs/{kind}/{n}.yaml is missing");
            }
        }
        for entry in std::fs::read_dir(root.join("configs").join(kind)).unwrap() {
            let file = entry.unwrap().file_name().to_string_lossy().into_owned();
            let name = file.trim_end_matches(".yaml");
            assert!(
                listing
                    .lines()
                    .any(|l| l.split_whitespace().take(2).eq([kind, name])),
                "configs/{kind}/{file} has no registered component"
            );
        }
    }
}

#[test]
fn run_on_sample_appends_one_row_and_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let first = run_fast(dir.path(), &[]);
    assert!(first.status.success(), "{}", text(&first));
    let csv = dir.path().join("leaderboard.csv");
    let r = rows(&csv);
    assert_eq!(r.len(), 1);
    for (column, want) in [
        ("encoder", "unet"),
        ("decoder", "seg_upernet"),
        ("dataset", "hlsburnscars_sample"),
        ("protocol", "finetune"),
        ("seed", "7"),
        ("status", "ok"),
        ("epochs", "1"),
    ] {
        assert_eq!(col(&csv, &r[0], column), want, "column {column}");
    }
    let miou: f64 = col(&csv, &r[0], "miou").parse().unwrap();
    assert!((0.0..=1.0).contains(&miou), "{miou}");
    let run_dir = dir.path().join("runs").join(col(&csv, &r[0], "run_id"));
    for f in ["config.yaml", "metrics.json", "train.log"] {
        assert!(
            run_dir.join(f).is_file(),
            "{f} missing in {}",
            run_dir.display()
        );
    }
    // Cost and uncertainty columns; overlays of the leading test scenes.
    let (low, high): (f64, f64) = (
        col(&csv, &r[0], "miou_ci_low").parse().unwrap(),
        col(&csv, &r[0], "miou_ci_high").parse().unwrap(),
    );
    assert!(low <= miou && miou <= high, "{low} {miou} {high}");
    assert!(col(&csv, &r[0], "peak_rss_mib").parse::<f64>().unwrap() > 1.0);
    assert_eq!(col(&csv, &r[0], "origin"), "builtin");
    let overlays = std::fs::read_dir(run_dir.join("overlays")).unwrap().count();
    assert_eq!(overlays, 4, "task.evaluator.overlays = 4");

    let second = run_fast(dir.path(), &[]);
    assert!(second.status.success(), "{}", text(&second));
    let r = rows(&csv);
    assert_eq!(r.len(), 2);
    for column in ["miou", "mf1", "oa", "iou_per_class", "config_hash"] {
        assert_eq!(
            col(&csv, &r[0], column),
            col(&csv, &r[1], column),
            "same seed, different {column}"
        );
    }

    let md = eobench(&["leaderboard", "--results", dir.path().to_str().unwrap()]);
    assert!(md.status.success(), "{}", text(&md));
    assert!(text(&md).contains("hlsburnscars_sample"));
    assert!(dir.path().join("leaderboard.md").is_file());
}

#[test]
fn bf16_runs_train_and_report_their_precision() {
    let dir = tempfile::tempdir().unwrap();
    let o = run_fast(dir.path(), &["precision=bf16"]);
    assert!(o.status.success(), "{}", text(&o));
    let csv = dir.path().join("leaderboard.csv");
    let r = rows(&csv);
    assert_eq!(col(&csv, &r[0], "precision"), "bf16");
    let miou: f64 = col(&csv, &r[0], "miou").parse().unwrap();
    assert!((0.0..=1.0).contains(&miou), "{miou}");
    assert!(
        text(&o).contains("the optimizer updates f32 master weights of the encoder and decoder"),
        "{}",
        text(&o)
    );

    let json = dir.path().join("bench.json");
    let json_arg = format!("json={}", json.display());
    let o = eobench(&[
        "bench",
        "encoder=unet",
        "encoder.channels=[4,8,16,32]",
        "decoder=seg_upernet",
        "decoder.channels=16",
        "batch=2",
        "size=32",
        "warmup=1",
        "repeats=1",
        "precision=bf16",
        &json_arg,
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(doc["precision"], "bf16");
    assert_eq!(doc["modes"].as_array().unwrap().len(), 3, "{doc}");
}

#[test]
fn print_config_shows_the_resolved_tree_with_presets_and_overrides() {
    let o = eobench(&[
        "run",
        "--print-config",
        "encoder=vit",
        "seed=5",
        "task.trainer.n_epochs=3",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let yaml = String::from_utf8_lossy(&o.stdout).to_string();
    let tree: serde_json::Value = serde_saphyr::from_str(&yaml).unwrap();
    assert_eq!(tree["encoder"]["name"], "vit");
    assert_eq!(tree["encoder"]["input_size"], 32, "the sample's preset");
    assert_eq!(tree["seed"], 5);
    assert_eq!(
        tree["task"]["trainer"]["n_epochs"], 3,
        "CLI beats the preset"
    );
    assert_eq!(
        tree["preprocessing"]["train"][0]["size"], 32,
        "interpolated from encoder.input_size"
    );
}

#[test]
fn configuration_errors_exit_2_with_a_suggestion() {
    let o = eobench(&["run", "encoder=unt"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("did you mean 'unet'"), "{}", text(&o));
    let o = eobench(&["run", "task.trainer.n_epoch=3"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("task.trainer.n_epochs"), "{}", text(&o));
    let o = eobench(&["run", "task.trainer.n_epochs=many"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("task.trainer.n_epochs"), "{}", text(&o));
    let o = eobench(&["run", "protocol=half"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("frozen, finetune"), "{}", text(&o));
    let o = eobench(&["run", "precision=fp16"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).contains("precision=fp16: use fp32 or bf16"),
        "{}",
        text(&o)
    );
    let o = eobench(&["info", "segupernet"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("seg_upernet"), "{}", text(&o));
}

#[test]
fn failed_runs_explain_and_leave_no_row() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("leaderboard.csv");
    // Missing dataset root.
    let o = run_fast(dir.path(), &["dataset=hlsburnscars"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("dataset.root") && text(&o).contains("hls_burn_scars.tar.gz"),
        "{}",
        text(&o)
    );
    // Diverging loss.
    let o = run_fast(dir.path(), &["task.optimizer.lr=1.0e30"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("loss is"), "{}", text(&o));
    assert!(
        !csv.exists() || rows(&csv).is_empty(),
        "a failed run wrote a row"
    );
    // Output directory that cannot be created (a file is in the way).
    let blocked = dir.path().join("blocked");
    std::fs::write(&blocked, b"not a directory").unwrap();
    let o = run_fast(&blocked, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("blocked"), "{}", text(&o));
    // A leaderboard from an older schema is refused, not mixed.
    std::fs::write(&csv, "run_id,time,encoder\nold,2025-01-01T00:00:00Z,vit\n").unwrap();
    let o = run_fast(dir.path(), &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("leaderboard.csv"), "{}", text(&o));
    assert_eq!(std::fs::read_to_string(&csv).unwrap().lines().count(), 2);
}

#[test]
fn embed_writes_one_tensor_per_sample_and_layer() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("feats.safetensors");
    let out_arg = format!("out={}", out.display());
    let o = eobench(&[
        "embed",
        "encoder.channels=[4,8,16,32]",
        "split=val",
        out_arg.as_str(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let bytes = std::fs::read(&out).unwrap();
    let file = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    // The sample's val split has 3 scenes; UNet has 4 output maps at strides 1, 2, 4, 8 of a 32 px window.
    assert_eq!(file.len(), 12);
    let (name, first) = file
        .tensors()
        .into_iter()
        .find(|(n, _)| n.ends_with("/layer3"))
        .unwrap();
    assert!(name.starts_with("subsetted_512x512_HLS.S30."), "{name}");
    assert_eq!(first.shape(), &[32, 4, 4]);
}

#[test]
fn protocols_are_one_key_and_mismatches_fail_before_training() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_fast(dir.path(), &["protocol=linear_probe"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("protocol=linear_probe trains a linear head")
            && text(&out).contains("decoder=seg_linear"),
        "{}",
        text(&out)
    );
    let out = run_fast(dir.path(), &["protocol=frozn"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("valid: frozen, finetune, linear_probe, random"));
    assert!(!dir.path().join("leaderboard.csv").exists());

    let out = run_fast(dir.path(), &["protocol=random"]);
    assert!(out.status.success(), "{}", text(&out));
    let csv = dir.path().join("leaderboard.csv");
    let r = rows(&csv);
    assert_eq!(col(&csv, &r[0], "protocol"), "random");
    assert_eq!(col(&csv, &r[0], "encoder_weights"), "random");
}

fn sweep(out: &Path, extra: &[&str]) -> Output {
    let out_arg = format!("output_dir={}", out.display());
    let mut args = vec!["sweep", out_arg.as_str()];
    args.extend(FAST);
    args.extend(extra);
    eobench(&args)
}

#[test]
fn sweep_runs_the_grid_resumes_and_records_failures() {
    let dir = tempfile::tempdir().unwrap();
    let grid = ["protocol=finetune,random", "seeds=2"];

    let dry = sweep(dir.path(), &[&["--dry-run"][..], &grid[..]].concat());
    assert!(dry.status.success(), "{}", text(&dry));
    for cell in [
        "protocol=finetune seed=7",
        "protocol=finetune seed=8",
        "protocol=random seed=7",
        "protocol=random seed=8",
    ] {
        assert!(text(&dry).contains(cell), "{cell} missing:\n{}", text(&dry));
    }
    assert!(
        text(&dry).contains("4 of 4 cell(s) to run"),
        "{}",
        text(&dry)
    );
    assert!(
        !dir.path().join("leaderboard.csv").exists(),
        "dry run trained"
    );

    let first = sweep(dir.path(), &grid);
    assert!(first.status.success(), "{}", text(&first));
    let csv = dir.path().join("leaderboard.csv");
    assert_eq!(rows(&csv).len(), 4);
    let seeds: Vec<String> = rows(&csv).iter().map(|r| col(&csv, r, "seed")).collect();
    assert_eq!(seeds, ["7", "8", "7", "8"]);

    // Re-running resumes: nothing new trains, no duplicate rows.
    let again = sweep(dir.path(), &grid);
    assert!(again.status.success(), "{}", text(&again));
    assert!(
        text(&again).contains("0 ran, 4 skipped"),
        "{}",
        text(&again)
    );
    assert_eq!(rows(&csv).len(), 4);

    // A failing cell is recorded with its error; the next cell still runs; exit 1.
    let failing = sweep(dir.path(), &["task.optimizer.lr=1e30,0.001"]);
    assert_eq!(failing.status.code(), Some(1), "{}", text(&failing));
    assert!(
        text(&failing).contains("1 ran, 0 skipped"),
        "{}",
        text(&failing)
    );
    assert_eq!(rows(&csv).len(), 5, "no row for the failed cell");
    let journals: Vec<PathBuf> = std::fs::read_dir(dir.path().join("sweeps"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let failed = journals
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .find(|t| t.contains(",failed,"))
        .expect("a journal with the failed cell");
    assert!(failed.contains("loss is NaN"), "{failed}");
}

#[test]
fn sweep_refuses_bad_grids_before_training() {
    let dir = tempfile::tempdir().unwrap();
    for (args, want) in [
        (&["encoder=unet,unett"][..], "did you mean 'unet'"),
        (&["seeds=0"][..], "grid empty"),
        (&["protocol=frozen,finetune"][..], "supervised baseline"),
        (
            &["protocol=linear_probe,finetune"][..],
            "decoder=seg_linear",
        ),
        (&["encoder=unet,,vit"][..], "item 2 of the list is empty"),
    ] {
        let out = sweep(dir.path(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out));
        assert!(text(&out).contains(want), "{args:?}: {}", text(&out));
    }
    assert!(!dir.path().join("leaderboard.csv").exists());
}

#[test]
fn static_builds_refuse_plugin_libraries_with_a_clear_message() {
    if cfg!(feature = "dynamic-plugins") {
        return;
    }
    let out = eobench(&["--plugin", "target/libwhatever.so", "list"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("built without dynamic plugin support")
            && text(&out).contains("--features dynamic-plugins"),
        "{}",
        text(&out)
    );
}

/// A reduced DOFA (random weights) for protocol tests that need a non-baseline encoder.
const SMALL_DOFA: [&str; 8] = [
    "encoder=dofa",
    "encoder.weights=random",
    "encoder.embed_dim=32",
    "encoder.depth=2",
    "encoder.num_heads=2",
    "encoder.output_layers=[0,1]",
    "encoder.wave_embed_dim=16",
    "task.trainer.n_epochs=2",
];

#[test]
fn linear_probe_trains_seg_linear_on_cached_features() {
    let dir = tempfile::tempdir().unwrap();
    let out_arg = format!("output_dir={}", dir.path().display());
    let mut args = vec![
        "run",
        out_arg.as_str(),
        "protocol=linear_probe",
        "decoder=seg_linear",
    ];
    args.extend(SMALL_DOFA);
    let run = |extra: &[&str]| {
        let mut a = args.clone();
        a.extend(extra);
        Command::new(env!("CARGO_BIN_EXE_eobench"))
            .args(&a)
            .env("EOBENCH_CACHE", dir.path().join("cache"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap()
    };
    let first = run(&[]);
    assert!(first.status.success(), "{}", text(&first));
    assert!(text(&first).contains("feature cache:"), "{}", text(&first));
    let features = dir.path().join("cache/features");
    assert!(
        std::fs::read_dir(&features).unwrap().count() > 0,
        "no cached features in {}",
        features.display()
    );
    let second = run(&[]);
    assert!(second.status.success(), "{}", text(&second));
    let csv = dir.path().join("leaderboard.csv");
    let r = rows(&csv);
    assert_eq!(r.len(), 2);
    assert_eq!(col(&csv, &r[0], "protocol"), "linear_probe");
    assert_eq!(col(&csv, &r[0], "decoder"), "seg_linear");
    assert_eq!(
        col(&csv, &r[0], "miou"),
        col(&csv, &r[1], "miou"),
        "a run on cached features must match the run that filled the cache"
    );
    // Without the cache the same probe still trains.
    let uncached = run(&["feature_cache.enabled=false"]);
    assert!(uncached.status.success(), "{}", text(&uncached));
    assert!(!text(&uncached).contains("feature cache:"));
}
