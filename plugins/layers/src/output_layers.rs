/// Checks a ViT encoder's `output_layers` against its depth: non-empty, every block exists,
/// strictly increasing. Every ViT-style encoder config validates this the same way, with the
/// same messages.
pub fn check_output_layers(output_layers: &[usize], depth: usize) -> Result<(), String> {
    if output_layers.is_empty() {
        return Err("output_layers is empty; list the blocks to output, e.g. [3, 5, 7, 11]".into());
    }
    if let Some(bad) = output_layers.iter().find(|l| **l >= depth) {
        return Err(format!(
            "output_layers: block {bad} does not exist (depth {depth}, blocks 0..{})",
            depth.saturating_sub(1)
        ));
    }
    if output_layers.windows(2).any(|w| w[0] >= w[1]) {
        return Err(format!(
            "output_layers {output_layers:?} must be strictly increasing"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_output_layers;

    #[test]
    fn output_layers_must_exist_and_increase() {
        assert!(check_output_layers(&[3, 5, 7, 11], 12).is_ok());
        assert!(check_output_layers(&[], 12).unwrap_err().contains("empty"));
        assert!(
            check_output_layers(&[3, 12], 12)
                .unwrap_err()
                .contains("block 12 does not exist")
        );
        assert!(
            check_output_layers(&[5, 3], 12)
                .unwrap_err()
                .contains("strictly increasing")
        );
    }
}
