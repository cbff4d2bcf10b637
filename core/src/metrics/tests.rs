//! Hand-computed checks of every metric, including the orientation that Pangaea got wrong.

use super::*;

fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-12, "{a} != {b}");
}

fn close_opt(a: Option<f64>, b: f64) {
    close(a.expect("class should be present"), b);
}

/// target 0 0 0 0 1 1 1 2 2 2 / pred 0 0 1 2 1 1 0 2 2 1
/// rows (target): [2 1 1] [1 2 0] [0 1 2]; row sums 4 3 3; column sums 3 4 3.
fn three_class() -> ConfusionMatrix {
    let target = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2];
    let pred = [0, 0, 1, 2, 1, 1, 0, 2, 2, 1];
    let mut cm = ConfusionMatrix::new(3).unwrap();
    cm.update(&pred, &target, None).unwrap();
    cm
}

#[test]
fn matrix_rows_are_target_columns_are_prediction() {
    let cm = three_class();
    assert_eq!(cm.counts(), &[2, 1, 1, 1, 2, 0, 0, 1, 2]);
    assert_eq!(cm.get(1, 0), 1); // target 1 predicted as 0 (pixel 6)
    assert_eq!(cm.get(0, 2), 1); // target 0 predicted as 2 (pixel 3)
    assert_eq!(cm.get(2, 0), 0);
    assert_eq!(cm.total(), 10);
    assert_eq!(
        (0..3).map(|c| cm.target_count(c)).collect::<Vec<_>>(),
        [4, 3, 3]
    );
    assert_eq!(
        (0..3).map(|c| cm.predicted_count(c)).collect::<Vec<_>>(),
        [3, 4, 3]
    );
}

#[test]
fn every_metric_by_hand() {
    let m = three_class().metrics().unwrap();
    // class 0: TP 2, FN 2, FP 1; class 1: TP 2, FN 1, FP 2; class 2: TP 2, FN 1, FP 1
    let iou = [2.0 / 5.0, 2.0 / 5.0, 2.0 / 4.0];
    let precision = [2.0 / 3.0, 2.0 / 4.0, 2.0 / 3.0];
    let recall = [2.0 / 4.0, 2.0 / 3.0, 2.0 / 3.0];
    let f1 = [4.0 / 7.0, 4.0 / 7.0, 4.0 / 6.0];
    for c in 0..3 {
        close_opt(m.iou[c], iou[c]);
        close_opt(m.precision[c], precision[c]);
        close_opt(m.recall[c], recall[c]);
        close_opt(m.f1[c], f1[c]);
        let (p, r) = (precision[c], recall[c]);
        close(f1[c], 2.0 * p * r / (p + r));
    }
    assert_eq!(m.support, [4, 3, 3]);
    assert_eq!(m.total_pixels, 10);
    close(m.miou, 1.3 / 3.0);
    close(m.mf1, (4.0 / 7.0 + 4.0 / 7.0 + 2.0 / 3.0) / 3.0);
    close(m.mprecision, 11.0 / 18.0);
    close(m.mrecall, 11.0 / 18.0);
    close(m.oa, 0.6);
    close(m.macc, 11.0 / 18.0);
}

#[test]
fn precision_and_recall_are_not_swapped() {
    // rows (target): [4 0 0] [0 3 0] [2 0 1]: class 2 is under-predicted (low recall),
    // class 0 over-predicted (low precision).
    let target = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2];
    let pred = [0, 0, 0, 0, 1, 1, 1, 0, 0, 2];
    let mut cm = ConfusionMatrix::new(3).unwrap();
    cm.update(&pred, &target, None).unwrap();
    let m = cm.metrics().unwrap();
    close_opt(m.precision[0], 4.0 / 6.0);
    close_opt(m.recall[0], 1.0);
    close_opt(m.precision[2], 1.0);
    close_opt(m.recall[2], 1.0 / 3.0);
    close(m.mprecision, 8.0 / 9.0);
    close(m.mrecall, 7.0 / 9.0);
    close(m.macc, 7.0 / 9.0);
}

#[test]
fn ignored_pixels_are_skipped_even_with_invalid_predictions() {
    let mut cm = ConfusionMatrix::new(2).unwrap();
    cm.update(&[0, 99, 1, -3], &[0, 255, 1, 255], Some(255))
        .unwrap();
    assert_eq!(cm.counts(), &[1, 0, 0, 1]);
    let m = cm.metrics().unwrap();
    close(m.miou, 1.0);
    close(m.oa, 1.0);
}

