//! The parallel eval job writes byte for byte what the straightforward path writes
//! (reference evaluator, one record at a time), in every format, on the shipped
//! examples and on generated records; and `eval --explain` rows carry every outcome.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // tests may panic

mod common;

use std::io::Write;
use std::path::PathBuf;

use assert_cmd::Command;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use sweetspot::eval::decide;
use sweetspot::io::{read_records, DecisionWriter, InputOptions, InputSource, OutputFormat};
use sweetspot::Policy;

/// A writer as `eval` makes one, with `--explain`'s outcomes or without.
fn writer(format: OutputFormat, explain: bool, policy: &Policy) -> DecisionWriter<Vec<u8>> {
    let writer = DecisionWriter::new(Vec::new(), format);
    if explain {
        writer.with_outcomes(policy)
    } else {
        writer
    }
}

fn straightforward(
    policy: &Policy,
    source: &InputSource,
    format: OutputFormat,
    explain: bool,
) -> Vec<u8> {
    let mut writer = writer(format, explain, policy);
    read_records(
        source,
        &policy.schema,
        &InputOptions::default(),
        &mut |record| {
            writer.write(policy, &decide(policy, &record)).unwrap();
            Ok(())
        },
    )
    .unwrap();
    writer.finish().unwrap()
}

fn parallel(policy: &Policy, source: &InputSource, format: OutputFormat, explain: bool) -> Vec<u8> {
    // As `eval` runs it: names, entries and locations encoded once.
    let mut writer = writer(format, explain, policy).for_policy(policy);
    let mut counts = [0; 4];
    sweetspot::run::evaluate_source(
        policy,
        source,
        &InputOptions::default(),
        &mut writer,
        &mut counts,
        &mut |_| {},
    )
    .unwrap();
    writer.finish().unwrap()
}

fn assert_identical(policy: &Policy, file: PathBuf) {
    let source = InputSource::File(file.clone());
    for format in [
        OutputFormat::Jsonl,
        OutputFormat::Json,
        OutputFormat::Csv,
        OutputFormat::Text,
    ] {
        for explain in [false, true] {
            let a = straightforward(policy, &source, format, explain);
            let b = parallel(policy, &source, format, explain);
            assert!(!a.is_empty());
            assert!(
                a == b,
                "{} differs in {format:?} (explain: {explain})",
                file.display()
            );
        }
    }
}

#[test]
fn parallel_output_is_identical_on_the_examples() {
    let policy = Policy::load("rules/icp.icp").unwrap();
    for file in [
        "examples/prospects.csv",
        "examples/prospects-de.csv",
        "examples/prospect.json",
    ] {
        assert_identical(&policy, PathBuf::from(file));
    }
}

#[test]
fn parallel_output_is_identical_on_generated_records() {
    let policy = Policy::load("rules/icp.icp").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("generated.jsonl");
    let mut file = std::fs::File::create(&path).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    // More than two batches, so that batch and chunk borders are crossed.
    for _ in 0..10_000 {
        writeln!(file, "{}", common::random_record(&policy, &mut rng)).unwrap();
    }
    drop(file);
    assert_identical(&policy, path);
}

