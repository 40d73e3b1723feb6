//! Burrow's `/v3/config` routes over a config with every kind of module, a SASL password and a
//! notifier plugin's secret: goldens of each answer, and no secret in any of them.

use axum::http::Method;
use warren_core::config;
use warren_core::health::Health;
use warren_core::storage::{StorageHandle, StorageSettings};
use warren_http::AppState;

use super::{call, golden};

const SECRET: &str = "hunter2-do-not-show";

fn config_state() -> AppState {
    let text = format!(
        r#"
[general]
pidfile = "/run/warren.pid"
access-control-allow-origin = "https://ops.example.com"
[logging]
level = "debug"
filename = "/var/log/warren.log"
[httpserver.default]
address = "127.0.0.1:8000"
timeout = 45
[tls.kafka]
cafile = "/etc/warren/ca.pem"
[sasl.kafka]
mechanism = "SCRAM-SHA-512"
username = "warren"
password = "{SECRET}"
[client-profile.secure]
client-id = "warren-prod"
tls = "kafka"
sasl = "kafka"
[cluster.prod]
servers = ["kafka-1:9093", "kafka-2:9093"]
client-profile = "secure"
[consumer.prod]
class-name = "kafka"
cluster = "prod"
group-denylist = "^console-consumer-"
[cluster.staging]
servers = ["staging-1:9092"]
[consumer.staging]
class-name = "kafka-admin"
cluster = "staging"
group-allowlist = "^payments-"
[storage.default]
intervals = 12
min-distance = 1
expire-group = 86400
[evaluator.default]
expire-cache = 15
[plugin.hooks]
kind = "notifier"
path = "builtin:webhook"
secrets = {{ token = "env:HOOK_TOKEN" }}
allowed-outbound-hosts = ["hooks.example.com"]
config = {{ url = "https://hooks.example.com/x?token=${{secret:token}}" }}
[notifier.ops]
plugin = "hooks"
threshold = 3
interval = 30
send-close = true
group-denylist = "^test-"
"#
    );
    let loaded = config::load(&text, &|_| Some("also-a-secret".into())).expect("config loads");
    let names = ["prod".to_string(), "staging".to_string()];
    let storage = StorageHandle::new(names.clone(), StorageSettings::burrow_defaults());
    let health = Health::new(names.clone(), names);
    AppState::new(&loaded.config, storage, health, "warren-test")
}

macro_rules! config_golden {
    ($($test:ident: $uri:expr;)*) => {$(
        #[tokio::test]
        async fn $test() {
            let answer = call(config_state(), Method::GET, $uri).await;
            assert!(!answer.contains(SECRET) && !answer.contains("also-a-secret"), "{answer}");
            golden(stringify!($test), &answer);
        }
    )*};
}

config_golden! {
    config_main_has_general_logging_zookeeper_and_listeners: "/v3/config";
    config_storage_list: "/v3/config/storage";
    config_storage_detail: "/v3/config/storage/default";
    config_storage_unknown_is_404: "/v3/config/storage/nope";
    config_evaluator_list: "/v3/config/evaluator";
    config_evaluator_detail: "/v3/config/evaluator/default";
    config_cluster_list: "/v3/config/cluster";
    config_cluster_detail_is_the_cluster_module_without_the_password: "/v3/config/cluster/prod";
    config_consumer_list: "/v3/config/consumer";
    config_consumer_detail_names_its_profile_without_the_password: "/v3/config/consumer/prod";
    config_consumer_detail_of_the_admin_api_class: "/v3/config/consumer/staging";
    config_notifier_list: "/v3/config/notifier";
    config_notifier_detail: "/v3/config/notifier/ops";
    config_notifier_unknown_is_404: "/v3/config/notifier/nope";
}
