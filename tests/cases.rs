//! Runs every case folder under `tests/cases/` through the real `sweetspot` binary:
//! policy + input + expected JSONL, or a policy that must be rejected with a code.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // tests may panic

use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn sweetspot() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sweetspot"))
}

/// Whether `got` has every key of `expected` with an equal value; inside `errors`
/// entries only the keys given are compared.
fn matches(expected: &Value, got: &Value, path: &str, diffs: &mut Vec<String>) {
    match (expected, got) {
        (Value::Object(e), Value::Object(g)) => {
            for (k, ev) in e {
                match g.get(k) {
                    Some(gv) => matches(ev, gv, &format!("{path}.{k}"), diffs),
                    None => diffs.push(format!("{path}.{k}: missing in output")),
                }
            }
        }
        (Value::Array(e), Value::Array(g)) => {
            if e.len() != g.len() {
                diffs.push(format!("{path}: expected {expected}, got {got}"));
                return;
            }
            for (i, (ev, gv)) in e.iter().zip(g).enumerate() {
                matches(ev, gv, &format!("{path}[{i}]"), diffs);
            }
        }
        (Value::Number(e), Value::Number(g)) => {
            if e.as_f64() != g.as_f64() {
                diffs.push(format!("{path}: expected {e}, got {g}"));
            }
        }
        _ => {
            if expected != got {
                diffs.push(format!("{path}: expected {expected}, got {got}"));
            }
        }
    }
}

fn run_case(dir: &Path) -> Result<(), String> {
    let policy = dir.join("policy.icp");
    if let Ok(code) = std::fs::read_to_string(dir.join("expected_error.txt")) {
        let code = code.trim();
        let out = sweetspot()
            .arg("check")
            .arg(&policy)
            .env("NO_COLOR", "1")
            .output()
            .map_err(|e| e.to_string())?;
        let stderr = String::from_utf8_lossy(&out.stderr);
        if out.status.code() != Some(1) {
            return Err(format!("check exited {:?}, expected 1", out.status.code()));
        }
        if !stderr.contains(code) {
            return Err(format!("expected code {code} in:\n{stderr}"));
        }
        return Ok(());
    }
    let input = ["input.csv", "input.jsonl", "input.json"]
        .iter()
        .map(|n| dir.join(n))
        .find(|p| p.exists())
        .ok_or("no input file")?;
    let mut cmd = sweetspot();
    cmd.arg("eval")
        .arg(&policy)
        .arg(&input)
        .args(["--format", "jsonl"]);
    if let Ok(args) = std::fs::read_to_string(dir.join("args.txt")) {
        cmd.args(args.lines().map(str::trim).filter(|l| !l.is_empty()));
    }
    let out = cmd.output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!(
            "eval exited {:?}:\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let got: Vec<Value> = stdout
        .lines()
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()
        .map_err(|e| format!("output is not JSONL: {e}"))?;
    let expected_text =
        std::fs::read_to_string(dir.join("expected.jsonl")).map_err(|e| e.to_string())?;
    let expected: Vec<Value> = expected_text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()
        .map_err(|e| format!("expected.jsonl is not JSONL: {e}"))?;
    if expected.len() != got.len() {
        return Err(format!(
            "expected {} rows, got {}:\n{stdout}",
            expected.len(),
            got.len()
        ));
    }
    let mut diffs = Vec::new();
    for (i, (e, g)) in expected.iter().zip(&got).enumerate() {
        matches(e, g, &format!("row {}", i + 1), &mut diffs);
    }
    if diffs.is_empty() {
        Ok(())
    } else {
        Err(diffs.join("\n"))
    }
}

#[test]
fn conformance_cases() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    dirs.retain(|d| d.is_dir());
    dirs.sort();
    assert!(
        dirs.len() >= 30,
        "expected at least 30 cases, found {}",
        dirs.len()
    );
    let mut failures = Vec::new();
    for dir in &dirs {
        if let Err(e) = run_case(dir) {
            failures.push(format!(
                "--- {}\n{e}",
                dir.file_name()
                    .map(|n| n.to_string_lossy())
                    .unwrap_or_default()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        dirs.len(),
        failures.join("\n")
    );
}
