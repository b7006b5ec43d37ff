//! The real binary: `report`, `diff` (exit codes 0/1/2), `eval --manifest` and the
//! `policy` stamp on every `eval` output row.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // tests may panic

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use sweetspot::report::hash::{file_sha256, sha256_hex};

const FIXTURE: &str = "tests/report_fixtures/policy.icp";
const NEXT: &str = "examples/policy-change/icp-next.icp";

fn sweetspot() -> Command {
    let mut cmd = Command::cargo_bin("sweetspot").unwrap_or_else(|e| panic!("{e}"));
    cmd.env("NO_COLOR", "1");
    cmd
}

fn stdout(cmd: &mut Command, code: i32) -> String {
    let out = cmd.assert().code(code);
    String::from_utf8_lossy(&out.get_output().stdout).into_owned()
}

fn read_hash(path: &str) -> String {
    file_sha256(std::path::Path::new(path)).unwrap()
}

/// The policy hash as documented: SHA-256 over the files' hex digests, one per line.
fn expected_policy_hash(files: &[&str]) -> String {
    let list: String = files.iter().map(|f| read_hash(f) + "\n").collect();
    sha256_hex(list.as_bytes())
}

// ------------------------------------------------------------------ report

#[test]
fn report_writes_a_self_contained_html_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.html");
    sweetspot()
        .args(["report", "rules/icp.icp", "examples/prospects.csv", "-o"])
        .arg(&out)
        .assert()
        .code(0)
        .stderr(predicate::str::contains(
            "60 records from 1 input written to",
        ));
    let page = std::fs::read_to_string(&out).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("id=\"total-qualified\" data-count=\"31\""));
    assert!(page.contains(&expected_policy_hash(&[
        "rules/icp.icp",
        "rules/sanctions.icp"
    ])));
    // No partial file is left behind.
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(names.len(), 1);
}

#[test]
fn report_takes_markdown_from_the_extension_or_the_option() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.md");
    sweetspot()
        .args([
            "report",
            FIXTURE,
            "tests/report_fixtures/input.csv",
            "--now",
            "2026-01-02T03:04:05Z",
            "-o",
        ])
        .arg(&out)
        .assert()
        .code(0);
    let md = std::fs::read_to_string(&out).unwrap();
    assert!(md.starts_with("# Policy report: Report fixture (version 7)"));
    assert!(md.contains("- **Run:** 2026-01-02T03:04:05Z"));
    assert!(md.contains("| c2 | &lt;script&gt;alert(1)&lt;/script&gt; |"));
    let piped = stdout(
        sweetspot().args([
            "report",
            FIXTURE,
            "tests/report_fixtures/input.csv",
            "--format",
            "md",
            "--now",
            "2026-01-02T03:04:05Z",
        ]),
        0,
    );
    assert_eq!(piped, md);
}

#[test]
fn report_reads_standard_input() {
    let csv = std::fs::read_to_string("tests/report_fixtures/input.csv").unwrap();
    let md = stdout(
        sweetspot()
            .args(["report", FIXTURE, "-", "--format", "md"])
            .write_stdin(csv),
        0,
    );
    assert!(md.contains("  - `<stdin>`: 6 records"), "{md}");
}