/// A CSV file of the records (a list as `a;b`, missing as an empty cell), with some
/// rows made ragged, some cells not UTF-8 and some blank lines after the first 3,000
/// rows: read straight into typed slots, in row buffers the reader reuses by then.
fn write_csv(
    path: &std::path::Path,
    policy: &Policy,
    records: &[serde_json::Value],
    rng: &mut ChaCha8Rng,
) {
    use rand::Rng;
    let names: Vec<&str> = policy
        .schema
        .fields
        .iter()
        .map(|f| f.name.as_str())
        .collect();
    let mut out = csv::Writer::from_path(path).unwrap();
    out.write_record(&names).unwrap();
    out.flush().unwrap();
    drop(out);
    let mut file = std::fs::OpenOptions::new().append(true).open(path).unwrap();
    for (i, record) in records.iter().enumerate() {
        let cells: Vec<Vec<u8>> = names
            .iter()
            .map(|name| match &record[*name] {
                serde_json::Value::Null => Vec::new(),
                serde_json::Value::String(s) => s.clone().into_bytes(),
                serde_json::Value::Array(items) => items
                    .iter()
                    .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                    .collect::<Vec<_>>()
                    .join(";")
                    .into_bytes(),
                other => other.to_string().into_bytes(),
            })
            .collect();
        let mut line = Vec::new();
        {
            let mut w = csv::Writer::from_writer(&mut line);
            w.write_record(&cells).unwrap();
            w.flush().unwrap();
        }
        if i > 3000 {
            match rng.random_range(0..200) {
                0 => line
                    .splice(line.len() - 1..line.len() - 1, b",extra".iter().copied())
                    .for_each(drop),
                1 => line.insert(0, 0xff),
                2 => line.insert(0, b'\n'),
                _ => {}
            }
        }
        file.write_all(&line).unwrap();
    }
}

#[test]
fn parallel_output_is_identical_on_generated_csv() {
    let policy = Policy::load("rules/icp.icp").unwrap();
    assert!(policy.plan().slots().is_some());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("generated.csv");
    let mut rng = ChaCha8Rng::seed_from_u64(17);
    let records: Vec<_> = (0..10_000)
        .map(|_| common::random_record(&policy, &mut rng))
        .collect();
    write_csv(&path, &policy, &records, &mut rng);
    assert_identical(&policy, path);
}

/// Every case policy: unknowns that miss several fields, computed points, lists and
/// policies without tiers go through the pre-encoded path as well.
#[test]
fn parallel_output_is_identical_for_every_case_policy() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(13);
    let mut compared = 0;
    let mut cases: Vec<PathBuf> = std::fs::read_dir("tests/cases")
        .unwrap()
        .flatten()
        .map(|entry| entry.path().join("policy.icp"))
        .filter(|p| p.exists())
        .collect();
    cases.sort();
    for (index, path) in cases.iter().enumerate() {
        let Ok(policy) = Policy::load(path) else {
            continue;
        };
        let records = dir.path().join(format!("case{index}.jsonl"));
        let mut file = std::fs::File::create(&records).unwrap();
        let generated: Vec<_> = (0..100)
            .map(|_| common::random_record(&policy, &mut rng))
            .collect();
        for record in &generated {
            writeln!(file, "{record}").unwrap();
        }
        drop(file);
        assert_identical(&policy, records);
        // The same records as CSV: read straight into typed slots where the policy
        // compiles to them.
        let csv = dir.path().join(format!("case{index}.csv"));
        write_csv(&csv, &policy, &generated, &mut rng);
        assert_identical(&policy, csv);
        compared += 1;
    }
    assert!(compared > 50, "only {compared} case policies load");
}

#[test]
fn eval_explain_adds_every_rule_outcome_with_its_location() {
    let out = Command::cargo_bin("sweetspot")
        .unwrap()
        .args([
            "eval",
            "rules/icp.icp",
            "examples/prospects.csv",
            "--format",
            "jsonl",
            "--explain",
        ])
        .assert()
        .code(0);
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    let rows: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 60);
    let row = &rows[1];
    assert_eq!(row["id"], "p002");
    let outcomes = row["outcomes"].as_array().unwrap();
    assert_eq!(outcomes.len(), 20);
    assert_eq!(
        outcomes[0],
        serde_json::json!({"rule": "sanctioned_country", "kind": "exclude", "truth": "true", "points": 0,
            "effect": "exclude", "missing": [], "location": {"file": "rules/sanctions.icp", "line": 13, "column": 1}})
    );
    let recurring = outcomes
        .iter()
        .find(|o| o["rule"] == "recurring_revenue")
        .unwrap();
    assert_eq!(recurring["points"], 30);
    let late = outcomes
        .iter()
        .find(|o| o["rule"] == "known_late_payer")
        .unwrap();
    assert_eq!(late["truth"], "unknown");
    assert_eq!(late["missing"], serde_json::json!(["late_payer"]));
}

