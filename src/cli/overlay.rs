//! Prediction overlays: one PNG per kept test scene with three panels side by side — an RGB
//! composite of the input, the ground truth and the prediction — so a reader sees at a glance
//! what a model gets wrong, which a single mIoU hides.

use std::io::BufWriter;
use std::path::Path;

use anyhow::Context;
use eobench_core::engine::ScenePrediction;
use eobench_core::sample::ModalityData;

/// Class colours (class 0 dark grey as "background", then saturated distinct hues).
const PALETTE: [[u8; 3]; 10] = [
    [40, 40, 40],
    [230, 25, 75],
    [60, 180, 75],
    [255, 225, 25],
    [0, 130, 200],
    [245, 130, 48],
    [145, 30, 180],
    [70, 240, 240],
    [240, 50, 230],
    [210, 245, 60],
];
/// Pixels whose label is the ignore index (or any label outside the palette's classes).
const IGNORED: [u8; 3] = [255, 255, 255];
const GAP: usize = 4;
/// Small scenes are enlarged (nearest neighbour) to at least this many pixels per panel.
const MIN_PANEL: usize = 192;

/// Writes `path` for one scene; `num_classes` decides which labels are drawn as ignored.
pub fn write_overlay(
    path: &Path,
    scene: &ScenePrediction,
    num_classes: usize,
) -> anyhow::Result<()> {
    let target = scene
        .sample
        .target
        .as_ref()
        .context("the scene has no target")?;
    let (h, w) = (target.height, target.width);
    let modality = scene
        .sample
        .modalities
        .first()
        .context("the scene has no input modality")?;
    let rgb = rgb_composite(modality);
    let truth = labels_to_rgb(&target.data, num_classes);
    let pred = labels_to_rgb(&scene.prediction, num_classes);
    let scale = MIN_PANEL.div_ceil(h.max(w)).max(1);
    let (ph, pw) = (h * scale, w * scale);
    let width = 3 * pw + 2 * GAP;
    let mut canvas = vec![255u8; width * ph * 3];
    for (panel, pixels) in [rgb, truth, pred].iter().enumerate() {
        let x0 = panel * (pw + GAP);
        for y in 0..ph {
            for x in 0..pw {
                let src = ((y / scale) * w + x / scale) * 3;
                let dst = (y * width + x0 + x) * 3;
                canvas[dst..dst + 3].copy_from_slice(&pixels[src..src + 3]);
            }
        }
    }
    let file =
        std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut encoder = png::Encoder::new(BufWriter::new(file), width as u32, ph as u32);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder
        .write_header()
        .with_context(|| format!("cannot write {}", path.display()))?;
    writer
        .write_image_data(&canvas)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Indices of the bands nearest to red, green and blue (by wavelength); without wavelengths
/// the first three bands (or one band as grey).
fn rgb_bands(m: &ModalityData) -> [usize; 3] {
    let c = m.bands.len();
    let nearest = |target: f64| {
        m.bands
            .iter()
            .enumerate()
            .filter_map(|(i, b)| b.wavelength_um.map(|wl| (i, (wl - target).abs())))
            .filter(|(_, d)| *d < 0.08)
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(i, _)| i)
    };
    match (nearest(0.665), nearest(0.56), nearest(0.49)) {
        (Some(r), Some(g), Some(b)) => [r, g, b],
        _ if c >= 3 => [0, 1, 2],
        _ => [0, 0, 0],
    }
}

/// First frame, three bands, each stretched between its 2nd and 98th percentile.
fn rgb_composite(m: &ModalityData) -> Vec<u8> {
    let plane = m.height * m.width;
    let mut out = vec![0u8; plane * 3];
    for (ch, band) in rgb_bands(m).into_iter().enumerate() {
        let values = &m.data[band * plane..(band + 1) * plane];
        let mut finite: Vec<f32> = values.iter().copied().filter(|v| v.is_finite()).collect();
        if finite.is_empty() {
            continue;
        }
        finite.sort_by(f32::total_cmp);
        let lo = finite[finite.len() * 2 / 100];
        let hi = finite[(finite.len() * 98 / 100).min(finite.len() - 1)];
        let span = (hi - lo).max(f32::EPSILON);
        for (i, v) in values.iter().enumerate() {
            let t = if v.is_finite() {
                ((v - lo) / span).clamp(0.0, 1.0)
            } else {
                0.0
            };
            out[i * 3 + ch] = (t * 255.0).round() as u8;
        }
    }
    out
}

fn labels_to_rgb(labels: &[i64], num_classes: usize) -> Vec<u8> {
    labels
        .iter()
        .flat_map(|&l| {
            if l >= 0 && (l as usize) < num_classes {
                PALETTE[l as usize % PALETTE.len()]
            } else {
                IGNORED
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use eobench_core::bands::Band;
    use eobench_core::sample::{Sample, TargetMask};

    fn band(name: &str, wl: f64) -> Band {
        Band {
            name: name.into(),
            wavelength_um: Some(wl),
            gsd_m: None,
            unit: None,
        }
    }

    #[test]
    fn writes_three_panels_with_truth_and_prediction_colours() {
        let (h, w) = (8, 8);
        let bands = vec![
            band("B2", 0.49),
            band("B3", 0.56),
            band("B4", 0.665),
            band("B8", 0.86),
        ];
        let data: Vec<f32> = (0..4 * h * w).map(|i| i as f32).collect();
        let scene = ScenePrediction {
            sample: Sample {
                id: "s".into(),
                modalities: vec![ModalityData {
                    name: "optical".into(),
                    bands,
                    frames: 1,
                    height: h,
                    width: w,
                    data,
                    dates: vec![],
                    nodata: None,
                }],
                target: Some(TargetMask {
                    height: h,
                    width: w,
                    data: (0..h * w)
                        .map(|i| if i == 0 { -1 } else { (i % 2) as i64 })
                        .collect(),
                }),
            },
            prediction: vec![1; h * w],
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.png");
        write_overlay(&path, &scene, 2).unwrap();
        let decoder =
            png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&path).unwrap()));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        let scale = MIN_PANEL.div_ceil(8);
        assert_eq!(info.height as usize, h * scale);
        assert_eq!(info.width as usize, 3 * w * scale + 2 * GAP);
        let px = |x: usize, y: usize| {
            let i = (y * info.width as usize + x) * 3;
            [buf[i], buf[i + 1], buf[i + 2]]
        };
        let pw = w * scale;
        assert_eq!(px(pw + GAP, 0), IGNORED, "ignored label drawn white");
        assert_eq!(px(pw + GAP + scale, 0), PALETTE[1]);
        assert_eq!(px(2 * (pw + GAP), 0), PALETTE[1], "prediction panel");
        assert_eq!(
            rgb_bands(&scene.sample.modalities[0]),
            [2, 1, 0],
            "R=B4, G=B3, B=B2"
        );
    }
}