#[test]
fn report_exit_codes_for_a_bad_policy_and_a_bad_input() {
    sweetspot()
        .args([
            "report",
            "tests/cases/check_unknown_field/policy.icp",
            "examples/prospects.csv",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("did not load"));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.html");
    sweetspot()
        .args(["report", "rules/icp.icp", "no-such-file.csv", "-o"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("sweetspot::input::unreadable"))
        .stderr(predicate::str::contains("no report written"));
    assert!(!out.exists());
    sweetspot()
        .args(["report", "rules/icp.icp", "examples/prospects.csv", "-o"])
        .arg(dir.path().join("missing-folder/report.html"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("sweetspot::report::write"));
}

// ------------------------------------------------------------------ diff

#[test]
fn diff_of_a_policy_with_itself_changes_nothing_and_exits_0() {
    let out = stdout(
        sweetspot().args([
            "diff",
            "rules/icp.icp",
            "rules/icp.icp",
            "examples/prospects.csv",
        ]),
        0,
    );
    assert!(out.contains("0 of 60 records change"), "{out}");
    assert!(out.contains("no record changes"), "{out}");
}

#[test]
fn diff_of_the_shipped_change_exits_1_and_names_the_rules() {
    let out = stdout(
        sweetspot().args(["diff", "rules/icp.icp", NEXT, "examples/prospects.csv"]),
        1,
    );
    assert!(out.contains("14 of 60 records change"), "{out}");
    assert!(
        out.contains("p024  review A 80 -> excluded A 80  [examples/prospects.csv:25]\n    public_sector: review -> exclude\n"),
        "{out}"
    );
    assert!(
        out.contains("p001  qualified B 32 -> qualified B 52"),
        "{out}"
    );
    assert!(out.contains("    long_term: no effect -> +20\n"), "{out}");
}

#[test]
fn diff_json_has_totals_transitions_and_changes() {
    let out = stdout(
        sweetspot().args([
            "diff",
            "rules/icp.icp",
            NEXT,
            "examples/prospects.csv",
            "--format",
            "json",
        ]),
        1,
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["totals"]["records"], 60);
    assert_eq!(v["totals"]["changed"], 14);
    assert_eq!(v["totals"]["old"]["review"], 9);
    assert_eq!(v["totals"]["new"]["review"], 5);
    assert_eq!(v["totals"]["new"]["excluded"], 19);
    let transitions = v["transitions"].as_array().unwrap();
    let sum: u64 = transitions
        .iter()
        .map(|t| t["records"].as_u64().unwrap())
        .sum();
    assert_eq!(sum, 60);
    assert!(transitions.iter().any(|t| t["from"]
        == serde_json::json!({"decision": "review", "tier": "A"})
        && t["to"] == serde_json::json!({"decision": "excluded", "tier": "A"})
        && t["records"] == 3));
    let p024 = v["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "p024")
        .unwrap();
    assert_eq!(p024["line"], 25);
    assert_eq!(
        p024["rules"],
        serde_json::json!([{
            "rule": "public_sector",
            "old": {"effect": "review", "points": 0},
            "new": {"effect": "exclude", "points": 0}
        }])
    );
    assert_eq!(v["old"]["version"], 3);
    assert_eq!(v["new"]["version"], 4);
}

#[test]
fn diff_html_is_a_page_with_the_matrix() {
    let out = stdout(
        sweetspot().args([
            "diff",
            "rules/icp.icp",
            NEXT,
            "examples/prospects.csv",
            "--format",
            "html",
        ]),
        1,
    );
    let doc = scraper::Html::parse_document(&out);
    let sel = scraper::Selector::parse("#changed-count").unwrap();
    let count: String = doc.select(&sel).next().unwrap().text().collect();
    assert_eq!(count, "14");
    let sel = scraper::Selector::parse("table.matrix td.changed").unwrap();
    let changed: u64 = doc
        .select(&sel)
        .map(|td| td.text().collect::<String>().parse::<u64>().unwrap())
        .sum();
    assert_eq!(changed, 10); // 4 more change only their score
}

#[test]
fn diff_exits_2_on_errors() {
    // A policy that does not load.
    sweetspot()
        .args([
            "diff",
            "rules/icp.icp",
            "tests/cases/check_unknown_field/policy.icp",
            "examples/prospects.csv",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("sweetspot::check::unknown_field"));
    // An input that cannot be read.
    sweetspot()
        .args(["diff", "rules/icp.icp", NEXT, "no-such-file.csv"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("sweetspot::input::unreadable"));
    // Standard input cannot be read twice.
    sweetspot()
        .args(["diff", "rules/icp.icp", NEXT, "-"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("sweetspot::diff::stdin"));
    // A JSON file that breaks part-way.
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "[{\"id\": \"a\"}, {\"id\": ").unwrap();
    sweetspot()
        .args(["diff", "rules/icp.icp", NEXT])
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("sweetspot::input::bad_json"));
}

#[test]
fn diff_pairs_records_when_the_schemas_differ() {
    // The new policy adds an optional field and a rule reading it.
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.icp");
    let new = dir.path().join("new.icp");
    std::fs::write(
        &old,
        "policy \"P\" version 1\nrecord { id: text key\n n: number }\nscore big +10 when n > 5\n",
    )
    .unwrap();
    std::fs::write(
        &new,
        "policy \"P\" version 2\nrecord { id: text key\n n: number\n vip: bool? }\nscore big +10 when n > 5\nscore star +5 when vip\n",
    )
    .unwrap();
    let input = dir.path().join("in.csv");
    std::fs::write(&input, "id,n,vip\na,1,\nb,9,yes\nc,9,no\n").unwrap();
    let out = stdout(sweetspot().arg("diff").arg(&old).arg(&new).arg(&input), 1);
    assert!(out.contains("1 of 3 records change"), "{out}");
    assert!(out.contains("b  qualified 10 -> qualified 15"), "{out}");
    assert!(out.contains("    star: not in policy -> +5"), "{out}");
}

// ------------------------------------------------------------------ audit trail

#[test]
fn every_eval_row_carries_the_policy_stamp() {
    let hash = expected_policy_hash(&[FIXTURE, "tests/report_fixtures/compliance.icp"]);
    let stamp = serde_json::json!({"name": "Report fixture", "version": 7, "hash": hash});
    for format in ["jsonl", "json"] {
        let out = stdout(
            sweetspot().args([
                "eval",
                FIXTURE,
                "tests/report_fixtures/input.csv",
                "--format",
                format,
            ]),
            0,
        );
        let rows: Vec<Value> = if format == "json" {
            serde_json::from_str(&out).unwrap()
        } else {
            out.lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect()
        };
        assert_eq!(rows.len(), 6);
        for row in &rows {
            assert_eq!(row["policy"], stamp, "{format}: {row}");
        }
    }
    let csv = stdout(
        sweetspot().args([
            "eval",
            FIXTURE,
            "tests/report_fixtures/input.csv",
            "--format",
            "csv",
        ]),
        0,
    );
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("id,decision,tier,score,exclusions,reviews,policy,policy_version,policy_hash")
    );
    assert_eq!(
        lines.next(),
        Some(format!("c1,qualified,A,30,,,Report fixture,7,{hash}").as_str())
    );
}

#[test]
fn eval_manifest_records_hashes_and_counts() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("run.json");
    let output = dir.path().join("decisions.jsonl");
    sweetspot()
        .args([
            "eval",
            FIXTURE,
            "tests/report_fixtures/input.csv",
            "tests/report_fixtures/input2.jsonl",
            "--manifest",
        ])
        .arg(&manifest)
        .arg("-o")
        .arg(&output)
        .assert()
        .code(0);
    let m: Value = serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    assert_eq!(m["manifest_version"], 1);
    assert_eq!(m["tool"]["name"], "sweetspot");
    assert_eq!(m["tool"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(m["policy"]["name"], "Report fixture");
    assert_eq!(m["policy"]["version"], 7);
    assert_eq!(
        m["policy"]["hash"],
        expected_policy_hash(&[FIXTURE, "tests/report_fixtures/compliance.icp"])
    );
    assert_eq!(
        m["policy"]["files"],
        serde_json::json!([
            {"path": FIXTURE, "sha256": read_hash(FIXTURE)},
            {"path": "tests/report_fixtures/compliance.icp",
             "sha256": read_hash("tests/report_fixtures/compliance.icp")},
        ])
    );
    assert_eq!(
        m["inputs"],
        serde_json::json!([
            {"path": "tests/report_fixtures/input.csv",
             "sha256": read_hash("tests/report_fixtures/input.csv"), "records": 6},
            {"path": "tests/report_fixtures/input2.jsonl",
             "sha256": read_hash("tests/report_fixtures/input2.jsonl"), "records": 2},
        ])
    );
    assert_eq!(m["records"], 8);
    assert_eq!(
        m["decisions"],
        serde_json::json!({"qualified": 2, "review": 2, "excluded": 2, "invalid": 2})
    );
    assert_eq!(m["output"]["format"], "jsonl");
    assert_eq!(
        m["output"]["sha256"],
        file_sha256(&output).unwrap().as_str()
    );
    assert_eq!(m["options"]["strict"], false);
    assert!(m["generated_at"].as_str().unwrap().ends_with('Z'));
}

#[test]
fn eval_manifest_is_not_written_when_an_input_fails() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("run.json");
    sweetspot()
        .args(["eval", FIXTURE, "no-such-file.csv", "--manifest"])
        .arg(&manifest)
        .assert()
        .code(2);
    assert!(!manifest.exists());
}
