//! Helpers shared by the integration tests.

#![allow(dead_code, clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Map, Value};
use sweetspot::check::FieldType;
use sweetspot::Policy;

/// A random JSON record for the policy's schema: each field missing, of the right type
/// (drawn near the policy's own constants), or now and then of a wrong type.
pub fn random_record(policy: &Policy, rng: &mut ChaCha8Rng) -> Value {
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
