//! Dynamic plugins end to end (only with `--features dynamic-plugins`): the third-party crate in
//! tests/fixtures/plugin-example is built with `eobench plugin build`, checked, loaded with
//! `--plugin` and trained on the shipped sample in both protocols; bad libraries and faulty
//! plugin code give precise errors and no leaderboard row; `plugin new` scaffolds a crate that
//! passes the conformance suite.
#![cfg(feature = "dynamic-plugins")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;

/// Plugin builds share the target dir and the workspace's plugins/external: one at a time.
static BUILDS: Mutex<()> = Mutex::new(());

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run(exe: &Path, args: &[&str]) -> Output {
    Command::new(exe)
        .args(args)
        .current_dir(root())
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

/// Builds a plugin crate; returns (host binary built with it, library). Restores Cargo.lock
/// afterwards (the overlay member adds an entry) so the test leaves the checkout as it was.
fn build_plugin(dir: &Path) -> (PathBuf, PathBuf) {
    let lock = root().join("Cargo.lock");
    let saved = std::fs::read(&lock).unwrap();
    let out = run(
        Path::new(env!("CARGO_BIN_EXE_eobench")),
        &["plugin", "build", dir.to_str().unwrap()],
    );
    std::fs::write(&lock, saved).unwrap();
    assert!(out.status.success(), "{}", text(&out));
    // The overlay member is only needed to build; leaving it would add it to later
    // `cargo test --workspace` runs.
    let name = std::fs::read_to_string(dir.join("Cargo.toml"))
        .unwrap()
        .lines()
        .find_map(|l| {
            l.strip_prefix("name = \"")
                .map(|n| n.trim_end_matches('"').to_string())
        })
        .unwrap();
    let _ = std::fs::remove_dir_all(root().join("plugins/external").join(name));
    let library = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    assert!(library.is_file(), "{}", library.display());
    let host = library.parent().unwrap().join("eobench");
    (host, library)
}

fn rows(csv: &Path) -> Vec<csv::StringRecord> {
    if !csv.exists() {
        return Vec::new();
    }
    csv::Reader::from_path(csv)
        .unwrap()
        .records()
        .map(|r| r.unwrap())
        .collect()
}

fn col(csv: &Path, row: &csv::StringRecord, name: &str) -> String {
    let header = csv::Reader::from_path(csv)
        .unwrap()
        .headers()
        .unwrap()
        .clone();
    row[header.iter().position(|h| h == name).unwrap()].to_string()
}

#[test]
fn third_party_plugin_builds_checks_and_trains_in_both_protocols() {
    let _one = BUILDS.lock().unwrap_or_else(|e| e.into_inner());
    let (host, lib) = build_plugin(&root().join("tests/fixtures/plugin-example"));
    let lib_arg = lib.to_str().unwrap();

    let check = run(&host, &["plugin", "check", lib_arg]);
    assert!(check.status.success(), "{}", text(&check));
    for name in [
        "output shapes",
        "wrong band count refused",
        "save/load round trip",
        "backward reaches parameters",
        "frozen has no gradients",
    ] {
        assert!(
            text(&check)
                .lines()
                .any(|l| l.contains(name) && l.contains("pass")),
            "{name}:\n{}",
            text(&check)
        );
    }

    let list = run(&host, &["--plugin", lib_arg, "list", "encoders"]);
    assert!(list.status.success(), "{}", text(&list));
    assert!(
        text(&list).lines().any(|l| l.contains("tiny_conv")
            && l.contains("plugin eobench-plugin-tiny-conv 0.3.1")),
        "{}",
        text(&list)
    );

    let out_dir = tempfile::tempdir().unwrap();
    let out_arg = format!("output_dir={}", out_dir.path().display());
    let csv = out_dir.path().join("leaderboard.csv");
    let train = |extra: &[&str]| {
        let mut args = vec![
            "--plugin",
            lib_arg,
            "run",
            "encoder=tiny_conv",
            "task.trainer.n_epochs=1",
            "decoder.channels=16",
            out_arg.as_str(),
        ];
        args.extend(extra);
        run(&host, &args)
    };
    for protocol in ["protocol=frozen", "protocol=finetune"] {
        let out = train(&[protocol]);
        assert!(out.status.success(), "{protocol}: {}", text(&out));
    }
    let r = rows(&csv);
    assert_eq!(r.len(), 2);
    for (row, protocol) in r.iter().zip(["frozen", "finetune"]) {
        assert_eq!(col(&csv, row, "protocol"), protocol);
        assert_eq!(col(&csv, row, "encoder"), "tiny_conv");
        let origin = col(&csv, row, "origin");
        assert!(
            origin.contains("eobench-plugin-tiny-conv@0.3.1")
                && origin.contains("libeobench_plugin_tiny_conv"),
            "{origin}"
        );
    }
    let frozen_trainable: u64 = col(&csv, &r[0], "trainable_params").parse().unwrap();
    let finetune_trainable: u64 = col(&csv, &r[1], "trainable_params").parse().unwrap();
    assert!(
        frozen_trainable < finetune_trainable,
        "plugin encoder trained only when fine-tuned"
    );

    // Faulty plugin code: an error for that run, no row, the host carries on.
    for (fault, want) in [
        ("encoder.panic_in=build", "injected panic in build"),
        ("encoder.panic_in=forward", "injected panic in forward"),
        (
            "encoder.wrong_shapes=true",
            "returned 2 feature maps, declared 3",
        ),
    ] {
        let out = train(&[fault]);
        assert_eq!(out.status.code(), Some(1), "{fault}: {}", text(&out));
        assert!(text(&out).contains(want), "{fault}: {}", text(&out));
    }
    assert_eq!(rows(&csv).len(), 2, "failed runs left a row");

    // Bad libraries.
    let scratch = tempfile::tempdir().unwrap();
    let copy = scratch.path().join("libcopy.so");
    std::fs::copy(&lib, &copy).unwrap();
    let not_lib = scratch.path().join("libtext.so");
    std::fs::write(&not_lib, "not a library").unwrap();
    let burn = lib.parent().unwrap().join("libeobench_burn.so");
    for (args, want) in [
        (
            vec![
                "--plugin",
                lib_arg,
                "--plugin",
                copy.to_str().unwrap(),
                "list",
            ],
            "is already registered by plugin eobench-plugin-tiny-conv",
        ),
        (
            vec!["--plugin", "/nonexistent/libx.so", "list"],
            "does not exist",
        ),
        (
            vec!["--plugin", not_lib.to_str().unwrap(), "list"],
            "cannot load",
        ),
        (
            vec!["--plugin", burn.to_str().unwrap(), "list"],
            "is not an eobench plugin",
        ),
    ] {
        let out = run(&host, &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out));
        assert!(text(&out).contains(want), "{args:?}: {}", text(&out));
    }
    let shadow = run(
        &host,
        &[
            "--allow-shadowing",
            "--plugin",
            lib_arg,
            "--plugin",
            copy.to_str().unwrap(),
            "list",
            "encoders",
        ],
    );
    assert!(shadow.status.success(), "{}", text(&shadow));
    assert!(text(&shadow).contains("libcopy.so"), "{}", text(&shadow));

    // A folder on EOBENCH_PLUGIN_PATH: plugins in it load, other libraries there are skipped.
    // Its own folder of links, not target/release: that also holds the scaffolded plugin of the
    // other test, which may be mid-build or, in an incremental build, stale (and rightly refused).
    let folder = scratch.path().join("plugin_path");
    std::fs::create_dir(&folder).unwrap();
    for file in [&lib, &burn] {
        std::os::unix::fs::symlink(file, folder.join(file.file_name().unwrap())).unwrap();
    }
    let listed = Command::new(&host)
        .args(["list", "encoders"])
        .env("EOBENCH_PLUGIN_PATH", &folder)
        .current_dir(root())
        .output()
        .unwrap();
    assert!(listed.status.success(), "{}", text(&listed));
    assert!(text(&listed).contains("tiny_conv"), "{}", text(&listed));
}