#[test]
fn output_to_a_fifo_is_written_in_place_not_replaced() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    Command::cargo_bin("sweetspot")
        .unwrap()
        .args([
            "eval",
            "rules/icp.icp",
            "examples/prospects.csv",
            "--format",
            "csv",
            "-o",
        ])
        .arg(&fifo)
        .assert()
        .code(0);
    let text = reader.join().unwrap();
    assert_eq!(text.lines().count(), 61);
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
}

/// A full disk stops the run with a write error (exit 2), whichever stage sees it
/// first: the rows are written on a thread of their own while the next batch is
/// decided, and the reader and deciders must stop, not wait.
#[test]
fn a_write_error_stops_the_run_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("many.jsonl");
    let policy = Policy::load("rules/icp.icp").unwrap();
    let mut file = std::fs::File::create(&path).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    // Several batches, so that the reader is still busy when the writer fails.
    for _ in 0..20_000 {
        writeln!(file, "{}", common::random_record(&policy, &mut rng)).unwrap();
    }
    drop(file);
    let out = Command::cargo_bin("sweetspot")
        .unwrap()
        .timeout(std::time::Duration::from_secs(60))
        .args(["eval", "rules/icp.icp"])
        .arg(&path)
        .args(["-o", "/dev/full"])
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        stderr.contains("cannot write output: No space left on device"),
        "{stderr}"
    );
}

/// Rows of `tests/plan/shapes.icp` (every slot shape) picked to reach each part of a
/// row written straight from a slot decision: several missing fields in one rule (in
/// the reference's order: `c` before `a` in `three` for `order`), computed points of
/// 0 and -0 (not shown), negative and fractional points, whole scores beyond the
/// pre-encoded ones, points too large to be a number (unknown for want of no field),
/// exclusions with reviews, unknowns that exclude or review, invalid rows (a bad
/// number, a bad bool and enum, a ragged row, no id) and ids JSON must escape.
const SHAPES_CSV: &str = "id,a,b,c,flag,other,kind,country,tags
all_missing,,,,true,true,z,DE,
order,,5,,true,true,z,DE,
b_and_c,1,,,true,false,x,,sap;crm
computed_zero,-2,5,1,true,true,z,DE,
excluded_and_reviewed,3,3,2,false,false,y,FR,x
clamped_zero,0,-1,1,true,false,z,AT,
negative,1.5,12,4,true,true,z,CH,sap
big,1000000,2000000,3,true,true,z,DE,
big_negative,-1000,-2000,1,false,true,z,DE,
overflow,1e300,-1e300,1e-300,true,true,z,DE,
unknown_excludes,1,1,1,,,x,DE,
unknown_reviews,1,1,1,,,z,DE,
\"q\"\"uo\\te\",1,2,3,true,true,z,DE,
\"tab\tid\",1,2,3,true,true,z,DE,
ünïcødé ☃,1,2,3,true,true,z,DE,
bad_number,abc,1,1,true,true,z,DE,
bad_bool_and_enum,1,1,1,maybe,true,w,DE,
ragged,1,1,1,true,true,z,DE,,extra
,1,1,1,true,true,z,DE,
";