#[test]
fn out_of_range_labels_are_errors_and_leave_matrix_unchanged() {
    let mut cm = ConfusionMatrix::new(2).unwrap();
    let err = cm.update(&[0, 1], &[0, 2], Some(255)).unwrap_err();
    assert_eq!(
        err,
        MetricsError::TargetOutOfRange {
            value: 2,
            index: 1,
            num_classes: 2,
            ignore_index: Some(255)
        }
    );
    assert!(err.to_string().contains("target label 2"));
    let err = cm.update(&[0, -1], &[0, 1], None).unwrap_err();
    assert!(matches!(
        err,
        MetricsError::PredictionOutOfRange {
            value: -1,
            index: 1,
            ..
        }
    ));
    // 255 is only skipped when it is the ignore index
    assert!(cm.update(&[0], &[255], None).is_err());
    assert!(matches!(
        cm.update(&[0, 1], &[0], None),
        Err(MetricsError::LengthMismatch { pred: 2, target: 1 })
    ));
    assert_eq!(cm.total(), 0);
}

#[test]
fn empty_matrix_is_an_error() {
    let mut cm = ConfusionMatrix::new(3).unwrap();
    cm.update(&[1, 2], &[255, 255], Some(255)).unwrap();
    assert_eq!(cm.metrics().unwrap_err(), MetricsError::Empty);
    assert_eq!(
        ConfusionMatrix::new(0).unwrap_err(),
        MetricsError::NoClasses
    );
}

#[test]
fn absent_classes_are_left_out_of_means() {
    // class 3 appears nowhere; class 2 is predicted once but never in the target.
    let target = [0, 0, 1, 1];
    let pred = [0, 0, 1, 2];
    let mut cm = ConfusionMatrix::new(4).unwrap();
    cm.update(&pred, &target, None).unwrap();
    let m = cm.metrics().unwrap();
    assert_eq!(m.iou[3], None);
    assert_eq!(m.f1[3], None);
    // class 2: TP 0, FP 1, FN 0 -> present, scored 0 everywhere
    close_opt(m.iou[2], 0.0);
    close_opt(m.precision[2], 0.0);
    close_opt(m.recall[2], 0.0);
    // class 1: TP 1, FN 1 -> IoU 1/2, P 1, R 1/2
    close(m.miou, (1.0 + 0.5 + 0.0) / 3.0);
    close(m.mprecision, (1.0 + 1.0 + 0.0) / 3.0);
    close(m.mrecall, (1.0 + 0.5 + 0.0) / 3.0);
    // mAcc only over classes in the target (0 and 1)
    close(m.macc, 0.75);
    close(m.oa, 0.75);
    for v in [m.miou, m.mf1, m.mprecision, m.mrecall, m.oa, m.macc] {
        assert!(v.is_finite());
    }
}

#[test]
fn excluded_class_keeps_values_but_leaves_means() {
    let cm = three_class();
    let m = SegmentationMetrics::from_confusion(&cm, &[0]).unwrap();
    close_opt(m.iou[0], 0.4);
    close(m.miou, 0.45);
    close(m.macc, (2.0 / 3.0 + 2.0 / 3.0) / 2.0);
    close(m.oa, 0.6);
    assert_eq!(m.excluded_classes, [0]);
    assert!(matches!(
        SegmentationMetrics::from_confusion(&cm, &[3]),
        Err(MetricsError::ExcludedClassOutOfRange { class: 3, .. })
    ));
}

#[test]
fn merge_adds_counts() {
    let mut a = three_class();
    let b = three_class();
    a.merge(&b).unwrap();
    assert_eq!(a.total(), 20);
    assert_eq!(a.metrics().unwrap().miou, b.metrics().unwrap().miou);
    let other = ConfusionMatrix::new(2).unwrap();
    assert!(matches!(
        a.merge(&other),
        Err(MetricsError::ClassCountMismatch { this: 3, other: 2 })
    ));
    let rebuilt = ConfusionMatrix::from_counts(3, b.counts().to_vec()).unwrap();
    assert_eq!(rebuilt, b);
    assert!(ConfusionMatrix::from_counts(3, vec![0; 8]).is_err());
}

#[test]
fn class_names_and_json_round_trip() {
    let m = three_class()
        .metrics()
        .unwrap()
        .with_class_names(vec!["a".into(), "b".into(), "c".into()])
        .unwrap();
    let json = serde_json::to_string(&m).unwrap();
    let back: SegmentationMetrics = serde_json::from_str(&json).unwrap();
    assert_eq!(back, m);
    assert!(matches!(
        m.with_class_names(vec!["a".into()]),
        Err(MetricsError::ClassNamesLength {
            names: 1,
            num_classes: 3
        })
    ));
    // absent classes serialise as null and come back as None
    let mut cm = ConfusionMatrix::new(2).unwrap();
    cm.update(&[0], &[0], None).unwrap();
    let m = cm.metrics().unwrap();
    let back: SegmentationMetrics =
        serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
    assert_eq!(back.iou, [Some(1.0), None]);
}
