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