/// JSON rows written straight from slot decisions (`eval` without `--explain`) are
/// byte for byte the reference's, with tiers and without; and the rows above reach
/// what they are meant to.
#[test]
fn rows_written_from_slot_decisions_are_identical_on_every_shape() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("shapes.csv");
    std::fs::write(&csv, SHAPES_CSV).unwrap();
    let text = std::fs::read_to_string("tests/plan/shapes.icp").unwrap();
    let without_tiers: String = text
        .lines()
        .filter(|line| !line.starts_with("tier "))
        .map(|line| format!("{line}\n"))
        .collect();
    let policies = [
        Policy::load("tests/plan/shapes.icp").unwrap(),
        Policy::parse("no-tiers.icp", &without_tiers).unwrap(),
    ];
    let source = InputSource::File(csv.clone());
    for policy in &policies {
        // The writer under test is the one `eval` uses here.
        let writer = writer(OutputFormat::Jsonl, false, policy).for_policy(policy);
        assert!(writer.encoder().slot_rows(policy).is_some());
        assert_identical(policy, csv.clone());
    }
    let rows = |policy: &Policy, explain: bool| -> Vec<serde_json::Value> {
        let out = straightforward(policy, &source, OutputFormat::Jsonl, explain);
        String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let shown = rows(&policies[0], false);
    let explained = rows(&policies[0], true);
    let row = |id: &str| shown.iter().find(|r| r["id"] == id).unwrap();
    let unknown = |id: &str, rule: &str| -> serde_json::Value {
        let entries = row(id)["unknown"].as_array().unwrap();
        entries.iter().find(|u| u["rule"] == rule).unwrap()["missing"].clone()
    };
    assert_eq!(
        unknown("all_missing", "three"),
        serde_json::json!(["a", "b", "c"])
    );
    assert_eq!(unknown("order", "three"), serde_json::json!(["c", "a"]));
    assert_eq!(
        unknown("b_and_c", "computed"),
        serde_json::json!(["b", "c"])
    );
    assert_eq!(unknown("overflow", "plain_points"), serde_json::json!([]));
    // Computed points of 0 are not shown, though the rule holds.
    let contributes = |id: &str, rule: &str| {
        row(id)["contributions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["rule"] == rule)
    };
    let computed = explained
        .iter()
        .find(|r| r["id"] == "computed_zero")
        .unwrap()["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["rule"] == "computed")
        .unwrap()
        .clone();
    assert_eq!(
        (&computed["truth"], &computed["points"]),
        (&"true".into(), &0.into())
    );
    assert!(!contributes("computed_zero", "computed"));
    assert!(!contributes("clamped_zero", "clamp_all"));
    assert!(contributes("negative", "neg"));
    let both = row("excluded_and_reviewed");
    assert!(!both["exclusions"].as_array().unwrap().is_empty());
    assert!(!both["reviews"].as_array().unwrap().is_empty());
    assert_eq!(row("unknown_excludes")["decision"], "excluded");
    assert_eq!(row("q\"uo\\te")["decision"], "qualified");
    let invalid = shown.iter().filter(|r| r["decision"] == "invalid").count();
    assert_eq!(invalid, 4);
    let without = rows(&policies[1], false);
    assert!(without.iter().all(|r| r["tier"].is_null()));
}

/// The library takes any byte as a CSV delimiter (the command line only ASCII). With a
/// byte of a multi-byte character as the delimiter, a row can be valid UTF-8 as a whole
/// while a cell of it is not: that cell is still an error, as cell by cell.
#[test]
fn a_non_ascii_delimiter_still_finds_cells_that_are_not_utf8() {
    let policy = Policy::load("tests/plan/shapes.icp").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("in.csv");
    std::fs::write(&path, b"id\xa9country\nr1\xc3\xa9DE\n").unwrap();
    let source = InputSource::File(path);
    let options = InputOptions {
        delimiter: Some(0xa9),
        ..InputOptions::default()
    };
    let mut one_by_one = writer(OutputFormat::Jsonl, false, &policy);
    read_records(&source, &policy.schema, &options, &mut |record| {
        one_by_one
            .write(&policy, &decide(&policy, &record))
            .unwrap();
        Ok(())
    })
    .unwrap();
    let one_by_one = one_by_one.finish().unwrap();
    let mut parallel = writer(OutputFormat::Jsonl, false, &policy).for_policy(&policy);
    sweetspot::run::evaluate_source(
        &policy,
        &source,
        &options,
        &mut parallel,
        &mut [0; 4],
        &mut |_| {},
    )
    .unwrap();
    let parallel = String::from_utf8(parallel.finish().unwrap()).unwrap();
    assert!(
        parallel.contains(
            r#"{"field":"id","message":"column `id` is not valid UTF-8; save the file as UTF-8"}"#
        ),
        "{parallel}"
    );
    assert_eq!(parallel.as_bytes(), one_by_one.as_slice());
}
