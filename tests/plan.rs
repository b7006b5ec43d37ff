//! The compiled plan decides exactly as the straightforward reference evaluator:
//! on the shipped examples, on every case policy, and on thousands of random records.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // tests may panic

mod common;

use std::path::{Path, PathBuf};

use common::random_record;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use sweetspot::eval::{decide, SlotDecision, SlotPlan};
use sweetspot::io::{read_batches, read_records, InputBatch, InputOptions, InputSource};
use sweetspot::Policy;

fn assert_same(
    policy: &Policy,
    records: impl IntoIterator<Item = sweetspot::Record>,
    what: &str,
) -> usize {
    let mut n = 0;
    for record in records {
        let reference = decide(policy, &record);
        assert_eq!(policy.evaluate(&record), reference, "{what}: {record:?}");
        if let Some(slots) = policy.plan().slots() {
            assert_eq!(
                by_slots(slots, &record),
                reference,
                "{what} (slots): {record:?}"
            );
        }
        n += 1;
    }
    n
}

/// The record decided in typed-slot form, every outcome expanded.
fn by_slots(slots: &SlotPlan, record: &sweetspot::Record) -> sweetspot::Decision {
    let mut words = vec![0; slots.words_per_record()];
    slots.encode(record, &mut words);
    let mut decided = SlotDecision::default();
    slots.decide(&words, &mut decided);
    let mut out = sweetspot::Decision::empty();
    slots.expand(&words, &decided, &mut out);
    out.id = record.id.clone();
    out.errors = record.errors.clone();
    out
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

/// The shipped policy and most case policies are decided in typed-slot form; the
/// rest (text compared with text, `lower`, `len`, number lists) by the tree.
#[test]
fn typed_slots_cover_the_shipped_policy_and_most_cases() {
    let policy = Policy::load("rules/icp.icp").unwrap();
    assert!(policy.plan().slots().is_some());
    let mut covered = Vec::new();
    let mut not_covered = Vec::new();
    for entry in std::fs::read_dir("tests/cases").unwrap().flatten() {
        let p = entry.path().join("policy.icp");
        let Ok(policy) = Policy::load(&p) else {
            continue;
        };
        let name = entry.file_name().to_string_lossy().to_string();
        match sweetspot::eval::SlotPlan::compile(&policy) {
            Ok(_) => covered.push(name),
            Err(why) => not_covered.push(format!("{name}: {why}")),
        }
    }
    not_covered.sort();
    eprintln!("{} covered; not covered: {not_covered:#?}", covered.len());
    assert!(covered.len() > 40, "{}", covered.len());
}

/// Every shape the typed-slot form compiles, with several fields missing at once: the
/// order of missing fields and Kleene logic must match the reference exactly.
#[test]
fn typed_slots_match_reference_on_every_shape() {
    let policy = Policy::load("tests/plan/shapes.icp").unwrap();
    assert!(
        policy.plan().slots().is_some(),
        "{:?}",
        sweetspot::eval::SlotPlan::compile(&policy).err()
    );
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let records: Vec<_> = (0..5000)
        .map(|_| policy.record_from_json(&random_record(&policy, &mut rng)))
        .collect();
    let several_missing = records
        .iter()
        .map(|r| policy.evaluate(r))
        .filter(|d| d.outcomes.iter().any(|o| o.missing.len() > 1))
        .count();
    assert!(several_missing > 500, "{several_missing}");
    assert_same(&policy, records, "shapes.icp");
}

/// CSV cells read straight into slot words give exactly the words of the same row
/// read as a record first and encoded then (what the benchmark decides).
#[test]
fn csv_rows_read_into_slots_match_encoded_records() {
    let policy = Policy::load("rules/icp.icp").unwrap();
    let slots = policy.plan().slots().unwrap();
    for file in ["examples/prospects.csv", "examples/prospects-de.csv"] {
        let source = InputSource::File(PathBuf::from(file));
        let options = InputOptions::default();
        let mut encoded = Vec::new();
        read_records(&source, &policy.schema, &options, &mut |record| {
            let mut words = vec![0; slots.words_per_record()];
            slots.encode(&record, &mut words);
            encoded.push((record.id, record.errors, words));
            Ok(())
        })
        .unwrap();
        let mut direct = Vec::new();
        // Batches of 7 rows: rows are read back from several batches.
        read_batches(&source, &policy.schema, &options, 7, &mut |batch| {
            let InputBatch::Csv(rows) = batch else {
                panic!("{file} is CSV")
            };
            assert!(rows.len() <= 7);
            for row in rows.iter() {
                let (record, words) = row.to_slots(&policy.schema, slots, Vec::new());
                assert!(record.values.is_empty());
                direct.push((record.id, record.errors, words));
            }
            Ok(())
        })
        .unwrap();
        assert!(direct.len() >= 15, "{file}");
        assert_eq!(direct, encoded, "{file}");
    }
}

/// A cell of `column` and what the row it is in comes to.
struct Cell {
    column: &'static str,
    text: &'static str,
    expected: Expect,
}

enum Expect {
    /// Valid, with this score (each rule of `cells.icp` has its own power of two).
    Score(f64),
    /// Invalid, with this one error for the cell's column.
    Error(String),
}

fn cell(column: &'static str, text: &'static str, expected: Expect) -> Cell {
    Cell {
        column,
        text,
        expected,
    }
}

const COUNTRIES: &str = "de, at, ch, fr, us, gb, nl, be, lu, it, es, pt, pl, cz, sk, hu, ro, \
    bg, gr, se, dk, fi, ie, ee, lv, lt, si, hr, mt, cy, no, deutschland";

fn not_a_value(cell: &str, field: &str, values: &str) -> Expect {
    Expect::Error(format!(
        "`{cell}` is not a value of `{field}` (one of: {values})"
    ))
}

fn case_sensitive(cell: &str, field: &str, exact: &str) -> Expect {
    Expect::Error(format!(
        "`{cell}` is not a value of `{field}`: values are case-sensitive, write `{exact}`"
    ))
}

fn not_a_bool(cell: &str) -> Expect {
    Expect::Error(format!(
        "`{cell}` is not a bool (write true/false, yes/no or 1/0)"
    ))
}

/// The cells the slot path looks up by their text (enum values, text constants, list
/// items, bools), each in a row of its own: read straight into slot words, they give
/// the words, errors and decisions of the same row read as a record, and both give
/// the expected score or error.
#[test]
fn looked_up_cells_read_into_slots_as_into_records() {
    use Expect::Score;
    let industries = "software, public_administration, manufacturing";
    let codes = (0..70)
        .map(|i| format!("c{i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let cells = [
        // Enum values: exact bytes only; a case-only difference says so.
        cell("country", "de", Score(1.0)),
        cell("country", "at", Score(2.0)),
        cell("country", "ch", Score(2.0)),
        cell("country", "fr", Score(0.0)),
        cell("country", "no", Score(0.0)),
        cell("country", "deutschland", Score(0.0)),
        cell("country", "De", case_sensitive("De", "country", "de")),
        cell("country", "DE", case_sensitive("DE", "country", "de")),
        cell("country", "dE", case_sensitive("dE", "country", "de")),
        cell("country", "NO", case_sensitive("NO", "country", "no")),
        cell(
            "country",
            "Deutschland",
            case_sensitive("Deutschland", "country", "deutschland"),
        ),
        cell("country", "d", not_a_value("d", "country", COUNTRIES)),
        cell("country", "deu", not_a_value("deu", "country", COUNTRIES)),
        cell("country", "de ", not_a_value("de ", "country", COUNTRIES)),
        cell("country", "dé", not_a_value("dé", "country", COUNTRIES)),
        cell("country", "ü", not_a_value("ü", "country", COUNTRIES)),
        cell(
            "country",
            "deutschlan",
            not_a_value("deutschlan", "country", COUNTRIES),
        ),
        cell(
            "country",
            "deutschlandd",
            not_a_value("deutschlandd", "country", COUNTRIES),
        ),
        cell(
            "country",
            "deutschlXnd",
            not_a_value("deutschlXnd", "country", COUNTRIES),
        ),
        cell("country", "dx", not_a_value("dx", "country", COUNTRIES)),
        // Longer than 16 bytes: compared in full.
        cell("industry", "public_administration", Score(4.0)),
        cell("industry", "software", Score(0.0)),
        cell(
            "industry",
            "public_administratioN",
            case_sensitive("public_administratioN", "industry", "public_administration"),
        ),
        cell(
            "industry",
            "public_administratio",
            not_a_value("public_administratio", "industry", industries),
        ),
        cell(
            "industry",
            "public_administration_",
            not_a_value("public_administration_", "industry", industries),
        ),
        // The same length, first and last eight bytes as a value, but not the value.
        cell(
            "industry",
            "public_aXXXXXstration",
            not_a_value("public_aXXXXXstration", "industry", industries),
        ),
        cell(
            "industry",
            "public_administration public_administration",
            not_a_value(
                "public_administration public_administration",
                "industry",
                industries,
            ),
        ),
        // An enum no test reads: its values are still checked.
        cell("size", "large", Score(0.0)),
        cell("size", "Large", case_sensitive("Large", "size", "large")),
        cell(
            "size",
            "huge",
            not_a_value("huge", "size", "small, medium, large"),
        ),
        cell("size", "mediuM", case_sensitive("mediuM", "size", "medium")),
        cell(
            "size",
            "mediux",
            not_a_value("mediux", "size", "small, medium, large"),
        ),
        // An enum of more than 64 values (its word is 0): checked all the same.
        cell("code", "c0", Score(0.0)),
        cell("code", "c63", Score(0.0)),
        cell("code", "c64", Score(0.0)),
        cell("code", "c69", Score(0.0)),
        cell("code", "C69", case_sensitive("C69", "code", "c69")),
        cell("code", "c70", not_a_value("c70", "code", &codes)),
        cell("code", "c", not_a_value("c", "code", &codes)),
        cell("code", "cx9", not_a_value("cx9", "code", &codes)),
        // Text constants: exact bytes only; any other text is simply none of them.
        cell("city", "Zürich", Score(8.0)),
        cell("city", "zürich", Score(0.0)),
        cell("city", "ZÜRICH", Score(0.0)),
        cell("city", "Zurich", Score(0.0)),
        cell("city", "Zürich ", Score(0.0)),
        cell("city", "Züric", Score(0.0)),
        cell("city", "Köln", Score(16.0)),
        cell("city", "Kölm", Score(0.0)),
        cell("city", "Frankfurt am Main", Score(16.0)),
        cell("city", "Frankfurt am Mai", Score(0.0)),
        cell("city", "Frankfurt am Mainz", Score(0.0)),
        cell("city", "frankfurt am main", Score(0.0)),
        cell("city", "FrankfurX am Main", Score(0.0)),
        cell("city", "ü", Score(0.0)),
        cell("city", "salesforce", Score(0.0)),
        cell("region", "Zürich", Score(0.0)),
        // List items, `;` between them.
        cell("tags", "salesforce", Score(32.0)),
        cell("tags", "Salesforce", Score(0.0)),
        cell("tags", "salesforXe", Score(0.0)),
        cell("tags", "sxp", Score(0.0)),
        cell("tags", "salesforce;sap", Score(96.0)),
        cell("tags", "sap;salesforce", Score(96.0)),
        cell("tags", ";salesforce;", Score(32.0)),
        cell("tags", "sales;force", Score(0.0)),
        cell("tags", "salesforcesap", Score(0.0)),
        cell("tags", "sap;;SAP", Score(64.0)),
        cell("tags", "microsoft_dynamics_365", Score(128.0)),
        cell("tags", "microsoft_dynamics_36", Score(0.0)),
        cell("tags", "microsofX_dynamics_365", Score(0.0)),
        cell("tags", "microsoft_dynaXics_365", Score(0.0)),
        cell("tags", "x;microsoft_dynamics_365;sap", Score(192.0)),
        cell("tags", "Zürich;ü", Score(0.0)),
        // Bools: any case of true/false and yes/no, or 1/0.
        cell("active", "true", Score(256.0)),
        cell("active", "TRUE", Score(256.0)),
        cell("active", "True", Score(256.0)),
        cell("active", "Yes", Score(256.0)),
        cell("active", "yes", Score(256.0)),
        cell("active", "1", Score(256.0)),
        cell("active", "false", Score(0.0)),
        cell("active", "FALSE", Score(0.0)),
        cell("active", "0", Score(0.0)),
        cell("active", "no", Score(0.0)),
        cell("active", "No", Score(0.0)),
        cell("active", "nope", not_a_bool("nope")),
        cell("active", "truee", not_a_bool("truee")),
        cell("active", "tru", not_a_bool("tru")),
        cell("active", "01", not_a_bool("01")),
        cell("active", "y", not_a_bool("y")),
        cell("active", "ja", not_a_bool("ja")),
        cell("active", "wahr", not_a_bool("wahr")),
        cell("active", " true", not_a_bool(" true")),
        // Numbers, and a list of numbers (read the usual way).
        cell("employees", "1000", Score(512.0)),
        cell("employees", "1e3", Score(512.0)),
        cell("employees", "999.99", Score(0.0)),
        cell("employees", "-0", Score(0.0)),
        cell(
            "employees",
            "1_000",
            Expect::Error(
                "`1_000` is not a number (write digits like 1200, 1200.5 or -3)".to_string(),
            ),
        ),
        cell("scores", "1;2.5", Score(0.0)),
        cell(
            "scores",
            "1;x",
            Expect::Error("`x` is not a number (write digits like 1200, 1200.5 or -3)".to_string()),
        ),
    ];
    let columns = [
        "id",
        "country",
        "industry",
        "city",
        "region",
        "tags",
        "active",
        "size",
        "scores",
        "employees",
        "code",
    ];
    let baseline = [
        "", "fr", "software", "Paris", "", "", "false", "", "", "10", "",
    ];
    let mut csv = columns.join(",") + "\n";
    for (i, c) in cells.iter().enumerate() {
        let mut row = baseline.map(String::from);
        row[0] = format!("r{i}");
        let column = columns.iter().position(|n| *n == c.column).unwrap();
        row[column] = c.text.to_string();
        csv += &(row.join(",") + "\n");
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cells.csv");
    std::fs::write(&path, csv).unwrap();

    let policy = Policy::load("tests/plan/cells.icp").unwrap();
    let slots = policy
        .plan()
        .slots()
        .expect("cells.icp compiles to a slot plan");
    let source = InputSource::File(path);
    let options = InputOptions::default();
    let mut records = Vec::new();
    read_records(&source, &policy.schema, &options, &mut |record| {
        records.push(record);
        Ok(())
    })
    .unwrap();
    let mut direct = Vec::new();
    read_batches(&source, &policy.schema, &options, 64, &mut |batch| {
        let InputBatch::Csv(rows) = batch else {
            panic!("cells.csv is CSV")
        };
        for row in rows.iter() {
            direct.push(row.to_slots(&policy.schema, slots, Vec::new()));
        }
        Ok(())
    })
    .unwrap();
    assert_eq!(records.len(), cells.len());
    assert_eq!(direct.len(), cells.len());
    for ((c, record), (read, words)) in cells.iter().zip(&records).zip(&direct) {
        let what = format!("{} `{}`", c.column, c.text);
        let mut encoded = vec![0; slots.words_per_record()];
        slots.encode(record, &mut encoded);
        assert_eq!(*words, encoded, "{what}: words");
        assert_eq!(read.errors, record.errors, "{what}: errors");
        assert_eq!(read.id, record.id, "{what}: id");
        // Decided from the words read straight from the cells, and by the reference
        // evaluator from the record (no slots, no text lookups).
        let mut decided = SlotDecision::default();
        slots.decide(words, &mut decided);
        let mut by_words = sweetspot::Decision::empty();
        slots.expand(words, &decided, &mut by_words);
        by_words.id = read.id.clone();
        by_words.errors = read.errors.clone();
        let reference = decide(&policy, record);
        assert_eq!(by_words, reference, "{what}: decision");
        match &c.expected {
            Expect::Score(score) => {
                assert_eq!(reference.errors, vec![], "{what}");
                assert_eq!(reference.score, Some(*score), "{what}");
            }
            Expect::Error(message) => {
                assert_eq!(reference.kind, sweetspot::DecisionKind::Invalid, "{what}");
                assert_eq!(
                    reference.errors,
                    vec![sweetspot::FieldError {
                        field: Some(c.column.to_string()),
                        message: message.clone(),
                    }],
                    "{what}"
                );
            }
        }
    }
}
