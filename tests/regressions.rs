//! Every input that once crashed or hung a fuzz target (`fuzz/`), kept under
//! `tests/regressions/TARGET/` and run here through the same harness as the target:
//! no panic, no stack overflow, and every record read yields exactly one decision.
//!
//! Loader inputs start with one flags byte, as the fuzz targets read them (see
//! `fuzz/fuzz_targets/common.rs`): bits 0-1 the delimiter (1 `;`, 2 tab), bit 2
//! `--strict`, bit 3 `--decimal-comma`, and for `json_load` bits 4-5 the format
//! (0 JSON, 1 JSON Lines, otherwise sniffed).

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // tests may panic

use std::path::{Path, PathBuf};

use sweetspot::io::{read_from, InputFormat, InputOptions, ReadOptions};
use sweetspot::Policy;

fn inputs(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/regressions")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

fn policy() -> Policy {
    Policy::load(Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/icp.icp")).unwrap()
}

/// Runs `f` on a thread with the stack of a program's main thread (8 MiB), where the
/// CLI runs, instead of a test thread's 2 MiB.
fn on_main_sized_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap();
}

fn load(policy: &Policy, data: &[u8], format: Option<InputFormat>, flags: u8) -> (u64, u64) {
    let options = InputOptions {
        format,
        delimiter: match flags & 3 {
            1 => Some(b';'),
            2 => Some(b'\t'),
            _ => None,
        },
        read: ReadOptions {
            strict: flags & 4 != 0,
            decimal_comma: flags & 8 != 0,
        },
    };
    let reader = Box::new(std::io::Cursor::new(data.to_vec()));
    let mut decided = 0;
    let mut sink = |record: sweetspot::Record| {
        let decision = policy.evaluate(&record);
        let _ = policy.decision_json(&decision);
        decided += 1;
        Ok(())
    };
    match read_from(reader, "input", format, &policy.schema, &options, &mut sink) {
        Ok(summary) => (summary.records, decided),
        Err(_) => (decided, decided),
    }
}

#[test]
fn parse_check_inputs() {
    let files = inputs("parse_check");
    assert!(!files.is_empty());
    on_main_sized_stack(move || {
        for file in files {
            let bytes = std::fs::read(&file).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            match sweetspot::check::check_source("fuzz.icp", &text) {
                Ok(checked) => {
                    for warning in &checked.warnings {
                        assert!(!sweetspot::diagnostics::render(warning, false, 80).is_empty());
                    }
                }
                Err(errors) => {
                    for error in &errors {
                        assert!(!sweetspot::diagnostics::render(error, false, 80).is_empty());
                    }
                }
            }
            if let Ok(formatted) = sweetspot::format::format_source("fuzz.icp", &text) {
                assert!(
                    sweetspot::format::format_source("fuzz.icp", &formatted).is_ok(),
                    "{}: formatted text does not parse",
                    file.display()
                );
            }
        }
    });
}

#[test]
fn csv_load_inputs() {
    let policy = policy();
    for file in inputs("csv_load") {
        let bytes = std::fs::read(&file).unwrap();
        let Some((&flags, rest)) = bytes.split_first() else {
            continue;
        };
        let (read, decided) = load(&policy, rest, Some(InputFormat::Csv), flags);
        assert_eq!(read, decided, "{}", file.display());
    }
}

#[test]
fn json_load_inputs() {
    let policy = policy();
    for file in inputs("json_load") {
        let bytes = std::fs::read(&file).unwrap();
        let Some((&flags, rest)) = bytes.split_first() else {
            continue;
        };
        let format = match flags >> 4 & 3 {
            0 => Some(InputFormat::Json),
            1 => Some(InputFormat::Jsonl),
            _ => None,
        };
        let (read, decided) = load(&policy, rest, format, flags & 12);
        assert_eq!(read, decided, "{}", file.display());
    }
}

/// The record-building harness of the `eval_icp` target (`fuzz/fuzz_targets/eval_icp.rs`).
mod eval_icp {
    use serde_json::{json, Map, Value};
    use sweetspot::Policy;

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
        let number = |b: &mut Bytes<'_>| {
            serde_json::Number::from_f64(b.number()).map_or(Value::Null, Value::Number)
        };
        match b.byte() % 10 {
            0 => Value::Null,
            1 => json!(b.byte().is_multiple_of(2)),
            2 => number(b),
            3 => Value::String(b.text()),
            4 if !enum_values.is_empty() => {
                Value::String(enum_values[usize::from(b.byte()) % enum_values.len()].to_string())
            }
            5 => Value::String(format!("{}", b.number())),
            6 => Value::Array((0..b.byte() % 4).map(|_| Value::String(b.text())).collect()),
            7 => Value::Array((0..b.byte() % 4).map(|_| number(b)).collect()),
            8 => json!({"nested": b.text()}),
            _ => Value::String(String::new()),
        }
    }

    pub fn run(policy: &Policy, data: &[u8]) {
        let mut b = Bytes(data);
        let mut object = Map::new();
        let mut cells: Vec<(String, String)> = Vec::new();
        for field in &policy.schema.fields {
            if b.byte().is_multiple_of(8) {
                continue;
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
        let decision = policy.evaluate(&policy.record_from_json(&Value::Object(object)));
        let _ = policy.decision_json(&decision);
        if decision.kind == sweetspot::DecisionKind::Invalid {
            assert!(decision.score.is_none() && !decision.errors.is_empty());
        } else {
            assert!(decision.score.is_some());
        }
        let record = policy.record_from_cells(cells.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let _ = policy.decision_json(&policy.evaluate(&record));
    }
}

#[test]
fn eval_icp_inputs() {
    let policy = policy();
    for file in inputs("eval_icp") {
        eval_icp::run(&policy, &std::fs::read(&file).unwrap());
    }
}
