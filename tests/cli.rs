//! The real `sweetspot` binary over the shipped `rules/` and `examples/`: every command
//! and exit code.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // tests may panic

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn sweetspot() -> Command {
    let mut cmd = Command::cargo_bin("sweetspot").unwrap_or_else(|e| panic!("{e}"));
    cmd.env("NO_COLOR", "1");
    cmd
}

fn stdout_of(args: &[&str]) -> String {
    let out = sweetspot().args(args).assert().success();
    String::from_utf8_lossy(&out.get_output().stdout).into_owned()
}

/// Data rows of a CSV file, read with the same delimiter rule as the tool.
fn csv_rows(path: &str, delimiter: u8) -> Vec<csv::StringRecord> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_path(path)
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    reader.records().map(|r| r.unwrap_or_default()).collect()
}

#[test]
fn check_accepts_the_shipped_policy() {
    sweetspot()
        .args(["check", "rules/icp.icp"])
        .assert()
        .code(0)
        .stderr(predicate::str::contains(
            "ok: rules/icp.icp — policy \"ICP FY2027\" version 3: 2 files",
        ));
}

#[test]
fn check_rejects_a_bad_policy_with_exit_1() {
    sweetspot()
        .args(["check", "tests/cases/check_unknown_field/policy.icp"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("sweetspot::check::unknown_field"));
}

#[test]
fn eval_writes_one_row_per_example_record_in_input_order() {
    for (path, delimiter) in [
        ("examples/prospects.csv", b','),
        ("examples/prospects-de.csv", b';'),
    ] {
        let rows = csv_rows(path, delimiter);
        let out = stdout_of(&["eval", "rules/icp.icp", path, "--format", "jsonl"]);
        let decisions: Vec<Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or(Value::Null))
            .collect();
        assert_eq!(decisions.len(), rows.len(), "{path}");
        for (row, decision) in rows.iter().zip(&decisions) {
            // `id` is the first column of both shipped CSVs.
            assert_eq!(decision["id"], Value::String(row[0].to_string()), "{path}");
        }
    }
    let out = stdout_of(&["eval", "rules/icp.icp", "examples/prospect.json"]);
    assert_eq!(out.lines().count(), 1);
}

#[test]
fn eval_summary_and_decisions_on_the_examples() {
    sweetspot()
        .args(["eval", "rules/icp.icp", "examples/prospects.csv", "--format", "csv"])
        .assert()
        .code(0)
        .stderr(predicate::str::contains(
            "sweetspot: 60 records from 1 input: 31 qualified, 9 review, 15 excluded, 5 invalid",
        ))
        .stdout(predicate::str::starts_with(
            "id,decision,tier,score,exclusions,reviews,policy,policy_version,policy_hash\np001,qualified,B,32,,,ICP FY2027,3,",
        ));
}

#[test]
fn eval_json_array_and_text_formats() {
    let out = stdout_of(&[
        "eval",
        "rules/icp.icp",
        "examples/prospects.csv",
        "--format",
        "json",
    ]);
    let parsed: Value = serde_json::from_str(&out).unwrap_or(Value::Null);
    assert_eq!(parsed.as_array().map(Vec::len), Some(60));
    let text = stdout_of(&[
        "eval",
        "rules/icp.icp",
        "examples/prospects.csv",
        "--format",
        "text",
    ]);
    assert_eq!(text.lines().count(), 61);
    assert!(text.starts_with("id           decision   tier   score  why\n"));
    assert!(text.contains("p002         excluded   B         50  excluded by sanctioned_country; review: public_sector\n"));
}

#[test]
fn eval_reads_stdin_and_several_inputs_in_order() {
    let out = sweetspot()
        .args(["eval", "rules/icp.icp", "-", "examples/prospect.json"])
        .write_stdin("{\"id\":\"s1\",\"name\":\"A\",\"country\":\"IR\",\"industry\":\"software\",\"employees\":5,\"deal_value\":1,\"revenue_type\":\"services\",\"contract_term_months\":1,\"sector\":\"private\",\"in_merger\":false}\n")
        .assert()
        .code(0);
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    let rows: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or(Value::Null))
        .collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["id"], "s1");
    assert_eq!(rows[0]["decision"], "excluded");
    assert_eq!(
        rows[0]["exclusions"],
        serde_json::json!(["sanctioned_country"])
    );
}

#[test]
fn eval_exit_codes_for_bad_policy_and_unreadable_input() {
    sweetspot()
        .args([
            "eval",
            "tests/cases/check_missing_because/policy.icp",
            "examples/prospects.csv",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "sweetspot::check::missing_because",
        ));
    sweetspot()
        .args(["eval", "rules/icp.icp", "examples/nope.csv"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "cannot read input `examples/nope.csv`",
        ));
    sweetspot()
        .args(["eval", "rules/icp.icp", "examples"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("it is a directory"));
}

#[test]
fn eval_duplicate_header_stops_with_exit_2() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("dup.csv");
    std::fs::write(&path, "id,id\n1,2\n").unwrap_or_else(|e| panic!("{e}"));
    sweetspot()
        .args(["eval", "rules/icp.icp"])
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "column `id` appears twice in the header",
        ));
}

