//! Leaderboard append/read safety, report aggregation, ids and records.

use std::fs;
use std::path::Path;
use std::time::{Duration, UNIX_EPOCH};

use super::*;
use crate::metrics::ConfusionMatrix;

fn row(run_id: &str, dataset: &str, encoder: &str, seed: u64, miou: f64) -> LeaderboardRow {
    LeaderboardRow {
        run_id: run_id.to_string(),
        time: "2026-11-23T21:15:00Z".to_string(),
        encoder: encoder.to_string(),
        encoder_weights: "prithvi_eo_v2_300".to_string(),
        decoder: "seg_upernet".to_string(),
        dataset: dataset.to_string(),
        protocol: "frozen".to_string(),
        criterion: "cross_entropy".to_string(),
        origin: "builtin".into(),
        seed,
        epochs: 80,
        miou: Some(miou),
        miou_ci_low: None,
        miou_ci_high: None,
        mf1: Some(miou + 0.05),
        oa: Some(0.95),
        macc: Some(0.9),
        iou_per_class: IouPerClass(vec![Some(0.97312), Some(miou), None]),
        total_params: Some(324_000_000),
        trainable_params: Some(12_500_000),
        train_images_per_s: Some(41.5),
        eval_images_per_s: Some(120.25),
        peak_rss_mib: None,
        wall_time_s: 3600.5,
        device: "cuda:0 NVIDIA H100".to_string(),
        precision: "bf16".to_string(),
        eobench_version: "0.1.0".to_string(),
        git_rev: "abc1234".to_string(),
        config_hash: "deadbeef".to_string(),
        status: RunStatus::Ok,
    }
}

fn failed_row(run_id: &str) -> LeaderboardRow {
    LeaderboardRow {
        miou: None,
        miou_ci_low: None,
        miou_ci_high: None,
        mf1: None,
        oa: None,
        macc: None,
        iou_per_class: IouPerClass::default(),
        total_params: None,
        trainable_params: None,
        train_images_per_s: None,
        eval_images_per_s: None,
        peak_rss_mib: None,
        status: RunStatus::Failed,
        ..row(run_id, "hlsburnscars", "unet", 1, 0.0)
    }
}

#[test]
fn columns_match_serde_field_order() {
    let mut w = csv::Writer::from_writer(vec![]);
    w.serialize(row("r", "d", "e", 0, 0.5)).unwrap();
    let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
    assert_eq!(
        text.lines().next().unwrap(),
        LeaderboardRow::COLUMNS.join(",")
    );
}

#[test]
fn append_to_fresh_file_writes_header_and_row_and_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/dir/leaderboard.csv");
    let a = row("run-a", "hlsburnscars", "unet", 0, 0.8123456789);
    let b = failed_row("run-b");
    append_row(&path, &a).unwrap();
    append_row(&path, &b).unwrap();
    let text = fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0], LeaderboardRow::COLUMNS.join(","));
    assert!(lines[1].starts_with("run-a,2026-11-23T21:15:00Z,unet,"));
    assert!(lines[1].contains(",0.8123456789,"), "{}", lines[1]);
    assert!(lines[1].contains(",0.9731;0.8123;nan,"), "{}", lines[1]);
    assert!(lines[1].ends_with(",deadbeef,ok"));
    assert!(lines[2].ends_with(",failed"));
    assert!(text.ends_with('\n') && !text.contains('\r'));
    let back = read_rows(&path).unwrap();
    let mut a_rounded = a.clone();
    a_rounded.iou_per_class = IouPerClass(vec![Some(0.9731), Some(0.8123), None]);
    assert_eq!(back, [a_rounded, b]);
}

#[test]
fn empty_existing_file_gets_a_header() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lb.csv");
    fs::write(&path, "").unwrap();
    append_row(&path, &row("r", "d", "e", 0, 0.5)).unwrap();
    assert_eq!(read_rows(&path).unwrap().len(), 1);
}

