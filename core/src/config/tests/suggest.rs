use crate::config::suggest;

#[test]
fn suggests_closest_option() {
    assert_eq!(suggest("vt", &["unet", "vit"]).as_deref(), Some("vit"));
    assert_eq!(
        suggest("n_epoch", &["lr", "n_epochs"]).as_deref(),
        Some("n_epochs")
    );
}

#[test]
fn counts_a_transposition_as_one_edit() {
    assert_eq!(suggest("ivt", &["vit", "unet"]).as_deref(), Some("vit"));
    assert_eq!(
        suggest("n_epcohs", &["n_epochs", "ckpt_dir"]).as_deref(),
        Some("n_epochs")
    );
}

#[test]
fn ignores_case() {
    assert_eq!(suggest("UNET", &["unet", "vit"]).as_deref(), Some("unet"));
}

#[test]
fn offers_nothing_when_far_or_empty() {
    assert_eq!(suggest("xyz", &["unet", "vit"]), None);
    assert_eq!(suggest("resnet", &["unet"]), None);
    assert_eq!(suggest("vit", &[]), None);
}

#[test]
fn prefers_smaller_distance_then_earlier_option() {
    assert_eq!(
        suggest("vit", &["vat", "vit_l", "vit"]).as_deref(),
        Some("vit")
    );
    assert_eq!(suggest("vit", &["vat", "vot"]).as_deref(), Some("vat"));
}