#[test]
fn eval_output_file_is_complete_and_leaves_no_partial_file() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let out = dir.path().join("out.csv");
    sweetspot()
        .args(["eval", "rules/icp.icp", "examples/prospects.csv", "-o"])
        .arg(&out)
        .assert()
        .code(0);
    let written = std::fs::read_to_string(&out).unwrap_or_default();
    assert_eq!(
        written.lines().count(),
        61,
        "csv from the .csv extension, with header"
    );
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert_eq!(names.len(), 1, "{names:?}");
}

#[test]
fn test_runs_policy_tests_and_prints_the_count_last() {
    let out = sweetspot().args(["test", "rules/"]).assert().code(0);
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert_eq!(stdout.lines().last(), Some("20 passed, 0 failed"));
}

#[test]
fn test_reports_a_failing_expectation_with_exit_1() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("p.icp");
    std::fs::write(
        &path,
        "policy \"P\" version 1\nrecord { id: text key, n: number }\nscore big +10 when n > 5\nexample e { id: \"1\", n: 3 }\ntest \"big n\" { given e with { n: 9 } expect score 10 }\ntest \"wrong\" { given e expect score 10 }\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    sweetspot()
        .arg("test")
        .arg(&path)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("expected score 10, got 0"))
        .stdout(predicate::str::ends_with("1 passed, 1 failed\n"));
}

#[test]
fn test_counts_a_policy_that_does_not_load_as_one_failure() {
    sweetspot()
        .args(["test", "tests/cases/check_unknown_field/policy.icp"])
        .assert()
        .code(1)
        .stdout(predicate::str::ends_with("0 passed, 1 failed\n"));
}

#[test]
fn fmt_check_and_rewrite() {
    sweetspot()
        .args(["fmt", "--check", "rules/"])
        .assert()
        .code(0)
        .stdout("");
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("p.icp");
    let messy = "policy \"P\" version 1   # mine\nrecord{id:text key}\nscore   a 5\n";
    std::fs::write(&path, messy).unwrap_or_else(|e| panic!("{e}"));
    sweetspot()
        .args(["fmt", "--check"])
        .arg(&path)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("p.icp"));
    assert_eq!(
        std::fs::read_to_string(&path).unwrap_or_default(),
        messy,
        "--check changes nothing"
    );
    sweetspot().arg("fmt").arg(&path).assert().code(0);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap_or_default(),
        "policy \"P\" version 1  # mine\n\nrecord {\n  id: text key\n}\n\nscore a 5\n"
    );
    sweetspot()
        .args(["fmt", "--check"])
        .arg(&path)
        .assert()
        .code(0);
}

#[test]
fn numeric_key_ids_print_as_integers_when_whole() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("p.icp");
    let input = dir.path().join("i.csv");
    std::fs::write(
        &policy,
        "policy \"N\" version 1\nrecord { id: number key }\n",
    )
    .unwrap();
    std::fs::write(&input, "id\n007\n7.5\n").unwrap();
    let out = sweetspot()
        .args(["eval", "--format", "jsonl"])
        .arg(&policy)
        .arg(&input)
        .assert()
        .code(0);
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    let ids: Vec<&str> = stdout
        .lines()
        .map(|l| &l[..l.find(',').unwrap_or(0)])
        .collect();
    assert_eq!(ids, ["{\"id\":7", "{\"id\":7.5"]);
}

#[test]
fn expect_excluded_by_a_rule_that_only_sent_the_record_to_review_fails() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.icp");
    std::fs::write(
        &path,
        "policy \"P\" version 1\nrecord { id: text key, a: number, b: number }\n\
         exclude big when a > 10 because \"too big\"\nreview rb when b > 1 because \"look\"\n\
         example ex { id: \"1\", a: 12, b: 5 }\n\
         test \"excluded by a review rule\" { given ex expect excluded by rb }\n\
         test \"excluded by the exclude rule\" { given ex expect excluded by big }\n\
         test \"the review is listed\" { given ex with { a: 1 } expect review by rb }\n",
    )
    .unwrap();
    sweetspot()
        .arg("test")
        .arg(&path)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "expected rule `rb` among the decision's exclusions, got [big]",
        ))
        .stdout(predicate::str::ends_with("2 passed, 1 failed\n"));
}

#[test]
fn large_whole_numbers_print_as_integers() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("p.icp");
    std::fs::write(
        &policy,
        "policy \"N\" version 1\nrecord { id: text key, a: number }\nscore s (a)\n",
    )
    .unwrap();
    let out = sweetspot()
        .args(["eval", "--format", "jsonl"])
        .arg(&policy)
        .arg("-")
        .write_stdin("{\"id\":\"1\",\"a\":9007199254740991}\n{\"id\":\"2\",\"a\":1e20}\n")
        .assert()
        .code(0);
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(stdout.contains("\"score\":9007199254740991,"), "{stdout}");
    assert!(
        stdout.contains("\"score\":100000000000000000000,"),
        "{stdout}"
    );
}