#[test]
fn older_schema_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.csv");
    let n = LeaderboardRow::COLUMNS.len();
    let old_header = LeaderboardRow::COLUMNS[..n - 1].join(",") + ",notes\n";
    fs::write(&path, &old_header).unwrap();
    let err = append_row(&path, &row("r", "d", "e", 0, 0.5)).unwrap_err();
    match &err {
        ResultsError::SchemaMismatch {
            missing,
            unexpected,
            reordered,
            ..
        } => {
            assert_eq!(missing, &["status"]);
            assert_eq!(unexpected, &["notes"]);
            assert!(!reordered);
        }
        other => panic!("unexpected error {other}"),
    }
    let msg = err.to_string();
    assert!(
        msg.contains("old.csv") && msg.contains("move the old file aside"),
        "{msg}"
    );
    assert_eq!(fs::read_to_string(&path).unwrap(), old_header);
    assert!(matches!(
        read_rows(&path),
        Err(ResultsError::SchemaMismatch { .. })
    ));

    let mut cols = LeaderboardRow::COLUMNS.to_vec();
    cols.swap(0, 1);
    fs::write(&path, cols.join(",") + "\n").unwrap();
    assert!(matches!(
        append_row(&path, &row("r", "d", "e", 0, 0.5)),
        Err(ResultsError::SchemaMismatch {
            reordered: true,
            ..
        })
    ));
}

#[test]
fn missing_trailing_newline_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lb.csv");
    append_row(&path, &row("r", "d", "e", 0, 0.5)).unwrap();
    let mut text = fs::read_to_string(&path).unwrap();
    text.pop();
    fs::write(&path, &text).unwrap();
    let err = append_row(&path, &row("r2", "d", "e", 1, 0.5)).unwrap_err();
    assert!(matches!(err, ResultsError::NoTrailingNewline { .. }));
    assert!(err.to_string().contains("lb.csv"));
    assert_eq!(fs::read_to_string(&path).unwrap(), text);
}

#[test]
fn bad_line_error_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lb.csv");
    append_row(&path, &row("r1", "d", "e", 0, 0.5)).unwrap();
    append_row(&path, &row("r2", "d", "e", 1, 0.5)).unwrap();
    let text = fs::read_to_string(&path).unwrap();
    let broken = text
        .replacen(",ok\n", ",maybe\n", 2)
        .replacen(",maybe\n", ",ok\n", 1);
    fs::write(&path, broken).unwrap();
    let err = read_rows(&path).unwrap_err();
    assert!(matches!(err, ResultsError::Parse { line: 3, .. }), "{err}");
    assert!(err.to_string().contains("lb.csv` line 3"), "{err}");
}

#[test]
fn concurrent_appends_never_interleave() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lb.csv");
    std::thread::scope(|s| {
        for t in 0..8 {
            let path = &path;
            s.spawn(move || {
                for i in 0..25 {
                    let id = format!("t{t}-i{i}");
                    append_row(path, &row(&id, "d", "e", i, 0.5 + t as f64 / 100.0)).unwrap();
                }
            });
        }
    });
    let rows = read_rows(&path).unwrap();
    assert_eq!(rows.len(), 200);
    let mut ids: Vec<&str> = rows.iter().map(|r| r.run_id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 200);
    let text = fs::read_to_string(&path).unwrap();
    assert_eq!(text.lines().count(), 201);
    assert_eq!(text.matches("run_id").count(), 1);
}

