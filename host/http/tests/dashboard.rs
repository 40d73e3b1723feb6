//! The dashboard's asset routes (`/` and `/ui/*`): every asset the page links is served with
//! its content type, `Cache-Control` and `ETag`, a matching `If-None-Match` gets a 304, and an
//! unknown asset is a 404. `tests/golden/dashboard_assets.txt` holds the headers of each
//! (`BLESS=1` rewrites it); the bodies are the files in `assets/`, byte for byte.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum::response::Response;
use tower::ServiceExt;
use warren_core::config;
use warren_core::health::Health;
use warren_core::storage::{StorageHandle, StorageSettings};
use warren_http::{AppState, router};

const CONFIG: &str = r#"
[cluster.local]
servers = ["127.0.0.1:9092"]
"#;

fn state() -> AppState {
    let loaded = config::load(CONFIG, &|_| None).expect("test config loads");
    let storage = StorageHandle::new(["local".to_string()], StorageSettings::burrow_defaults());
    let health = Health::new(["local".to_string()], ["local".to_string()]);
    AppState::new(&loaded.config, storage, health, "warren-test")
}

async fn get(uri: &str, if_none_match: Option<&str>) -> Response {
    let mut req = Request::builder().uri(uri);
    if let Some(tag) = if_none_match {
        req = req.header(header::IF_NONE_MATCH, tag);
    }
    router(state())
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap()
}

fn header_of(res: &Response, name: header::HeaderName) -> String {
    res.headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_else(|| "-".into())
}

async fn body(res: Response) -> Vec<u8> {
    axum::body::to_bytes(res.into_body(), 1 << 24)
        .await
        .unwrap()
        .to_vec()
}

/// `src`/`href` values of index.html that point at the dashboard's own assets.
fn linked_assets(index: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["src=\"", "href=\""] {
        let mut rest = index;
        while let Some(at) = rest.find(attr) {
            rest = &rest[at + attr.len()..];
            let end = rest.find('"').unwrap();
            if rest[..end].starts_with("/ui/") {
                out.push(rest[..end].to_string());
            }
        }
    }
    out.sort();
    out
}

const ASSETS: &[&str] = &[
    "/",
    "/ui/index.html",
    "/ui/app.css",
    "/ui/app.js",
    "/ui/api.js",
    "/ui/dom.js",
    "/ui/format.js",
    "/ui/table.js",
    "/ui/overview.js",
    "/ui/group.js",
    "/ui/admin.js",
    "/ui/favicon.svg",
    "/ui/vendor/uPlot.iife.min.js",
    "/ui/vendor/uPlot.min.css",
    "/ui/vendor/uPlot.LICENSE",
    "/ui/nope.js",
    "/ui/vendor/README.md",
    "/ui/../Cargo.toml",
    "/ui/",
];

#[tokio::test]
async fn every_asset_has_its_content_type_cache_headers_and_unknown_ones_are_404() {
    let mut lines = Vec::new();
    for uri in ASSETS {
        let res = get(uri, None).await;
        let etag = res.headers().contains_key(header::ETAG);
        lines.push(format!(
            "{uri} {} content-type={} cache-control={} etag={} nosniff={} csp={}",
            res.status().as_u16(),
            header_of(&res, header::CONTENT_TYPE),
            header_of(&res, header::CACHE_CONTROL),
            if etag { "yes" } else { "no" },
            header_of(&res, header::X_CONTENT_TYPE_OPTIONS) == "nosniff",
            res.headers().contains_key(header::CONTENT_SECURITY_POLICY),
        ));
    }
    let actual = lines.join("\n") + "\n";
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/dashboard_assets.txt");
    warren_testkit::golden::assert(&path, &actual);
}

#[tokio::test]
async fn assets_are_the_files_and_everything_the_page_links_is_served() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets");
    let index = body(get("/", None).await).await;
    assert_eq!(index, std::fs::read(root.join("index.html")).unwrap());
    let linked = linked_assets(std::str::from_utf8(&index).unwrap());
    assert!(linked.contains(&"/ui/app.js".to_string()), "{linked:?}");
    assert!(
        linked.contains(&"/ui/vendor/uPlot.iife.min.js".to_string()),
        "{linked:?}"
    );
    for uri in linked {
        let res = get(&uri, None).await;
        assert_eq!(res.status(), StatusCode::OK, "{uri}");
        let file = root.join(uri.trim_start_matches("/ui/"));
        assert_eq!(body(res).await, std::fs::read(&file).unwrap(), "{uri}");
    }
    // The modules import each other by relative path; each import must be an embedded asset.
    let mut imports = 0;
    for entry in std::fs::read_dir(&root).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "js") {
            let text = std::fs::read_to_string(&path).unwrap();
            let mut rest = text.as_str();
            while let Some(at) = rest.find("from './") {
                rest = &rest[at + "from './".len()..];
                let module = &rest[..rest.find('\'').unwrap()];
                let res = get(&format!("/ui/{module}"), None).await;
                assert_eq!(res.status(), StatusCode::OK, "{path:?} imports {module}");
                imports += 1;
            }
        }
    }
    assert!(imports >= 10, "found only {imports} imports");
}

#[tokio::test]
async fn a_matching_etag_is_answered_304_without_a_body() {
    let first = get("/ui/app.js", None).await;
    let etag = header_of(&first, header::ETAG);
    assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");
    let again = get("/ui/app.js", Some(&etag)).await;
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(header_of(&again, header::ETAG), etag);
    assert!(body(again).await.is_empty());
    let other = get("/ui/app.css", Some(&etag)).await;
    assert_eq!(
        other.status(),
        StatusCode::OK,
        "another asset's tag does not match"
    );
}

#[tokio::test]
async fn the_api_routes_around_the_dashboard_still_answer() {
    let unknown = get("/v3/nothing/here", None).await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        header_of(&unknown, header::CONTENT_TYPE),
        "application/json"
    );
    let admin = get("/burrow/admin", None).await;
    assert_eq!(body(admin).await, b"GOOD");
}
