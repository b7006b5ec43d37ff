//! The compiled plan decides exactly as the straightforward reference evaluator:
//! on the shipped examples, on every case policy, and on thousands of random records.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // tests may panic

mod common;

use std::path::{Path, PathBuf};

use common::random_record;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use sweetspot::eval::decide;
use sweetspot::io::{read_records, InputOptions, InputSource};
use sweetspot::Policy;

fn assert_same(
    policy: &Policy,
    records: impl IntoIterator<Item = sweetspot::Record>,
    what: &str,
) -> usize {
    let mut n = 0;
    for record in records {
        assert_eq!(
            policy.evaluate(&record),
            decide(policy, &record),
            "{what}: {record:?}"
        );
        n += 1;
    }
    n
}

#[test]
fn plan_matches_reference_on_the_examples() {
    let policy = Policy::load("rules/icp.icp").unwrap();
    for file in [
        "examples/prospects.csv",
        "examples/prospects-de.csv",
        "examples/prospect.json",
    ] {
        let mut records = Vec::new();
        read_records(
            &InputSource::File(PathBuf::from(file)),
            &policy.schema,
            &InputOptions::default(),
            &mut |r| {
                records.push(r);
                Ok(())
            },
        )
        .unwrap();
        assert_same(&policy, records, file);
    }
}

#[test]
fn plan_matches_reference_on_random_records_for_every_policy() {
    let mut policies = vec![PathBuf::from("rules/icp.icp")];
    for entry in std::fs::read_dir("tests/cases").unwrap().flatten() {
        let p = entry.path().join("policy.icp");
        if Path::new(&p).exists() {
            policies.push(p);
        }
    }
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut total = 0;
    for path in policies {
        let Ok(policy) = Policy::load(&path) else {
            continue;
        };
        let count = if path.ends_with("icp.icp") { 3000 } else { 100 };
        let records: Vec<_> = (0..count)
            .map(|_| policy.record_from_json(&random_record(&policy, &mut rng)))
            .collect();
        total += assert_same(&policy, records, &path.display().to_string());
    }
    assert!(total > 8000, "{total}");
}

/// The shipped policy and most case policies are decided in typed-slot form; the
/// rest (text compared with text, `lower`, `len`, number lists) by the tree.
#[test]
fn typed_slots_cover_the_shipped_policy_and_most_cases() {
    let policy = Policy::load("rules/icp.icp").unwrap();
    assert!(policy.plan().slots().is_some());
    let mut covered = Vec::new();
    let mut not_covered = Vec::new();
    for entry in std::fs::read_dir("tests/cases").unwrap().flatten() {
        let p = entry.path().join("policy.icp");
        let Ok(policy) = Policy::load(&p) else {
            continue;
        };
        let name = entry.file_name().to_string_lossy().to_string();
        match sweetspot::eval::SlotPlan::compile(&policy) {
            Ok(_) => covered.push(name),
            Err(why) => not_covered.push(format!("{name}: {why}")),
        }
    }
    not_covered.sort();
    eprintln!("{} covered; not covered: {not_covered:#?}", covered.len());
    assert!(covered.len() > 40, "{}", covered.len());
}

/// Every shape the typed-slot form compiles, with several fields missing at once: the
/// order of missing fields and Kleene logic must match the reference exactly.
#[test]
fn typed_slots_match_reference_on_every_shape() {
    let policy = Policy::load("tests/plan/shapes.icp").unwrap();
    assert!(
        policy.plan().slots().is_some(),
        "{:?}",
        sweetspot::eval::SlotPlan::compile(&policy).err()
    );
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let records: Vec<_> = (0..5000)
        .map(|_| policy.record_from_json(&random_record(&policy, &mut rng)))
        .collect();
    let several_missing = records
        .iter()
        .map(|r| policy.evaluate(r))
        .filter(|d| d.outcomes.iter().any(|o| o.missing.len() > 1))
        .count();
    assert!(several_missing > 500, "{several_missing}");
    assert_same(&policy, records, "shapes.icp");
}
