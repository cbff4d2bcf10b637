//! Records what a plugin library and the host must agree on, as compile-time text: the rustc
//! release/commit/target, the profile, and a hash of the core and registry sources plus the
//! locked burn version. Compiled into every copy of this crate (host and plugin alike), so the
//! loader can compare its own facts with a library's before running any of its code.

use std::path::{Path, PathBuf};

fn fnv1a(hash: &mut u64, bytes: &[u8]) {
    for b in bytes {
        *hash ^= u64::from(*b);
        *hash = hash.wrapping_mul(0x0000_0100_0000_01B3);
    }
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs" || e == "toml") {
            out.push(path);
        }
    }
}

fn main() {
    let here = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let root = here.parent().unwrap().to_path_buf();
    let mut files = Vec::new();
    for dir in [root.join("core/src"), here.join("src")] {
        println!("cargo:rerun-if-changed={}", dir.display());
        files_under(&dir, &mut files);
    }
    files.push(root.join("core/Cargo.toml"));
    files.push(here.join("Cargo.toml"));
    files.sort();
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    for f in &files {
        // Relative names so two checkouts of the same sources agree.
        fnv1a(
            &mut hash,
            f.strip_prefix(&root)
                .unwrap_or(f)
                .to_string_lossy()
                .as_bytes(),
        );
        fnv1a(&mut hash, &std::fs::read(f).unwrap_or_default());
    }

    let lock = root.join("Cargo.lock");
    println!("cargo:rerun-if-changed={}", lock.display());
    let lock_text = std::fs::read_to_string(&lock).unwrap_or_default();
    let burn = lock_text
        .split("[[package]]")
        .find(|p| p.contains("\nname = \"burn\"\n"))
        .and_then(|p| p.lines().find_map(|l| l.strip_prefix("version = \"")))
        .map(|v| v.trim_end_matches('"').to_string())
        .unwrap_or_else(|| "unknown".into());

    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let vv = std::process::Command::new(rustc)
        .arg("-vV")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    let field = |key: &str| {
        vv.lines()
            .find_map(|l| l.strip_prefix(key))
            .unwrap_or("unknown")
            .trim()
            .to_string()
    };
    let commit: String = field("commit-hash:").chars().take(9).collect();
    println!(
        "cargo:rustc-env=EOBENCH_BUILD_RUSTC=rustc {} ({commit}) {}",
        field("release:"),
        std::env::var("TARGET").unwrap_or_default()
    );
    println!(
        "cargo:rustc-env=EOBENCH_BUILD_PROFILE={}",
        std::env::var("PROFILE").unwrap_or_default()
    );
    println!("cargo:rustc-env=EOBENCH_BUILD_SOURCE_HASH={hash:016x}");
    println!("cargo:rustc-env=EOBENCH_BUILD_BURN={burn}");
}
