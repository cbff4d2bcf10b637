//! Tile-by-tile decoding of tiled, band-separate (PlanarConfiguration=2) images.
//!
//! Works around a `tiff` 0.11.3 bug: it computes a tile's edge padding from the *global*
//! chunk index instead of the index within its plane, so for planes after the first the
//! bottom row of partial tiles is treated as full height and `read_image_to_buffer`
//! overruns (an assertion panic; with planes in the middle it would overwrite the next
//! plane's first rows). Here each tile is decoded into a scratch buffer large enough for a
//! full tile and only its valid rows/columns are copied out.

use std::io::{Read, Seek};

use tiff::TiffResult;
use tiff::decoder::Decoder;

/// Largest single-band tile accepted (GDAL's largest default tiles are 512×512×8 B = 2 MiB).
const MAX_TILE_BYTES: usize = 1 << 30;

/// Decodes all planes of a tiled planar image into native-endian (C,H,W) bytes.
/// Returns `Ok(None)` if the tile grid is inconsistent (the caller reports corruption).
pub(crate) fn decode_tiled_planar<R: Read + Seek>(
    decoder: &mut Decoder<R>,
    bands: usize,
    height: usize,
    width: usize,
    sample_bytes: usize,
) -> TiffResult<Option<Vec<u8>>> {
    let (tw, th) = decoder.chunk_dimensions();
    let (tw, th) = (tw as usize, th as usize);
    // A corrupt tile size must not trigger a giant scratch allocation.
    let tile_bytes = tw.checked_mul(th).and_then(|n| n.checked_mul(sample_bytes));
    if tw == 0 || th == 0 || tile_bytes.is_none_or(|n| n > MAX_TILE_BYTES) {
        return Ok(None);
    }
    let (across, down) = (width.div_ceil(tw), height.div_ceil(th));
    let per_plane = across * down;
    if decoder.tile_count()? as usize != per_plane * bands {
        return Ok(None);
    }
    let mut out = vec![0u8; bands * height * width * sample_bytes];
    let mut scratch = vec![0u8; tw * th * sample_bytes];
    for band in 0..bands {
        for ty in 0..down {
            for tx in 0..across {
                let chunk = (band * per_plane + ty * across + tx) as u32;
                // What the decoder will write: rows of `cw` samples, `ch` rows (possibly the
                // full tile height because of the bug above).
                let (cw, ch) = decoder.chunk_data_dimensions(chunk);
                let (cw, ch) = (cw as usize, ch as usize);
                let real_w = tw.min(width - tx * tw);
                let real_h = th.min(height - ty * th);
                if cw < real_w || ch < real_h || cw > tw || ch > th {
                    return Ok(None);
                }
                decoder.read_chunk_bytes(chunk, &mut scratch)?;
                for row in 0..real_h {
                    let src = &scratch[row * cw * sample_bytes..][..real_w * sample_bytes];
                    let y = ty * th + row;
                    let dst_at = ((band * height + y) * width + tx * tw) * sample_bytes;
                    out[dst_at..dst_at + real_w * sample_bytes].copy_from_slice(src);
                }
            }
        }
    }
    Ok(Some(out))
}
