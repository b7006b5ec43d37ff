//! Checking a large policy: a generated policy with 10,000 rules (plus lists and tiers)
//! is parsed and type-checked from text, the way `sweetspot check` does it. The figure
//! is in docs/performance.md ("Checking").
//!
//! `cargo bench --bench check`

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a benchmark may stop

use std::fmt::Write as _;
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

/// A policy with `rules` rules of every kind, conditions of several shapes.
pub fn large_policy(rules: usize) -> String {
    let mut p = String::from(
        "policy \"Large\" version 1\n\nrecord {\n  id: text key\n  country: text\n  \
         industry: one of (software, retail, energy, defense)\n  employees: number\n  \
         deal_value: number\n  nps: number?\n  reference: bool?\n  tags: list of text?\n}\n\n\
         list blocked = [\"IR\", \"KP\", \"SY\"]\nlist risky = [energy, defense]\n\n",
    );
    for i in 0..rules {
        match i % 5 {
            0 => writeln!(
                p,
                "exclude r{i} when country in blocked and employees > {i} because \"rule {i}\""
            ),
            1 => writeln!(
                p,
                "review r{i} when industry in risky or deal_value >= {} on missing review because \"rule {i}\"",
                i * 10
            ),
            2 => writeln!(
                p,
                "score r{i} +{} when employees between {} and {}",
                i % 40,
                i,
                i * 2
            ),
            3 => writeln!(
                p,
                "score r{i} (clamp(deal_value / 10_000, 0, {})) when not reference",
                i % 15
            ),
            _ => writeln!(
                p,
                "score r{i} -5 when nps < 30 and (\"crm\" in tags or lower(country) == \"de\")"
            ),
        }
        .unwrap();
    }
    p.push_str("\ntier A when score >= 60\ntier B when score >= 30\ntier C otherwise\n");
    p
}

fn check(c: &mut Criterion) {
    let text = large_policy(10_000);
    assert!(sweetspot::Policy::parse("large.icp", &text).is_ok());
    let mut group = c.benchmark_group("check");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.sample_size(20);
    group.bench_function("10000_rules", |b| {
        b.iter(|| sweetspot::check::check_source("large.icp", black_box(&text)).unwrap())
    });
    group.finish();
}

criterion_group!(benches, check);
criterion_main!(benches);
