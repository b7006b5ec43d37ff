//! Evaluation of random records against the shipped `rules/icp.icp`: each field gets a
//! value of its type, of a wrong type, or none, built from the fuzzer's bytes; the record
//! is built both from JSON and from text cells.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::{json, Map, Value};

#[path = "common.rs"]
mod common;

struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((b, rest)) => {
                self.0 = rest;
                *b
            }
            None => 0,
        }
    }

    fn number(&mut self) -> f64 {
        match self.byte() % 6 {
            0 => f64::from(self.byte()) - 128.0,
            1 => f64::from(u16::from_le_bytes([self.byte(), self.byte()])) * 10.0,
            2 => f64::from_le_bytes(std::array::from_fn(|_| self.byte())),
            3 => 0.0,
            4 => -0.0,
            _ => f64::from(self.byte()) / 7.0,
        }
    }

    fn text(&mut self) -> String {
        let len = usize::from(self.byte() % 12);
        let raw: Vec<u8> = (0..len).map(|_| self.byte()).collect();
        String::from_utf8_lossy(&raw).into_owned()
    }
}

fn value(b: &mut Bytes<'_>, enum_values: &[&str]) -> Value {
    match b.byte() % 10 {
        0 => Value::Null,
        1 => json!(b.byte().is_multiple_of(2)),
        2 => serde_json::Number::from_f64(b.number()).map_or(Value::Null, Value::Number),
        3 => Value::String(b.text()),
        4 if !enum_values.is_empty() => {
            Value::String(enum_values[usize::from(b.byte()) % enum_values.len()].to_string())
        }
        5 => Value::String(format!("{}", b.number())),
        6 => Value::Array((0..b.byte() % 4).map(|_| Value::String(b.text())).collect()),
        7 => Value::Array(
            (0..b.byte() % 4)
                .map(|_| serde_json::Number::from_f64(b.number()).map_or(Value::Null, Value::Number))
                .collect(),
        ),
        8 => json!({"nested": b.text()}),
        _ => Value::String(String::new()),
    }
}

fuzz_target!(|data: &[u8]| {
    let policy = common::policy();
    let mut b = Bytes(data);
    let mut object = Map::new();
    let mut cells: Vec<(String, String)> = Vec::new();
    for field in &policy.schema.fields {
        if b.byte().is_multiple_of(8) {
            continue; // absent
        }
        let enum_values: Vec<&str> = match &field.ty {
            sweetspot::check::FieldType::Enum(values) => {
                values.iter().map(|v| policy.schema.enum_name(*v)).collect()
            }
            _ => Vec::new(),
        };
        let v = value(&mut b, &enum_values);
        let cell = match &v {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        };
        object.insert(field.name.clone(), v);
        cells.push((field.name.clone(), cell));
    }
    if b.byte().is_multiple_of(4) {
        object.insert("not_a_field".to_string(), Value::String(b.text()));
    }
    let record = policy.record_from_json(&Value::Object(object));
    let decision = policy.evaluate(&record);
    let row = policy.decision_json(&decision);
    assert!(row.get("decision").is_some());
    if decision.kind == sweetspot::DecisionKind::Invalid {
        assert!(decision.score.is_none() && !decision.errors.is_empty());
    } else {
        assert!(decision.score.is_some(), "a valid record has a score");
    }
    let record = policy.record_from_cells(cells.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let decision = policy.evaluate(&record);
    let _ = policy.decision_json(&decision);
});
