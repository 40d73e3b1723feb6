//! `warren`: the binary. Parses the command line and hands off; all wiring lives in `app.rs`,
//! configuration loading in `config_file.rs`.

mod cli;

pub(crate) use warren_daemon::dev::load_generator::LoadOptions as LoadArgs;
pub(crate) use warren_daemon::dev::read::ReadOptions as ReadArgs;

use warren_daemon::{app, config_file, demo, evaluate, plugin_cli, status_cli, telemetry};

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let started = std::time::Instant::now();
    let cli = cli::Cli::parse();
    let command = match (cli.command, cli.config_dir) {
        (Some(command), _) => command,
        (None, config_dir @ Some(_)) => cli::Command::Run {
            config: "warren.toml".into(),
            config_dir,
        },
        (None, None) => {
            use clap::CommandFactory;
            let _ = cli::Cli::command().print_help();
            return ExitCode::from(2);
        }
    };
    match command {
        cli::Command::CheckConfig { file } => config_file::check_config(&file),
        cli::Command::HashPassword => warren_daemon::hash_password::run(),
        cli::Command::Evaluate {
            file,
            evaluator,
            plugin_config,
        } => match evaluator {
            Some(plugin) => plugin_cli::evaluate_with(&plugin, &file, &plugin_config),
            None => evaluate::run(&file),
        },
        cli::Command::Status {
            url,
            cluster,
            group,
        } => status_cli::run(&url, cluster.as_deref(), group.as_deref()),
        cli::Command::Plugin { command } => match command {
            cli::PluginCommand::New {
                kind,
                name,
                dir,
                sdk,
                lang,
            } => plugin_cli::new(lang, &kind, &name, &dir, sdk.as_deref()),
            cli::PluginCommand::Inspect {
                file,
                plugin_cache_dir,
            } => plugin_cli::inspect_file(&file, plugin_cache_dir),
            cli::PluginCommand::Test {
                file,
                input,
                config,
                notify,
                plugin_cache_dir,
            } => plugin_cli::test(&file, input.as_deref(), &config, notify, plugin_cache_dir),
        },
        cli::Command::DevBroker { topics, brokers } => {
            report(warren_daemon::dev::broker::run(&topics, brokers))
        }
        cli::Command::DevLoad(options) => report(warren_daemon::dev::load_generator::run(&options)),
        cli::Command::DevRead(options) => report(warren_daemon::dev::read::run(&options, started)),
        cli::Command::Demo {
            listen,
            no_table,
            no_plugins,
        } => {
            let _ = telemetry::init(&warren_core::config::LoggingConfig {
                level: warren_core::config::LogLevel::Warn,
                format: warren_core::config::LogFormat::Text,
                filename: None,
            });
            match demo::run(demo::DemoOptions {
                listen,
                table: !no_table,
                plugins: !no_plugins,
            }) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e:#}");
                    ExitCode::FAILURE
                }
            }
        }
        cli::Command::Run { config, config_dir } => {
            let config = match config_dir {
                Some(dir) => match config_file::in_config_dir(&dir) {
                    Ok(path) => path,
                    Err(e) => {
                        eprintln!("error: {e}");
                        return ExitCode::from(2);
                    }
                },
                None => config,
            };
            let Some(loaded) = config_file::load_or_report(&config) else {
                return ExitCode::from(2);
            };
            if let Err(e) = telemetry::init(&loaded.config.logging) {
                eprintln!("error: {}: {e:#}", config.display());
                return ExitCode::from(2);
            }
            for w in &loaded.warnings {
                tracing::warn!(key = %w.path, "{}", w.message);
            }
            for o in &loaded.overrides {
                tracing::info!(key = %o.path, variable = %o.variable, "set from the environment");
            }
            match app::run(loaded.config, &config) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    tracing::error!(error = %format!("{e:#}"), "warren stopped with an error");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

fn report(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
