//! End to end on 100,000 generated records: read the CSV, decide every record with
//! `rules/icp.icp`, encode the JSONL decisions, through the same parallel pipeline as
//! `sweetspot eval` (output into a sink, so disk speed does not count). The 1,000,000
//! record run of the real binary is described in docs/performance.md.
//!
//! `cargo bench --bench e2e`

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a benchmark may stop

use std::path::PathBuf;
use std::process::Command;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use sweetspot::io::{DecisionWriter, InputOptions, InputSource, OutputFormat};
use sweetspot::Policy;

const RECORDS: u64 = 100_000;

// The same allocator as the `sweetspot` binary.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The generated input, made once with the shipped generator.
fn input() -> PathBuf {
    let path = std::env::temp_dir().join(format!("sweetspot-bench-{RECORDS}.csv"));
    if !path.exists() {
        let out = Command::new(env!("CARGO"))
            .args([
                "run",
                "--release",
                "--quiet",
                "--example",
                "gen_records",
                "--",
            ])
            .args(["--count", &RECORDS.to_string(), "--seed", "7"])
            .output()
            .expect("the generator runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::write(&path, out.stdout).unwrap();
    }
    path
}

fn bench(c: &mut Criterion) {
    let policy = Policy::load("rules/icp.icp").unwrap();
    let source = InputSource::File(input());
    let mut group = c.benchmark_group("end to end (100k CSV records → JSONL)");
    group.sample_size(10);
    group.throughput(Throughput::Elements(RECORDS));
    for (name, explain) in [("eval", false), ("eval --explain", true)] {
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut writer =
                    DecisionWriter::new(std::io::sink(), OutputFormat::Jsonl).for_policy(&policy);
                if explain {
                    writer = writer.with_outcomes(&policy);
                }
                let mut counts = [0; 4];
                sweetspot::run::evaluate_source(
                    &policy,
                    &source,
                    &InputOptions::default(),
                    &mut writer,
                    &mut counts,
                    &mut |_| {},
                )
                .unwrap();
                assert_eq!(counts.iter().sum::<u64>(), RECORDS);
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