#[test]
fn append_once_keeps_one_row_per_config_hash_under_concurrency() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lb.csv");
    let cell = |id: &str| LeaderboardRow {
        config_hash: "cafe".into(),
        ..row(id, "d", "e", 1, 0.5)
    };
    // A failed row with the same hash does not count as done.
    append_row(
        &path,
        &LeaderboardRow {
            config_hash: "cafe".into(),
            ..failed_row("failed-before")
        },
    )
    .unwrap();
    let outcomes: Vec<AppendOutcome> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..6)
            .map(|t| {
                let (path, cell) = (&path, &cell);
                s.spawn(move || append_row_once(path, &cell(&format!("r{t}"))).unwrap())
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let appended = outcomes
        .iter()
        .filter(|o| **o == AppendOutcome::Appended)
        .count();
    assert_eq!(appended, 1, "{outcomes:?}");
    let rows = read_rows(&path).unwrap();
    assert_eq!(rows.len(), 2);
    let winner = rows[1].run_id.clone();
    assert!(
        outcomes
            .iter()
            .all(|o| *o == AppendOutcome::Appended
                || *o == AppendOutcome::AlreadyDone(winner.clone()))
    );
    // Another hash is appended as usual.
    let other = LeaderboardRow {
        config_hash: "beef".into(),
        ..row("x", "d", "e", 1, 0.5)
    };
    assert_eq!(
        append_row_once(&path, &other).unwrap(),
        AppendOutcome::Appended
    );
}

#[test]
fn markdown_aggregates_seeds_and_bolds_best() {
    let mut rows = vec![
        row("a0", "burn", "prithvi", 0, 0.80),
        row("a1", "burn", "prithvi", 1, 0.82),
        row("b0", "burn", "unet", 0, 0.7512),
        row("c0", "alpha", "croma", 0, 0.5),
    ];
    // a failed run with a better-looking score must not count
    rows.push(LeaderboardRow {
        miou: Some(0.99),
        status: RunStatus::Failed,
        ..row("f", "burn", "remote", 0, 0.99)
    });
    // an older duplicate of seed 1 is replaced by the newer row
    rows.push(LeaderboardRow {
        time: "2020-01-01T00:00:00Z".to_string(),
        ..row("old", "burn", "prithvi", 1, 0.10)
    });
    let md = render_markdown(&rows);
    assert!(!md.contains("remote"), "{md}");
    let alpha = md.find("## alpha").unwrap();
    let burn = md.find("## burn").unwrap();
    assert!(alpha < burn);
    // mean 81.00, sample std sqrt(2) = 1.41; mF1 86.00 ± 1.41
    let prithvi = md.lines().find(|l| l.contains("prithvi |")).unwrap();
    assert!(prithvi.contains("**81.00 ± 1.41**"), "{prithvi}");
    assert!(prithvi.contains("86.00 ± 1.41"), "{prithvi}");
    assert!(prithvi.contains("95.00 ± 0.00"), "{prithvi}");
    assert!(prithvi.contains("| 2 "), "{prithvi}");
    assert!(
        prithvi.contains("324.00M") && prithvi.contains("41.5"),
        "{prithvi}"
    );
    let unet = md.lines().find(|l| l.contains("| unet")).unwrap();
    assert!(unet.contains("| 75.12 ") && !unet.contains("**"), "{unet}");
    assert!(unet.contains("| 1 "), "{unet}");
    // best model first within its dataset
    assert!(md.find("| prithvi").unwrap() < md.find("| unet").unwrap());
    assert!(md.contains("|---"), "{md}");
    assert_eq!(render_markdown(&[failed_row("x")]), "_No finished runs._\n");
}

#[test]
fn run_id_is_filesystem_safe() {
    let t = UNIX_EPOCH + Duration::from_secs(1_795_468_500);
    assert_eq!(
        new_run_id("unet", "seg_upernet", "hlsburnscars_sample", t, 0x0a1f),
        "20261123-211500-unet-seg_upernet-hlsburnscars_sample-0a1f"
    );
    let id = new_run_id("Prithvi-EO v2.0/300M", "", "a:b", t, 0xffff);
    assert_eq!(id, "20261123-211500-prithvi_eo_v2_0_300m-none-a_b-ffff");
}

#[test]
fn utc_conversion() {
    let at = |s| UtcDateTime::from_unix_seconds(s).rfc3339();
    assert_eq!(at(0), "1970-01-01T00:00:00Z");
    assert_eq!(at(1_795_468_500), "2026-11-23T21:15:00Z");
    assert_eq!(at(1_709_251_199), "2024-02-29T23:59:59Z");
    assert_eq!(at(951_868_800), "2000-03-01T00:00:00Z");
    assert_eq!(at(-2), "1969-12-31T23:59:58Z");
    let before = UNIX_EPOCH - Duration::from_millis(1500);
    assert_eq!(
        UtcDateTime::from_system_time(before).rfc3339(),
        "1969-12-31T23:59:58Z"
    );
}

#[test]
fn iou_cell_round_trip() {
    let v = IouPerClass(vec![Some(0.5), None, Some(1.0)]);
    assert_eq!(v.to_cell(), "0.5000;nan;1.0000");
    assert_eq!(IouPerClass::from_cell("0.5000;nan;1.0000").unwrap(), v);
    assert_eq!(IouPerClass::from_cell("").unwrap(), IouPerClass::default());
    assert!(IouPerClass::from_cell("0.5;x").is_err());
}

#[test]
fn run_record_json_round_trip_and_no_temp_files() {
    let mut cm = ConfusionMatrix::new(2).unwrap();
    cm.update(&[0, 1, 1, 0], &[0, 1, 0, 0], None).unwrap();
    let metrics = cm
        .metrics()
        .unwrap()
        .with_class_names(vec!["background".into(), "burn".into()])
        .unwrap();
    let record = RunRecord {
        row: row("run-a", "hlsburnscars", "unet", 0, metrics.miou),
        val_best: Some(metrics.clone()),
        test: Some(metrics),
        history: vec![
            EpochRecord {
                epoch: 0,
                train_loss: None,
                val_miou: Some(0.1),
                lr: 1e-4,
                seconds: 3.5,
                data_wait_s: None,
                encoder_s: None,
            },
            EpochRecord {
                epoch: 1,
                train_loss: Some(0.7),
                val_miou: None,
                lr: 1e-4,
                seconds: 60.0,
                data_wait_s: Some(0.4),
                encoder_s: None,
            },
        ],
        best_epoch: Some(0),
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("runs/run-a/metrics.json");
    record.write(&path).unwrap();
    record.write(&path).unwrap(); // overwrite in place
    let text = fs::read_to_string(&path).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["run_id"], "run-a");
    assert_eq!(json["test"]["class_names"][1], "burn");
    let mut back = RunRecord::read(&path).unwrap();
    back.row.iou_per_class = record.row.iou_per_class.clone(); // stored with 4 decimals
    assert_eq!(back, record);
    let entries: Vec<_> = fs::read_dir(path.parent().unwrap()).unwrap().collect();
    assert_eq!(entries.len(), 1, "temporary file left behind");
    let err = read_json::<RunRecord>(Path::new("/nonexistent/metrics.json")).unwrap_err();
    assert!(err.to_string().contains("/nonexistent/metrics.json"));
}

#[test]
fn resume_key_ignores_results() {
    let a = row("a", "d", "e", 3, 0.5);
    let b = LeaderboardRow {
        run_id: "b".into(),
        miou: Some(0.9),
        ..a.clone()
    };
    assert_eq!(a.resume_key(), b.resume_key());
    assert_ne!(a.resume_key(), row("c", "d", "e", 4, 0.5).resume_key());
}

#[test]
fn protocol_tables_cross_models_with_protocols() {
    let mut rows = Vec::new();
    for (id, enc, proto, seed, miou) in [
        ("a", "dofa", "frozen", 1, 0.60),
        ("b", "dofa", "frozen", 2, 0.64),
        ("c", "dofa", "finetune", 1, 0.70),
        ("d", "prithvi", "frozen", 1, 0.66),
        ("e", "prithvi", "random", 1, 0.50),
    ] {
        rows.push(LeaderboardRow {
            protocol: proto.into(),
            miou_ci_low: Some(miou - 0.02),
            miou_ci_high: Some(miou + 0.02),
            ..row(id, "burn", enc, seed, miou)
        });
    }
    rows.push(LeaderboardRow {
        status: RunStatus::Failed,
        protocol: "finetune".into(),
        ..row("f", "burn", "prithvi", 1, 0.99)
    });
    let tables = protocol_tables(&rows);
    assert_eq!(tables.len(), 1);
    let t = &tables[0];
    assert_eq!(t.protocols, ["frozen", "finetune", "random"]);
    assert_eq!(t.rows.len(), 2, "{:?}", t.rows);
    let dofa_frozen = &t.cells[&(0, "frozen".to_string())];
    assert!((dofa_frozen.mean - 62.0).abs() < 1e-9);
    assert_eq!(dofa_frozen.seeds, 2);
    let (lo, hi) = dofa_frozen.ci.unwrap();
    assert!((lo - 60.0).abs() < 1e-9 && (hi - 64.0).abs() < 1e-9);
    let md = render_protocol_tables(&rows);
    assert!(
        md.contains("| Encoder + decoder | frozen | finetune | random |"),
        "{md}"
    );
    assert!(md.contains("**66.00** [64.0–68.0] (1)"), "{md}");
    assert!(md.contains("62.00 ± 2.83 [60.0–64.0] (2)"), "{md}");
    assert!(!md.contains("99.00"), "failed rows never count: {md}");
}
