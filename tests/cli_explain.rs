//! `sweetspot explain` through the real binary: every way to name a record, both
//! formats and the exit codes.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // tests may panic

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn sweetspot() -> Command {
    let mut cmd = Command::cargo_bin("sweetspot").unwrap();
    cmd.env("NO_COLOR", "1");
    cmd
}

#[test]
fn explain_by_id_from_a_csv() {
    sweetspot()
        .args(["explain", "rules/icp.icp", "examples/prospects.csv", "--id", "p002"])
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with(
            "p002 excluded — policy \"ICP FY2027\" version 3\n  decision excluded, tier B, score 50\n",
        ))
        .stdout(predicate::str::contains("× excluded by sanctioned_country"))
        .stdout(predicate::str::contains("\"IR\" in sanctioned_countries → true"))
        .stdout(predicate::str::contains("⚠ review by public_sector"))
        .stdout(predicate::str::contains("sweetspot does not\n  suggest ways around a no-go"));
}

#[test]
fn explain_a_file_with_one_record_needs_no_id() {
    sweetspot()
        .args(["explain", "rules/icp.icp", "examples/prospect.json"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Score ledger"));
}

#[test]
fn explain_a_record_given_inline_and_changed_with_set() {
    let record = r#"{"id":"x1","name":"Muster GmbH","country":"DE","industry":"manufacturing","employees":800,"deal_value":120000,"revenue_type":"subscription","contract_term_months":36,"sector":"private","in_merger":false}"#;
    let out = sweetspot()
        .args([
            "explain",
            "rules/icp.icp",
            "--record",
            record,
            "--format",
            "json",
        ])
        .assert()
        .code(0);
    let json: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(json["decision"], "qualified");
    assert_eq!(json["tier"], "A");
    assert_eq!(json["score"], 77);
    assert_eq!(json["suggestions"]["status"], "at_top");

    let out = sweetspot()
        .args([
            "explain",
            "rules/icp.icp",
            "--record",
            record,
            "--set",
            "sector=public",
            "--format",
            "json",
        ])
        .assert()
        .code(0);
    let json: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(json["decision"], "review");
    let public = json["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == "public_sector")
        .unwrap();
    assert_eq!(public["effect"], "review");
    assert_eq!(
        public["location"],
        serde_json::json!({"file": "rules/icp.icp", "line": 41, "column": 1})
    );
    assert_eq!(
        json["suggestions"]["options"][0]["changes"][0],
        serde_json::json!({"field": "sector", "from": "public", "to": "private"})
    );
}

#[test]
fn explain_errors_exit_2_and_say_what_to_do() {
    sweetspot()
        .args(["explain", "rules/icp.icp", "examples/prospects.csv"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("sweetspot::explain::which_record"))
        .stderr(predicate::str::contains(
            "examples/prospects.csv holds 60 records",
        ))
        .stderr(predicate::str::contains("help: pick one with --id"));
    sweetspot()
        .args([
            "explain",
            "rules/icp.icp",
            "examples/prospects.csv",
            "--id",
            "zzz",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("sweetspot::explain::not_found"))
        .stderr(predicate::str::contains("no record with id `zzz`"));
    sweetspot()
        .args(["explain", "rules/icp.icp", "--set", "employes=5"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean `employees`?"));
    sweetspot()
        .args([
            "explain",
            "tests/cases/check_unknown_field/policy.icp",
            "--set",
            "id=1",
        ])
        .assert()
        .code(1);
}
