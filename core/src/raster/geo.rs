//! GeoTIFF georeferencing: ModelPixelScale, ModelTiepoint and the GeoKeyDirectory.
//!
//! Hand-rolled (≈100 lines) instead of the `geotiff` crate, which pins an old `tiff`.

use super::error::RasterError;

/// GeoKey ids used here (GeoTIFF 1.0 spec, section 6.2).
pub(crate) const GT_MODEL_TYPE: u16 = 1024;
pub(crate) const GT_RASTER_TYPE: u16 = 1025;
pub(crate) const GEOGRAPHIC_TYPE: u16 = 2048;
pub(crate) const PROJECTED_CS_TYPE: u16 = 3072;
/// GeoKey value meaning "user-defined", i.e. no EPSG code.
const USER_DEFINED: u16 = 32767;
const PIXEL_IS_POINT: u16 = 2;

/// Where a raster sits on Earth, as stored in the file.
///
/// Keeps the raw tag values (not only a derived transform) so a raster can be written back
/// unchanged and odd files can be inspected; [`GeoReference::transform`] gives the affine.
#[derive(Debug, Clone, PartialEq)]
pub struct GeoReference {
    /// EPSG code from ProjectedCSTypeGeoKey (3072), else GeographicTypeGeoKey (2048);
    /// `None` when user-defined or absent.
    pub epsg: Option<u32>,
    /// ModelPixelScale (sx, sy, sz): pixel size in CRS units; sy is positive for north-up.
    pub pixel_scale: [f64; 3],
    /// First ModelTiepoint (i, j, k, x, y, z): raster point (i, j) maps to CRS point (x, y).
    pub tiepoint: [f64; 6],
    /// The whole GeoKeyDirectory as stored (header + 4-tuples), for keys not decoded here.
    pub geo_keys: Vec<u16>,
}

impl GeoReference {
    /// A north-up georeference with the top-left corner of pixel (0, 0) at
    /// (`origin_x`, `origin_y`), as synthetic HLS fixtures need (e.g. EPSG 326xx, 30 m).
    /// EPSG 4000–4999 is treated as geographic (lat/lon), anything else as projected.
    pub fn new(
        epsg: u32,
        origin_x: f64,
        origin_y: f64,
        pixel_size_x: f64,
        pixel_size_y: f64,
    ) -> Result<GeoReference, RasterError> {
        Ok(GeoReference {
            epsg: Some(epsg),
            pixel_scale: [pixel_size_x, pixel_size_y, 0.0],
            tiepoint: [0.0, 0.0, 0.0, origin_x, origin_y, 0.0],
            geo_keys: key_directory(Some(epsg), 1)?,
        })
    }

    /// Value of a GeoKey stored inline in the directory (location 0), if present.
    pub fn geo_key(&self, id: u16) -> Option<u16> {
        self.geo_keys
            .get(4..)?
            .chunks_exact(4)
            .find(|k| k[0] == id && k[1] == 0 && k[2] == 1)
            .map(|k| k[3])
    }

    /// Whether the CRS is geographic (degrees) rather than projected (metres).
    pub fn is_geographic(&self) -> bool {
        self.geo_key(PROJECTED_CS_TYPE).is_none() && self.geo_key(GEOGRAPHIC_TYPE).is_some()
    }

    /// CRS coordinates of the top-left corner of pixel (0, 0). For PixelIsPoint rasters the
    /// tiepoint marks a pixel centre, so it is shifted by half a pixel (as GDAL does).
    pub fn origin(&self) -> (f64, f64) {
        let [sx, sy, _] = self.pixel_scale;
        let [i, j, _, x, y, _] = self.tiepoint;
        let (mut x0, mut y0) = (x - i * sx, y + j * sy);
        if self.geo_key(GT_RASTER_TYPE) == Some(PIXEL_IS_POINT) {
            x0 -= 0.5 * sx;
            y0 += 0.5 * sy;
        }
        (x0, y0)
    }

