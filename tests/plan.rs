//! The compiled plan decides exactly as the straightforward reference evaluator:
//! on the shipped examples, on every case policy, and on thousands of random records.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // tests may panic

use std::path::{Path, PathBuf};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Map, Value};
use sweetspot::check::FieldType;
use sweetspot::eval::decide;
use sweetspot::io::{read_records, InputOptions, InputSource};
use sweetspot::Policy;

/// A random JSON record for the policy's schema: each field missing, of the right type
/// (drawn near the policy's own constants), or now and then of a wrong type.
fn random_record(policy: &Policy, rng: &mut ChaCha8Rng) -> Value {
    let mut map = Map::new();
    for field in &policy.schema.fields {
        if rng.random_bool(0.15) {
            continue;
        }
        let value = match &field.ty {
            FieldType::Number => json!(
                [-1.0, 0.0, 1.0, 12.0, 36.0, 50.0, 200.0, 5000.0, 200000.0, 1e6]
                    [rng.random_range(0..10)]
                    + if rng.random_bool(0.3) {
                        rng.random_range(-3.0..3.0)
                    } else {
                        0.0
                    }
            ),
            FieldType::Text => json!(["DE", "IR", "US", "AT", "x", ""][rng.random_range(0..6)]),
            FieldType::Bool => json!(rng.random_bool(0.5)),
            FieldType::Enum(values) => {
                let v = values[rng.random_range(0..values.len())];
                json!(policy.schema.enum_name(v))
            }
            FieldType::TextList => {
                let n = rng.random_range(0..3);
                json!((0..n)
                    .map(|_| ["salesforce", "sap", "x"][rng.random_range(0..3)])
                    .collect::<Vec<_>>())
            }
            FieldType::NumberList => json!((0..rng.random_range(0..3))
                .map(|i| i as f64)
                .collect::<Vec<_>>()),
        };
        map.insert(field.name.clone(), value);
    }
    Value::Object(map)
}

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
