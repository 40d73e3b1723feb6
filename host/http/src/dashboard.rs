//! The built-in web dashboard (issue #7): a static single-page app served at `/`, with its
//! assets under `/ui/`. It sits beside the v3 routes and reads only them (the group table uses
//! `/v3/kafka/:cluster/consumer-status`, in `status.rs`), so it shows exactly what the API serves and needs no build step: the HTML, CSS and
//! ES modules in `host/http/assets/` and the vendored chart library (uPlot, see
//! `assets/vendor/README.md`) are compiled into the binary with `include_bytes!`.
//!
//! Every asset is answered with its `Content-Type`, `Cache-Control: no-cache` and an `ETag`
//! (so a browser revalidates with a 304 instead of running an old dashboard after an upgrade),
//! `X-Content-Type-Options: nosniff`, and a Content-Security-Policy that allows scripts,
//! styles and connections to this origin only.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::StatusCode;
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};

/// One embedded file, served at `/ui/<path>` (`index.html` also at `/`).
struct Asset {
    path: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

macro_rules! assets {
    ($($path:literal => $ctype:expr,)*) => {
        &[$(Asset {
            path: $path,
            content_type: $ctype,
            body: include_bytes!(concat!("../assets/", $path)),
        },)*]
    };
}

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

static ASSETS: &[Asset] = assets! {
    "index.html" => "text/html; charset=utf-8",
    "app.css" => CSS,
    "app.js" => JS,
    "api.js" => JS,
    "dom.js" => JS,
    "format.js" => JS,
    "table.js" => JS,
    "overview.js" => JS,
    "group.js" => JS,
    "admin.js" => JS,
    "favicon.svg" => "image/svg+xml",
    "vendor/uPlot.iife.min.js" => JS,
    "vendor/uPlot.min.css" => CSS,
    "vendor/uPlot.LICENSE" => "text/plain; charset=utf-8",
};

/// Scripts, styles, images and fetches from this origin only; no inline script or style
/// (uPlot positions its elements through the CSSOM, which `style-src` does not govern).
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// Each asset's strong ETag: FNV-1a of its bytes, computed once.
static ETAGS: LazyLock<Vec<HeaderValue>> = LazyLock::new(|| {
    ASSETS
        .iter()
        .map(|a| {
            let hash = a.body.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
                (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
            });
            HeaderValue::from_str(&format!("\"{hash:016x}\""))
                .unwrap_or(HeaderValue::from_static("\"\""))
        })
        .collect()
});

/// `GET /`: the app.
pub(crate) async fn index(headers: HeaderMap) -> Response {
    serve("index.html", &headers)
}

/// `GET /ui/*path`: an asset, or 404.
pub(crate) async fn asset(Path(path): Path<String>, headers: HeaderMap) -> Response {
    serve(&path, &headers)
}

fn serve(path: &str, headers: &HeaderMap) -> Response {
    let Some(i) = ASSETS.iter().position(|a| a.path == path) else {
        return (
            StatusCode::NOT_FOUND,
            [
                (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            "no such dashboard asset\n",
        )
            .into_response();
    };
    let asset = &ASSETS[i];
    let etag = ETAGS[i].clone();
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut res = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static(asset.content_type),
            )],
            asset.body,
        )
            .into_response()
    };
    let h = res.headers_mut();
    h.insert(header::ETAG, etag);
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if asset.path == "index.html" {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        );
        h.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every file under `assets/` is embedded, except the vendor notes (a forgotten entry
    /// would be a 404 in the browser, found only by the browser test).
    #[test]
    fn every_asset_file_is_embedded() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets");
        let mut files = Vec::new();
        let mut dirs = vec![root.clone()];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else {
                    let rel = path
                        .strip_prefix(&root)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned();
                    files.push(rel.replace('\\', "/"));
                }
            }
        }
        files.retain(|f| f != "vendor/README.md");
        files.sort();
        let mut embedded: Vec<String> = ASSETS.iter().map(|a| a.path.to_string()).collect();
        embedded.sort();
        assert_eq!(files, embedded);
    }

    #[test]
    fn content_types_follow_extensions() {
        for a in ASSETS {
            let ext = a.path.rsplit('.').next().unwrap_or_default();
            let expected = match ext {
                "js" => JS,
                "css" => CSS,
                "html" => "text/html; charset=utf-8",
                "svg" => "image/svg+xml",
                _ => "text/plain; charset=utf-8",
            };
            assert_eq!(a.content_type, expected, "{}", a.path);
        }
    }
}
