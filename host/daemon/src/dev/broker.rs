//! `warren dev-broker TOPIC:PARTITIONS ...`: librdkafka's mock cluster in a process of its own,
//! so external programs (Burrow, a second Warren) can share it. Prints the bootstrap address on
//! the first line of stdout, then runs until killed.

use std::io::Write;

use anyhow::Context;
use rdkafka::mocking::MockCluster;

/// Parses `name:partitions`.
fn parse(spec: &str) -> anyhow::Result<(&str, i32)> {
    let (name, partitions) = spec
        .split_once(':')
        .with_context(|| format!("{spec:?}: expected TOPIC:PARTITIONS"))?;
    let partitions: i32 = partitions
        .parse()
        .with_context(|| format!("{spec:?}: partitions must be a number"))?;
    anyhow::ensure!(
        !name.is_empty() && partitions > 0,
        "{spec:?}: expected a name and at least one partition"
    );
    Ok((name, partitions))
}

/// Runs the broker until the process is killed or stdin... never returns on success.
pub fn run(topics: &[String], brokers: i32) -> anyhow::Result<()> {
    let specs: Vec<(&str, i32)> = topics.iter().map(|t| parse(t)).collect::<Result<_, _>>()?;
    let mock = MockCluster::new(brokers).context("starting the mock cluster")?;
    for (name, partitions) in specs {
        mock.create_topic(name, partitions, 1)
            .with_context(|| format!("creating topic {name}"))?;
    }
    println!("{}", mock.bootstrap_servers());
    std::io::stdout().flush()?;
    loop {
        std::thread::park();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_specs_need_a_name_and_partitions() {
        assert_eq!(parse("t0:16").unwrap(), ("t0", 16));
        assert!(parse("t0").is_err());
        assert!(parse(":3").is_err());
        assert!(parse("t:0").is_err());
        assert!(parse("t:x").is_err());
    }
}
