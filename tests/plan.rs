//! The compiled plan decides exactly as the straightforward reference evaluator:
//! on the shipped examples, on every case policy, and on thousands of random records.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // tests may panic

mod common;

use std::path::{Path, PathBuf};

use common::random_record;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use sweetspot::eval::{decide, SlotDecision, SlotPlan};
use sweetspot::io::{read_batches, read_records, InputBatch, InputOptions, InputSource};
use sweetspot::Policy;

fn assert_same(
    policy: &Policy,
    records: impl IntoIterator<Item = sweetspot::Record>,
    what: &str,
) -> usize {
    let mut n = 0;
    for record in records {
        let reference = decide(policy, &record);
        assert_eq!(policy.evaluate(&record), reference, "{what}: {record:?}");
        if let Some(slots) = policy.plan().slots() {
            assert_eq!(
                by_slots(slots, &record),
                reference,
                "{what} (slots): {record:?}"
            );
        }
        n += 1;
    }
    n
}

/// The record decided in typed-slot form, every outcome expanded.
fn by_slots(slots: &SlotPlan, record: &sweetspot::Record) -> sweetspot::Decision {
    let mut words = vec![0; slots.words_per_record()];
    slots.encode(record, &mut words);
    let mut decided = SlotDecision::default();
    slots.decide(&words, &mut decided);
    let mut out = sweetspot::Decision::empty();
    slots.expand(&words, &decided, &mut out);
    out.id = record.id.clone();
    out.errors = record.errors.clone();
    out
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

/// CSV cells read straight into slot words give exactly the words of the same row
/// read as a record first and encoded then (what the benchmark decides).
#[test]
fn csv_rows_read_into_slots_match_encoded_records() {
    let policy = Policy::load("rules/icp.icp").unwrap();
    let slots = policy.plan().slots().unwrap();
    for file in ["examples/prospects.csv", "examples/prospects-de.csv"] {
        let source = InputSource::File(PathBuf::from(file));
        let options = InputOptions::default();
        let mut encoded = Vec::new();
        read_records(&source, &policy.schema, &options, &mut |record| {
            let mut words = vec![0; slots.words_per_record()];
            slots.encode(&record, &mut words);
            encoded.push((record.id, record.errors, words));
            Ok(())
        })
        .unwrap();
        let mut direct = Vec::new();
        // Batches of 7 rows: rows are read back from several batches.
        read_batches(&source, &policy.schema, &options, 7, &mut |batch| {
            let InputBatch::Csv(rows) = batch else {
                panic!("{file} is CSV")
            };
            assert!(rows.len() <= 7);
            for row in rows.iter() {
                let (record, words) = row.to_slots(&policy.schema, slots, Vec::new());
                assert!(record.values.is_empty());
                direct.push((record.id, record.errors, words));
            }
            Ok(())
        })
        .unwrap();
        assert!(direct.len() >= 15, "{file}");
        assert_eq!(direct, encoded, "{file}");
    }
}
