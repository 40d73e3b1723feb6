//! The contract `GET /v3/openapi.json` serves holds: its paths and methods are exactly the
//! routes the router is built from, the binary serves the checked-in file, and every golden
//! answer in `tests/golden/` (what `api.rs` pins byte for byte) fits the document's schema
//! for its route and status code. A route added without documenting it, a field added to an
//! answer without documenting it, or a documented field whose type drifts fails here.

use std::collections::{BTreeMap, BTreeSet};

use axum::body::Body;
use axum::http::{Method, Request};
use serde_json::Value;
use tower::ServiceExt;
use warren_core::config;
use warren_core::health::Health;
use warren_core::storage::{StorageHandle, StorageSettings};
use warren_http::{Access, AppState, listener_router, router, served_routes};

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "patch", "head", "options", "trace",
];

fn document() -> Value {
    serde_json::from_str(warren_http::openapi::DOCUMENT).expect("openapi.json is JSON")
}

/// (method, path) of every operation the document describes.
fn documented(doc: &Value) -> BTreeSet<(String, String)> {
    let mut ops = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in METHODS {
            if item.get(method).is_some() {
                ops.insert((method.to_string(), path.clone()));
            }
        }
    }
    ops
}

/// (method, path) of every route the router serves, in OpenAPI's spelling (`{*path}` is a
/// catch-all in axum, a plain parameter in OpenAPI).
fn served(routes: &[(Method, &str)]) -> BTreeSet<(String, String)> {
    routes
        .iter()
        .map(|(m, p)| (m.as_str().to_ascii_lowercase(), p.replace("{*", "{")))
        .collect()
}

#[test]
fn the_document_lists_exactly_the_routes_the_router_serves() {
    let doc = document();
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(served(&served_routes()), documented(&doc));
}

#[test]
fn a_route_added_without_documenting_it_is_caught() {
    let mut routes = served_routes();
    routes.push((Method::PUT, "/v3/kafka/{cluster}/topic/{topic}"));
    assert_ne!(served(&routes), documented(&document()));
}

