use eobench_core::component::{ComponentError, DecoderContext};

/// The checks every decoder makes before building: the encoder declares at least one output
/// map, one positive width and stride per map, and the dataset has classes. Errors name the
/// decoder and the encoder; a decoder adds its own layout rules after this.
pub fn check_decoder_input(decoder: &str, ctx: &DecoderContext) -> Result<(), ComponentError> {
    let enc = ctx.encoder;
    let (dims, strides) = (&enc.output_dims, &enc.output_strides);
    if dims.is_empty() {
        return Err(ComponentError::Shape {
            component: format!("decoder '{decoder}'"),
            message: format!(
                "encoder '{}' declares no output maps; need at least one map",
                enc.name
            ),
        });
    }
    if strides.len() != dims.len() || dims.contains(&0) || strides.contains(&0) {
        return Err(ComponentError::Shape {
            component: format!("decoder '{decoder}'"),
            message: format!(
                "encoder '{}' declares dims {dims:?} and strides {strides:?}; need one positive \
                 width and stride per map",
                enc.name
            ),
        });
    }
    if ctx.num_classes == 0 {
        return Err(ComponentError::Config {
            component: format!("decoder '{decoder}'"),
            message: "num_classes is 0".into(),
        });
    }
    Ok(())
}
