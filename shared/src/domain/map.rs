//! A small map of the driver's position, drawn by the server: the web map tiles (256-pixel
//! Web Mercator squares, `{z}/{x}/{y}`) around the position, placed in a fixed frame with the
//! driver's marker at its centre. No script: the page shows it as plain images and a reload
//! moves it. Tiles come from the deployment's URL template (`MapTileUrlTemplate`, e.g. Amazon
//! Location Service or a self-hosted tile server), credited with `MapAttribution`.

/// The map's frame, in CSS pixels.
pub const WIDTH: i64 = 320;
pub const HEIGHT: i64 = 200;
/// Street level.
pub const ZOOM: u32 = 15;
const TILE: i64 = 256;

/// Where tiles come from: a URL template with `{z}`, `{x}` and `{y}`, and its attribution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapTiles {
    template: String,
    pub attribution: String,
}

impl MapTiles {
    /// `https://…` (or `http://127.0.0.1…` / `http://localhost…`, a local tile stub) with
    /// `{z}`, `{x}` and `{y}`, without spaces or quotes; an attribution of one line.
    pub fn parse(template: &str, attribution: &str) -> Result<Self, String> {
        let template = template.trim();
        let local = ["http://127.0.0.1", "http://localhost"]
            .iter()
            .any(|p| template.starts_with(p));
        if !(template.starts_with("https://") || local)
            || ["{z}", "{x}", "{y}"].iter().any(|v| !template.contains(v))
            || template.chars().any(|c| {
                c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '<' | '>' | '\\')
            })
        {
            return Err(
                "MAP_TILE_URL_TEMPLATE must be an https:// URL with {z}, {x} and {y}".into(),
            );
        }
        if attribution.chars().any(char::is_control) {
            return Err("MAP_ATTRIBUTION must be one line".into());
        }
        Ok(Self {
            template: template.to_string(),
            attribution: attribution.trim().to_string(),
        })
    }

    /// The origin tiles come from (`https://tiles.example`), for the page's image policy.
    pub fn origin(&self) -> String {
        let rest = self
            .template
            .split_once("://")
            .map(|(_, r)| r)
            .unwrap_or("");
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        let scheme = self.template.split("://").next().unwrap_or("https");
        format!("{scheme}://{host}")
    }

    fn url(&self, z: u32, x: i64, y: i64) -> String {
        self.template
            .replace("{z}", &z.to_string())
            .replace("{x}", &x.to_string())
            .replace("{y}", &y.to_string())
    }

    /// The tiles that fill the frame around (`lat`, `lng`), the position at its centre.
    pub fn around(&self, lat: f64, lng: f64) -> MapView {
        let n = 1i64 << ZOOM;
        let world = (n * TILE) as f64;
        let px = (lng + 180.0) / 360.0 * world;
        let lat = lat.clamp(-85.0511, 85.0511).to_radians();
        let py = (1.0 - lat.tan().asinh() / std::f64::consts::PI) / 2.0 * world;
        let (left, top) = (
            px.round() as i64 - WIDTH / 2,
            py.round() as i64 - HEIGHT / 2,
        );
        let mut tiles = Vec::new();
        for ty in left_tile(top)..=left_tile(top + HEIGHT - 1) {
            if !(0..n).contains(&ty) {
                continue;
            }
            for tx in left_tile(left)..=left_tile(left + WIDTH - 1) {
                tiles.push(Tile {
                    src: self.url(ZOOM, tx.rem_euclid(n), ty),
                    left: tx * TILE - left,
                    top: ty * TILE - top,
                });
            }
        }
        MapView {
            tiles,
            attribution: self.attribution.clone(),
        }
    }
}

fn left_tile(pixel: i64) -> i64 {
    pixel.div_euclid(TILE)
}

/// One tile of the frame: its image and where it sits (pixels from the frame's top left).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tile {
    pub src: String,
    pub left: i64,
    pub top: i64,
}

/// The map as the page draws it: the position is the frame's centre.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapView {
    pub tiles: Vec<Tile>,
    pub attribution: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tiles_around_a_position_fill_the_frame() {
        let tiles =
            MapTiles::parse("https://tiles.example/{z}/{x}/{y}.png?key=k", "© Tiles").unwrap();
        assert_eq!(tiles.origin(), "https://tiles.example");
        // Paris, zoom 15: the position is in tile 16596/11272.
        let view = tiles.around(48.8606, 2.3376);
        assert!(
            view.tiles
                .iter()
                .any(|t| t.src == "https://tiles.example/15/16596/11272.png?key=k"),
            "{view:?}"
        );
        // The frame is covered: every tile overlaps it, and there are at most 2 x 3 of them.
        assert!((2..=6).contains(&view.tiles.len()), "{view:?}");
        for t in &view.tiles {
            assert!(
                t.left < WIDTH && t.left + 256 > 0 && t.top < HEIGHT && t.top + 256 > 0,
                "{t:?}"
            );
        }
        for bad in [
            "http://tiles.example/{z}/{x}/{y}.png",
            "https://tiles.example/{z}/{x}.png",
            "https://tiles.example/{z}/{x}/{y}.png\" onerror=\"x",
        ] {
            assert!(MapTiles::parse(bad, "").is_err(), "{bad}");
        }
        let stub = MapTiles::parse("http://127.0.0.1:8123/tiles/{z}/{x}/{y}.png", "Stub").unwrap();
        assert_eq!(stub.origin(), "http://127.0.0.1:8123");
    }
}