#[test]
fn scaffolded_plugin_passes_the_conformance_suite() {
    let _one = BUILDS.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let crate_dir = dir.path().join("my-plugin");
    let exe = Path::new(env!("CARGO_BIN_EXE_eobench"));
    let new = run(
        exe,
        &[
            "plugin",
            "new",
            "my_encoder",
            "--kind",
            "encoder",
            "--dir",
            crate_dir.to_str().unwrap(),
        ],
    );
    assert!(new.status.success(), "{}", text(&new));
    for f in [
        "Cargo.toml",
        "src/lib.rs",
        "configs/encoder/my_encoder.yaml",
        "tests/conformance.rs",
    ] {
        assert!(crate_dir.join(f).is_file(), "{f}");
    }
    let bad = run(
        exe,
        &[
            "plugin",
            "new",
            "My-Encoder",
            "--dir",
            dir.path().join("x").to_str().unwrap(),
        ],
    );
    assert_eq!(bad.status.code(), Some(2), "{}", text(&bad));

    let lock = root().join("Cargo.lock");
    let saved = std::fs::read(&lock).unwrap();
    let check = run(exe, &["plugin", "check", crate_dir.to_str().unwrap()]);
    std::fs::write(&lock, saved).unwrap();
    let _ = std::fs::remove_dir_all(root().join("plugins/external/eobench-plugin-my-encoder"));
    assert!(check.status.success(), "{}", text(&check));
    assert!(
        text(&check).contains("encoder my_encoder"),
        "{}",
        text(&check)
    );
    assert!(!text(&check).contains("FAIL"), "{}", text(&check));
}