#[tokio::test]
async fn the_binary_serves_the_checked_in_document() {
    let loaded = config::load("[cluster.local]\nservers = [\"127.0.0.1:9092\"]\n", &|_| {
        None
    })
    .expect("config loads");
    let storage = StorageHandle::new(["local".to_string()], StorageSettings::burrow_defaults());
    let health = Health::new(["local".to_string()], Vec::<String>::new());
    let state = AppState::new(&loaded.config, storage, health, "warren-test");
    let res = router(state)
        .oneshot(
            Request::get("/v3/openapi.json")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/json");
    let body = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .unwrap();
    let file = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json")).unwrap();
    assert_eq!(body, file);
}

/// Which route each golden file answers; `None` for the unknown-route answer, which no
/// operation describes (it is `#/components/responses/UnknownRoute`).
const GOLDEN_ROUTES: &[(&str, &str, Option<&str>)] = &[
    (
        "config_main_has_general_logging_zookeeper_and_listeners",
        "get",
        Some("/v3/config"),
    ),
    ("config_storage_list", "get", Some("/v3/config/storage")),
    (
        "config_storage_detail",
        "get",
        Some("/v3/config/storage/{name}"),
    ),
    (
        "config_storage_unknown_is_404",
        "get",
        Some("/v3/config/storage/{name}"),
    ),
    ("config_evaluator_list", "get", Some("/v3/config/evaluator")),
    (
        "config_evaluator_detail",
        "get",
        Some("/v3/config/evaluator/{name}"),
    ),
    ("config_cluster_list", "get", Some("/v3/config/cluster")),
    (
        "config_cluster_detail_is_the_cluster_module_without_the_password",
        "get",
        Some("/v3/config/cluster/{cluster}"),
    ),
    ("config_consumer_list", "get", Some("/v3/config/consumer")),
    (
        "config_consumer_detail_names_its_profile_without_the_password",
        "get",
        Some("/v3/config/consumer/{name}"),
    ),
    (
        "config_consumer_detail_of_the_admin_api_class",
        "get",
        Some("/v3/config/consumer/{name}"),
    ),
    ("config_notifier_list", "get", Some("/v3/config/notifier")),
    (
        "config_notifier_detail",
        "get",
        Some("/v3/config/notifier/{name}"),
    ),
    (
        "config_notifier_unknown_is_404",
        "get",
        Some("/v3/config/notifier/{name}"),
    ),
    ("admin_instances", "get", Some("/v3/admin/instances")),
    ("admin_notifiers", "get", Some("/v3/admin/notifiers")),
    ("loglevel", "get", Some("/v3/admin/loglevel")),
    (
        "delete_group_topic",
        "delete",
        Some("/v3/kafka/{cluster}/consumer/{group}/topic/{topic}"),
    ),
    (
        "delete_group_topic_again_is_404",
        "delete",
        Some("/v3/kafka/{cluster}/consumer/{group}/topic/{topic}"),
    ),
    (
        "admin_notifiers_with_a_failing_store",
        "get",
        Some("/v3/admin/notifiers"),
    ),
    ("admin_plugins", "get", Some("/v3/admin/plugins")),
    (
        "admin_plugins_reload",
        "post",
        Some("/v3/admin/plugins/reload"),
    ),
    (
        "cluster_detail_reports_module_config",
        "get",
        Some("/v3/kafka/{cluster}"),
    ),
    (
        "cluster_detail_unknown_cluster_is_404",
        "get",
        Some("/v3/kafka/{cluster}"),
    ),
    ("cluster_list", "get", Some("/v3/kafka")),
    (
        "cluster_status_summarises_every_group",
        "get",
        Some("/v3/kafka/{cluster}/status"),
    ),
    (
        "cluster_status_unknown_cluster_is_404",
        "get",
        Some("/v3/kafka/{cluster}/status"),
    ),
    (
        "consumer_detail_has_padded_windows_owners_and_current_lag",
        "get",
        Some("/v3/kafka/{cluster}/consumer/{group}"),
    ),
    (
        "consumer_detail_unknown_group_is_404",
        "get",
        Some("/v3/kafka/{cluster}/consumer/{group}"),
    ),
    ("consumer_list", "get", Some("/v3/kafka/{cluster}/consumer")),
    (
        "consumer_list_unknown_cluster_is_404",
        "get",
        Some("/v3/kafka/{cluster}/consumer"),
    ),
    (
        "consumer_status_has_every_group_without_partitions",
        "get",
        Some("/v3/kafka/{cluster}/consumer-status"),
    ),
    (
        "consumer_status_is_503_while_the_cluster_catches_up",
        "get",
        Some("/v3/kafka/{cluster}/consumer-status"),
    ),
    (
        "consumer_status_unknown_cluster_is_404",
        "get",
        Some("/v3/kafka/{cluster}/consumer-status"),
    ),
    (
        "delete_group",
        "delete",
        Some("/v3/kafka/{cluster}/consumer/{group}"),
    ),
    (
        "delete_group_again_is_404",
        "delete",
        Some("/v3/kafka/{cluster}/consumer/{group}"),
    ),
    ("healthcheck_says_good", "get", Some("/burrow/admin")),
    (
        "lag_lists_every_partition",
        "get",
        Some("/v3/kafka/{cluster}/consumer/{group}/lag"),
    ),
    (
        "lag_of_a_healthy_group",
        "get",
        Some("/v3/kafka/{cluster}/consumer/{group}/lag"),
    ),
    (
        "lag_of_unknown_cluster_is_404_notfound",
        "get",
        Some("/v3/kafka/{cluster}/consumer/{group}/lag"),
    ),
    ("ready_after_catch_up", "get", Some("/burrow/admin/ready")),
    (
        "ready_is_starting_until_consumers_catch_up",
        "get",
        Some("/burrow/admin/ready"),
    ),
    (
        "ready_names_a_failing_cluster",
        "get",
        Some("/burrow/admin/ready"),
    ),
    (
        "ready_is_failing_while_the_store_cannot_write",
        "get",
        Some("/burrow/admin/ready"),
    ),
    (
        "status_lists_only_problem_partitions",
        "get",
        Some("/v3/kafka/{cluster}/consumer/{group}/status"),
    ),
    (
        "status_of_unknown_group_is_404_notfound_without_error",
        "get",
        Some("/v3/kafka/{cluster}/consumer/{group}/status"),
    ),
    (
        "topic_consumers",
        "get",
        Some("/v3/kafka/{cluster}/topic/{topic}/consumers"),
    ),
    (
        "topic_consumers_unknown_topic_is_404",
        "get",
        Some("/v3/kafka/{cluster}/topic/{topic}/consumers"),
    ),
    (
        "topic_detail_lists_head_offsets",
        "get",
        Some("/v3/kafka/{cluster}/topic/{topic}"),
    ),
    (
        "topic_detail_unknown_topic_is_404",
        "get",
        Some("/v3/kafka/{cluster}/topic/{topic}"),
    ),
    ("topic_list", "get", Some("/v3/kafka/{cluster}/topic")),
    (
        "topic_list_unknown_cluster_is_404",
        "get",
        Some("/v3/kafka/{cluster}/topic"),
    ),
    ("unknown_route_is_burrows_invalid_request", "get", None),
];

/// One answer of a golden file: `STATUS REASON CONTENT-TYPE cors=ORIGIN`, then the body.
struct Answer {
    status: String,
    media_type: String,
    body: String,
}

/// The answers of a golden file (`admin_without_plugins_or_notifiers` holds two).
fn answers(text: &str) -> Vec<Answer> {
    let mut out: Vec<Answer> = Vec::new();
    for line in text.lines() {
        let head = line.len() > 4
            && line.as_bytes()[..3].iter().all(u8::is_ascii_digit)
            && line.as_bytes()[3] == b' '
            && line.contains(" cors=");
        if head {
            let (before, _) = line.rsplit_once(" cors=").unwrap();
            let ctype = before
                .split(' ')
                .position(|w| w.contains('/'))
                .map(|i| before.split(' ').skip(i).collect::<Vec<_>>().join(" "))
                .unwrap_or_default();
            out.push(Answer {
                status: line[..3].to_string(),
                media_type: ctype.split(';').next().unwrap_or("").trim().to_string(),
                body: String::new(),
            });
        } else if let Some(answer) = out.last_mut() {
            answer.body.push_str(line);
            answer.body.push('\n');
        }
    }
    out
}

/// `#/a/b~1c` of a JSON pointer's segments.
fn pointer(segments: &[&str]) -> String {
    let mut p = String::from("#");
    for s in segments {
        p.push('/');
        // A pointer in a URI fragment: `{` and `}` of path templates are percent-encoded.
        let escaped = s.replace('~', "~0").replace('/', "~1");
        p.push_str(&escaped.replace('{', "%7B").replace('}', "%7D"));
    }
    p
}

/// Where the schema of (route, status, media type) is in the document, following a
/// `$ref`'d response; `Err` says what is not documented.
fn schema_pointer(
    doc: &Value,
    method: &str,
    path: Option<&str>,
    a: &Answer,
) -> Result<String, String> {
    let (mut base, response) = match path {
        Some(path) => {
            let op = &doc["paths"][path][method];
            if op.is_null() {
                return Err(format!("{method} {path} is not documented"));
            }
            let r = &op["responses"][&a.status];
            if r.is_null() {
                return Err(format!(
                    "{method} {path}: status {} is not documented",
                    a.status
                ));
            }
            (
                vec![
                    "paths".to_string(),
                    path.to_string(),
                    method.to_string(),
                    "responses".into(),
                    a.status.clone(),
                ],
                r,
            )
        }
        None => (
            vec![
                "components".into(),
                "responses".into(),
                "UnknownRoute".into(),
            ],
            &doc["components"]["responses"]["UnknownRoute"],
        ),
    };
    let response = match response["$ref"].as_str() {
        Some(r) => {
            let name = r.rsplit('/').next().unwrap_or_default();
            base = vec!["components".into(), "responses".into(), name.to_string()];
            &doc["components"]["responses"][name]
        }
        None => response,
    };
    if response["content"][&a.media_type].is_null() {
        return Err(format!(
            "{method} {path:?} {}: {} is not documented",
            a.status, a.media_type
        ));
    }
    base.extend(["content".into(), a.media_type.clone(), "schema".into()]);
    Ok(pointer(
        &base.iter().map(String::as_str).collect::<Vec<_>>(),
    ))
}

/// Every problem of one golden file against the document.
fn problems(doc: &Value, name: &str, method: &str, path: Option<&str>, text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for a in answers(text) {
        let at = match schema_pointer(doc, method, path, &a) {
            Ok(at) => at,
            Err(why) => {
                found.push(format!("{name}: {why}"));
                continue;
            }
        };
        let instance = if a.media_type == "application/json" {
            serde_json::from_str(&a.body)
                .unwrap_or_else(|e| panic!("{name}: body is not JSON: {e}"))
        } else {
            // The golden files end each body with a newline; the answer does not.
            Value::String(a.body.trim_end_matches('\n').to_string())
        };
        // The whole document is the root, so `#/components/...` references resolve; its
        // other keys are not JSON Schema keywords and validate nothing.
        let mut root = doc.clone();
        root["$ref"] = Value::String(at.clone());
        let validator = jsonschema::draft202012::new(&root)
            .unwrap_or_else(|e| panic!("{name}: {at} is not a schema: {e}"));
        for e in validator.iter_errors(&instance) {
            found.push(format!(
                "{name} ({} at {at}): {} at {}",
                a.status,
                e,
                e.instance_path()
            ));
        }
    }
    found
}

fn golden_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

#[test]
fn every_golden_answer_fits_the_documented_schema_of_its_route_and_status() {
    let doc = document();
    // Every JSON golden is mapped: a new one must say which route it answers.
    let mut files: BTreeSet<String> = BTreeSet::new();
    for entry in std::fs::read_dir(golden_dir()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if let Some(stem) = name.strip_suffix(".json") {
            files.insert(stem.to_string());
        }
    }
    let mut routes: BTreeMap<&str, (&str, Option<&str>)> = GOLDEN_ROUTES
        .iter()
        .map(|(n, m, p)| (*n, (*m, *p)))
        .collect();
    // Two answers in one file, of two routes: checked below.
    files.remove("admin_without_plugins_or_notifiers");
    let mapped: BTreeSet<String> = routes.keys().map(|k| k.to_string()).collect();
    assert_eq!(files, mapped, "golden files and GOLDEN_ROUTES differ");

    let mut found = Vec::new();
    for (name, (method, path)) in std::mem::take(&mut routes) {
        let text = std::fs::read_to_string(golden_dir().join(format!("{name}.json"))).unwrap();
        assert!(!answers(&text).is_empty(), "{name}: no answer read");
        found.extend(problems(&doc, name, method, path, &text));
    }
    let text =
        std::fs::read_to_string(golden_dir().join("admin_without_plugins_or_notifiers.json"))
            .unwrap();
    let two = answers(&text);
    assert_eq!(two.len(), 2);
    let (plugins, notifiers) = text.split_at(text.find("\n200 ").unwrap() + 1);
    found.extend(problems(
        &doc,
        "admin_without_plugins",
        "get",
        Some("/v3/admin/plugins"),
        plugins,
    ));
    found.extend(problems(
        &doc,
        "admin_without_notifiers",
        "get",
        Some("/v3/admin/notifiers"),
        notifiers,
    ));
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn an_undocumented_field_or_a_wrong_type_in_an_answer_is_caught() {
    let doc = document();
    let golden = std::fs::read_to_string(golden_dir().join("cluster_list.json")).unwrap();
    assert!(problems(&doc, "cluster_list", "get", Some("/v3/kafka"), &golden).is_empty());
    let extra = golden.replace("\"error\": false,", "\"error\": false, \"surprise\": 1,");
    assert!(!problems(&doc, "extra", "get", Some("/v3/kafka"), &extra).is_empty());
    let typed = golden.replace("\"local\"", "7");
    assert!(!problems(&doc, "typed", "get", Some("/v3/kafka"), &typed).is_empty());
    let status = golden.replacen("200 OK", "418 I'm a teapot", 1);
    assert!(!problems(&doc, "status", "get", Some("/v3/kafka"), &status).is_empty());
}

/// A response as the golden files hold it, for [`problems`].
async fn as_golden(res: axum::response::Response) -> String {
    let status = res.status();
    let ctype = res
        .headers()
        .get("content-type")
        .map_or("", |v| v.to_str().unwrap())
        .to_string();
    let body = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .unwrap();
    format!(
        "{status} {ctype} cors=\n{}\n",
        String::from_utf8_lossy(&body)
    )
}

/// The answers no golden file holds, because they need credentials or limits configured:
/// 401 (none, or wrong ones, with the challenge), 403 (a role too low, a foreign `Host`, a
/// cross-site write) and 413 (a body over `max-body-bytes`) all fit the document.
#[tokio::test]
async fn the_refusals_of_access_control_and_limits_fit_the_document() {
    let text = "[cluster.local]\nservers = [\"127.0.0.1:9092\"]\n\
                [api-token.grafana]\ntoken = \"env:READ_TOKEN\"\nrole = \"read\"\n\
                [api-token.ops]\ntoken = \"env:ADMIN_TOKEN\"\nrole = \"admin\"\n\
                [httpserver.web]\naddress = \"127.0.0.1:8000\"\nmax-body-bytes = 16\n";
    let config = config::load(text, &|_| None).expect("config loads").config;
    let env = |name: &str| match name {
        "READ_TOKEN" => Some("read-secret".to_string()),
        "ADMIN_TOKEN" => Some("admin-secret".to_string()),
        _ => None,
    };
    let access = Access::from_config(&config, &env).expect("tokens resolve");
    let storage = StorageHandle::new(["local".to_string()], StorageSettings::burrow_defaults());
    let health = Health::new(["local".to_string()], Vec::<String>::new());
    let state = AppState::new(&config, storage, health, "warren-test").with_access(access);
    let app = listener_router(state, &config.http_servers["web"]);

    let request = |method: Method, uri: &str, headers: &[(&str, &str)], body: &str| {
        let mut b = Request::builder().method(method).uri(uri);
        if !headers.iter().any(|(k, _)| *k == "host") {
            b = b.header("host", "127.0.0.1:8000");
        }
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(Body::from(body.to_string())).unwrap()
    };
    let reload = "/v3/admin/plugins/reload";
    let group = "/v3/kafka/{cluster}/consumer/{group}";
    let cases = [
        (
            "no credentials",
            request(Method::GET, "/v3/kafka", &[], ""),
            "get",
            "/v3/kafka",
            401,
        ),
        (
            "a wrong token",
            request(
                Method::GET,
                "/v3/kafka",
                &[("authorization", "Bearer nope")],
                "",
            ),
            "get",
            "/v3/kafka",
            401,
        ),
        (
            "a read token deleting",
            request(
                Method::DELETE,
                "/v3/kafka/local/consumer/g",
                &[("authorization", "Bearer read-secret")],
                "",
            ),
            "delete",
            group,
            403,
        ),
        (
            "a foreign Host",
            request(Method::GET, "/v3/kafka", &[("host", "evil.example")], ""),
            "get",
            "/v3/kafka",
            403,
        ),
        (
            "a cross-site reload",
            request(
                Method::POST,
                reload,
                &[
                    ("authorization", "Bearer admin-secret"),
                    ("origin", "http://evil.example"),
                ],
                "",
            ),
            "post",
            reload,
            403,
        ),
        (
            "a body over the cap",
            request(
                Method::POST,
                reload,
                &[
                    ("authorization", "Bearer admin-secret"),
                    ("content-length", "19"),
                ],
                "0123456789abcdefXYZ",
            ),
            "post",
            reload,
            413,
        ),
    ];
    let doc = document();
    let mut found = Vec::new();
    for (what, req, method, path, expected) in cases {
        let res = app.clone().oneshot(req).await.unwrap();
        assert_eq!(res.status().as_u16(), expected, "{what}");
        if expected == 401 {
            assert!(res.headers().contains_key("www-authenticate"), "{what}");
        }
        found.extend(problems(
            &doc,
            what,
            method,
            Some(path),
            &as_golden(res).await,
        ));
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}