    /// GDAL-order affine `[x0, sx, 0, y0, 0, -sy]`: x = t0 + col*t1, y = t3 + row*t5.
    pub fn transform(&self) -> [f64; 6] {
        let (x0, y0) = self.origin();
        [x0, self.pixel_scale[0], 0.0, y0, 0.0, -self.pixel_scale[1]]
    }
}

/// Builds a GeoKeyDirectory: GTModelType (1 projected / 2 geographic), GTRasterType and
/// the EPSG key. Codes must fit the SHORT GeoKey value.
pub(crate) fn key_directory(epsg: Option<u32>, raster_type: u16) -> Result<Vec<u16>, RasterError> {
    let mut keys: Vec<[u16; 4]> = Vec::new();
    if let Some(code) = epsg {
        let code = u16::try_from(code)
            .ok()
            .filter(|&c| c != 0 && c != USER_DEFINED)
            .ok_or_else(|| RasterError::Encode {
                detail: format!("EPSG code {code} cannot be stored in a GeoKey (1..32766)"),
            })?;
        let geographic = (4000..5000).contains(&code);
        let model = if geographic { 2 } else { 1 };
        let crs_key = if geographic {
            GEOGRAPHIC_TYPE
        } else {
            PROJECTED_CS_TYPE
        };
        keys.push([GT_MODEL_TYPE, 0, 1, model]);
        keys.push([GT_RASTER_TYPE, 0, 1, raster_type]);
        keys.push([crs_key, 0, 1, code]);
    } else {
        keys.push([GT_RASTER_TYPE, 0, 1, raster_type]);
    }
    let mut dir = vec![1, 1, 0, keys.len() as u16];
    dir.extend(keys.iter().flatten());
    Ok(dir)
}

/// Interprets the raw geo tags. `Ok(None)` when the file has no pixel-to-CRS mapping;
/// `Err((tag, detail))` when a tag is present but malformed.
pub(crate) fn parse(
    scale: Option<Vec<f64>>,
    tiepoint: Option<Vec<f64>>,
    transformation: Option<Vec<f64>>,
    keys: Option<Vec<u16>>,
) -> Result<Option<GeoReference>, (&'static str, String)> {
    let geo_keys = keys.unwrap_or_default();
    if !geo_keys.is_empty() {
        let n = geo_keys.get(3).copied().unwrap_or(0) as usize;
        if geo_keys.len() < 4 || geo_keys.len() < 4 + 4 * n {
            let detail = format!("{} values cannot hold {n} keys", geo_keys.len());
            return Err(("GeoKeyDirectory", detail));
        }
    }
    let (pixel_scale, tiepoint) = match (scale, tiepoint, transformation) {
        (Some(s), Some(t), _) => {
            if s.len() < 2 {
                return Err(("ModelPixelScale", format!("{} values, need 3", s.len())));
            }
            if t.len() < 6 {
                return Err(("ModelTiepoint", format!("{} values, need 6", t.len())));
            }
            let sz = s.get(2).copied().unwrap_or(0.0);
            ([s[0], s[1], sz], [t[0], t[1], t[2], t[3], t[4], t[5]])
        }
        (_, _, Some(m)) => {
            if m.len() < 16 {
                return Err((
                    "ModelTransformation",
                    format!("{} values, need 16", m.len()),
                ));
            }
            if m[1] != 0.0 || m[4] != 0.0 {
                let detail =
                    "rotated/sheared rasters are not supported; warp to north-up with gdalwarp";
                return Err(("ModelTransformation", detail.to_string()));
            }
            ([m[0], -m[5], m[10]], [0.0, 0.0, 0.0, m[3], m[7], m[11]])
        }
        _ => return Ok(None),
    };
    let mut geo = GeoReference {
        epsg: None,
        pixel_scale,
        tiepoint,
        geo_keys,
    };
    // A user-defined projection over an EPSG geographic base is *not* that base CRS, so
    // only fall back to key 2048 when there is no projected key at all.
    geo.epsg = geo
        .geo_key(PROJECTED_CS_TYPE)
        .or_else(|| geo.geo_key(GEOGRAPHIC_TYPE))
        .filter(|&v| v != 0 && v != USER_DEFINED)
        .map(u32::from);
    Ok(Some(geo))
}
