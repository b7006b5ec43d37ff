//! Property tests over random policies and random records.
//!
//! Policies are generated from the grammar: a record schema with a field of each type
//! (each maybe optional), named lists, `exclude`/`review`/`score` rules with random
//! conditions, points and `on missing`, and tiers. Records give each field a value of
//! its type, of a wrong type, an empty one, or none. Generators read their choices from
//! a byte string that proptest draws and shrinks (a smaller byte string makes a smaller
//! policy), so a failure shrinks to a small example.
//!
//! What must hold:
//! - evaluating any record never panics;
//! - every record written to a JSONL, JSON or CSV file and read back with the real
//!   readers (`read_records`) yields exactly one decision, in order;
//! - `fmt` is idempotent, and the formatted policy decides every record exactly as the
//!   original (same `decision_json`);
//! - the checker (and the formatter) never panic on any mutation of `rules/icp.icp`:
//!   deleted, duplicated or swapped tokens or bytes.
//!
//! The number of cases is small for CI (64 per property); set `PROPTEST_CASES` for a
//! longer run, e.g. `PROPTEST_CASES=5000 cargo test --release --test properties`.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // tests may panic

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use serde_json::{json, Map, Value};
use sweetspot::io::{read_records, InputOptions, InputSource};
use sweetspot::Policy;

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(64);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Choices read from a byte string; 0 (the simplest choice) once it runs out.
struct Choices<'a>(&'a [u8]);

impl Choices<'_> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((b, rest)) => {
                self.0 = rest;
                *b
            }
            None => 0,
        }
    }

    fn below(&mut self, n: usize) -> usize {
        usize::from(self.byte()) % n
    }

    fn chance(&mut self, in_four: u8) -> bool {
        self.byte() % 4 < in_four
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

// ---------------------------------------------------------------- policies

const ENUM: [&str; 3] = ["red", "green", "blue"];
const WORDS: [&str; 4] = ["a", "b", "Sales", "x y"];

/// Whether each field is optional, in the order of [`FIELDS`].
struct Schema {
    optional: [bool; 6],
}

const FIELDS: [&str; 6] = ["t", "n", "b", "e", "tl", "nl"];

fn number(c: &mut Choices<'_>) -> String {
    match c.below(5) {
        0 => format!("{}", c.below(10)),
        1 => format!("{}", c.below(1000)),
        2 => format!("{}.{}", c.below(100), c.below(100)),
        3 => "100_000".to_string(),
        _ => "0".to_string(),
    }
}

fn string(c: &mut Choices<'_>) -> String {
    format!("\"{}\"", c.pick(&WORDS))
}

/// A number-valued expression.
fn num_expr(c: &mut Choices<'_>, depth: u32) -> String {
    let leaf = depth == 0 || c.chance(2);
    if leaf {
        return match c.below(3) {
            0 => "n".to_string(),
            1 => "len(tl)".to_string(),
            _ => number(c),
        };
    }
    let d = depth - 1;
    match c.below(7) {
        0 => format!("{} + {}", num_expr(c, d), num_expr(c, d)),
        1 => format!(
            "({} - {}) * {}",
            num_expr(c, d),
            num_expr(c, d),
            num_expr(c, d)
        ),
        2 => format!("{} / {}", num_expr(c, d), num_expr(c, d)),
        3 => format!("-{}", num_expr(c, d)),
        4 => format!("abs({})", num_expr(c, d)),
        5 => format!("min({}, {})", num_expr(c, d), num_expr(c, d)),
        _ => format!(
            "clamp({}, {}, {})",
            num_expr(c, d),
            num_expr(c, d),
            num_expr(c, d)
        ),
    }
}

/// A condition; `score` may be read only in tier conditions.
fn condition(c: &mut Choices<'_>, depth: u32, tier: bool) -> String {
    let leaf = depth == 0 || c.chance(2);
    if leaf {
        let ops = ["==", "!=", "<", "<=", ">", ">="];
        return match c.below(14) {
            0 => format!("{} {} {}", num_expr(c, 1), c.pick(&ops), num_expr(c, 1)),
            1 => format!("t == {}", string(c)),
            2 => format!("lower(t) != {}", string(c)),
            3 => format!("e == {}", c.pick(&ENUM)),
            4 => "e in warm".to_string(),
            5 => format!("e not in [{}, {}]", c.pick(&ENUM), c.pick(&ENUM)),
            6 => format!("{} in tl", string(c)),
            7 => "t in words".to_string(),
            8 => format!("{} in nl", number(c)),
            9 => "b".to_string(),
            10 => format!("{} is {}", c.pick(&FIELDS), c.pick(&["missing", "present"])),
            11 => format!(
                "{} between {} and {}",
                num_expr(c, 1),
                num_expr(c, 1),
                num_expr(c, 1)
            ),
            12 if tier => format!("score >= {}", c.below(40)),
            _ => "true".to_string(),
        };
    }
    let d = depth - 1;
    match c.below(4) {
        0 => format!("{} and {}", condition(c, d, tier), condition(c, d, tier)),
        1 => format!("{} or {}", condition(c, d, tier), condition(c, d, tier)),
        2 => format!("not ({})", condition(c, d, tier)),
        _ => format!("({})", condition(c, d, tier)),
    }
}

/// A random valid policy and its schema.
fn policy_text(c: &mut Choices<'_>) -> (String, Schema) {
    let schema = Schema {
        optional: std::array::from_fn(|_| c.chance(2)),
    };
    let types = [
        "text",
        "number",
        "bool",
        "one of (red, green, blue)",
        "list of text",
        "list of number",
    ];
    let mut p = String::from("policy \"Random\" version 1\n\nrecord {\n  id: text key\n");
    for (i, name) in FIELDS.iter().enumerate() {
        let q = if schema.optional[i] { "?" } else { "" };
        writeln!(p, "  {name}: {}{q}", types[i]).unwrap();
    }
    p.push_str("}\n\nlist warm = [red, green]\nlist words = [\"a\", \"Sales\"]\n\n");
    let rules = 1 + c.below(6);
    for i in 0..rules {
        let kind = *c.pick(&["exclude", "review", "score", "score"]);
        write!(p, "{kind} r{i}").unwrap();
        if kind == "score" {
            match c.below(3) {
                0 => write!(p, " +{}", c.below(50)).unwrap(),
                1 => write!(p, " -{}", c.below(50)).unwrap(),
                _ => write!(p, " ({})", num_expr(c, 2)).unwrap(),
            }
        }
        if c.chance(3) {
            write!(p, " when {}", condition(c, 3, false)).unwrap();
        }
        if c.chance(1) {
            let action = c.pick(&["exclude", "review", "ignore"]);
            write!(p, " on missing {action}").unwrap();
        }
        if kind != "score" || c.chance(1) {
            write!(p, " because \"reason {i}\"").unwrap();
        }
        p.push('\n');
    }
    if c.chance(2) {
        let tiers = c.below(3);
        for i in 0..tiers {
            writeln!(p, "tier T{i} when {}", condition(c, 2, true)).unwrap();
        }
        p.push_str("tier Rest otherwise\n");
    }
    (p, schema)
}

/// The same policy laid out differently: extra blanks, line breaks and comments
/// between tokens (never inside strings), for `fmt` to undo.
fn scramble(text: &str, c: &mut Choices<'_>) -> String {
    let mut out = String::new();
    let mut in_string = false;
    for ch in text.chars() {
        if ch == '"' {
            in_string = !in_string;
        }
        out.push(ch);
        if !in_string && ch == ' ' {
            match c.below(8) {
                0 => out.push_str("  "),
                1 => out.push_str("\n   "),
                2 => out.push_str("# note\n"),
                _ => {}
            }
        }
    }
    out
}

// ---------------------------------------------------------------- records

fn text_value(c: &mut Choices<'_>) -> String {
    match c.below(6) {
        0 => c.pick(&WORDS).to_string(),
        1 => "with, comma".to_string(),
        2 => "quote \" and\nline".to_string(),
        3 => "=1+2".to_string(),
        4 => " ".to_string(),
        _ => "Ünïcode".to_string(),
    }
}

fn number_value(c: &mut Choices<'_>) -> Value {
    match c.below(6) {
        0 => json!(c.below(1000)),
        1 => json!(-(c.below(100) as i64)),
        2 => json!(c.below(1000) as f64 / 8.0),
        3 => json!(format!("{}", c.below(100))),
        4 => json!(1e300),
        _ => json!(0),
    }
}

/// A value for field `i`: usually of its type, sometimes wrong, empty or null.
fn field_value(c: &mut Choices<'_>, i: usize) -> Option<Value> {
    match c.below(10) {
        0 => return None,
        1 => return Some(Value::Null),
        2 => return Some(json!("")),
        3 => {
            let wrong = [
                json!("abc"),
                json!(true),
                json!(12),
                json!(["x"]),
                json!({}),
            ];
            return Some(c.pick(&wrong).clone());
        }
        _ => {}
    }
    Some(match i {
        0 => json!(text_value(c)),
        1 => number_value(c),
        2 => json!(c.chance(2)),
        3 => json!(c.pick(&ENUM)),
        4 => Value::Array((0..c.below(3)).map(|_| json!(text_value(c))).collect()),
        _ => Value::Array((0..c.below(3)).map(|_| number_value(c)).collect()),
    })
}

fn records(c: &mut Choices<'_>, count: usize) -> Vec<Value> {
    (0..count)
        .map(|k| {
            let mut object = Map::new();
            if c.below(8) != 0 {
                object.insert("id".to_string(), json!(format!("r{k}")));
            }
            for (i, name) in FIELDS.iter().enumerate() {
                if let Some(v) = field_value(c, i) {
                    object.insert(name.to_string(), v);
                }
            }
            if c.below(8) == 0 {
                object.insert("extra".to_string(), json!("ignored"));
            }
            Value::Object(object)
        })
        .collect()
}

/// A CSV cell for a JSON value, as a spreadsheet export would write it.
fn cell(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| match i {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join(";"),
        Some(other) => other.to_string(),
    }
}

fn write_csv(path: &Path, records: &[Value], delimiter: u8) {
    let mut w = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .from_path(path)
        .unwrap();
    let columns: Vec<&str> = std::iter::once("id")
        .chain(FIELDS)
        .chain(std::iter::once("extra"))
        .collect();
    w.write_record(&columns).unwrap();
    for r in records {
        w.write_record(columns.iter().map(|c| cell(r.get(*c))))
            .unwrap();
    }
    w.flush().unwrap();
}

fn read_ids(policy: &Policy, path: &Path) -> Vec<Value> {
    let mut ids = Vec::new();
    let source = InputSource::File(PathBuf::from(path));
    let mut sink = |record: sweetspot::Record| {
        let decision = policy.evaluate(&record);
        ids.push(policy.decision_json(&decision)["id"].clone());
        Ok(())
    };
    let summary = read_records(&source, &policy.schema, &InputOptions::default(), &mut sink)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(summary.records as usize, ids.len());
    ids
}

// ---------------------------------------------------------------- properties

fn load(text: &str) -> Policy {
    Policy::parse("random.icp", text).unwrap_or_else(|errors| {
        let shown: Vec<String> = errors.iter().map(|e| format!("{e:?}")).collect();
        panic!(
            "generated policy does not check:\n{text}\n{}",
            shown.join("\n")
        )
    })
}

proptest! {
    #![proptest_config(config())]

    /// Generated policies check, and evaluating random records never panics.
    #[test]
    fn evaluation_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let mut c = Choices(&bytes);
        let (text, _) = policy_text(&mut c);
        let policy = load(&text);
        for record in records(&mut c, 8) {
            let decision = policy.evaluate(&policy.record_from_json(&record));
            let row = policy.decision_json(&decision);
            let valid = row["decision"] != "invalid";
            prop_assert_eq!(row["score"].is_null(), !valid, "{}", row);
        }
    }

    /// Where a generated policy compiles to typed slots, the slot plan decides every
    /// record exactly as the reference evaluator: decision, score, tier, and every
    /// rule's truth, points, effect and missing fields in order. The JSONL row written
    /// straight from the slot decision is byte for byte the reference's row, as
    /// serde_json writes it without pre-encoded parts.
    #[test]
    fn typed_slots_decide_as_the_reference(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        use sweetspot::io::{DecisionWriter, OutputFormat};
        let mut c = Choices(&bytes);
        let (text, _) = policy_text(&mut c);
        let policy = load(&text);
        let Some(slots) = policy.plan().slots() else {
            return Ok(());
        };
        let writer = DecisionWriter::new(Vec::new(), OutputFormat::Jsonl).for_policy(&policy);
        let rows = writer.encoder().slot_rows(&policy).unwrap();
        let plain = DecisionWriter::new(Vec::new(), OutputFormat::Jsonl);
        for record in records(&mut c, 8) {
            let record = policy.record_from_json(&record);
            let reference = sweetspot::eval::decide(&policy, &record);
            let mut words = vec![0; slots.words_per_record()];
            slots.encode(&record, &mut words);
            let mut decided = sweetspot::eval::SlotDecision::default();
            slots.decide(&words, &mut decided);
            let mut full = sweetspot::Decision::empty();
            slots.expand(&words, &decided, &mut full);
            full.id = record.id.clone();
            full.errors = record.errors.clone();
            prop_assert_eq!(&full, &reference, "{}", text);
            let mut direct = Vec::new();
            rows.encode(&record, &words, &decided, &mut direct).unwrap();
            let mut usual = Vec::new();
            plain.encoder().encode(&policy, &reference, &mut usual).unwrap();
            prop_assert_eq!(
                String::from_utf8_lossy(&direct),
                String::from_utf8_lossy(&usual),
                "{}",
                text
            );
        }
    }

    /// Every record written to a file and read back yields exactly one decision.
    #[test]
    fn every_record_yields_one_row(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let mut c = Choices(&bytes);
        let (text, _) = policy_text(&mut c);
        let policy = load(&text);
        let count = c.below(12);
        let records = records(&mut c, count);
        let dir = tempfile::tempdir().unwrap();
        let expected: Vec<Value> = records
            .iter()
            .enumerate()
            .map(|(k, r)| match r.get("id") {
                Some(id) => id.clone(),
                None => json!(k + 1),
            })
            .collect();

        let jsonl = dir.path().join("in.jsonl");
        let lines: Vec<String> = records.iter().map(Value::to_string).collect();
        std::fs::write(&jsonl, lines.join("\n")).unwrap();
        prop_assert_eq!(&read_ids(&policy, &jsonl), &expected);

        let json = dir.path().join("in.json");
        std::fs::write(&json, Value::Array(records.clone()).to_string()).unwrap();
        prop_assert_eq!(&read_ids(&policy, &json), &expected);

        for (name, delimiter) in [("in.csv", b','), ("semi.csv", b';')] {
            let csv = dir.path().join(name);
            write_csv(&csv, &records, delimiter);
            // An id cell that is empty makes the id the record's position.
            let ids = read_ids(&policy, &csv);
            prop_assert_eq!(ids.len(), records.len());
            for (k, id) in ids.iter().enumerate() {
                let want = match records[k].get("id") {
                    Some(Value::String(s)) if !s.is_empty() => json!(s),
                    _ => json!(k + 1),
                };
                prop_assert_eq!(id, &want);
            }
        }
    }

    /// `fmt` is idempotent and keeps the meaning: the formatted policy decides every
    /// record as the original does.
    #[test]
    fn fmt_is_idempotent_and_keeps_meaning(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let mut c = Choices(&bytes);
        let (text, _) = policy_text(&mut c);
        let text = scramble(&text, &mut c);
        let original = load(&text);
        let formatted = sweetspot::format::format_source("random.icp", &text).unwrap();
        let again = sweetspot::format::format_source("random.icp", &formatted).unwrap();
        prop_assert_eq!(&again, &formatted, "fmt is not idempotent");
        let policy = load(&formatted);
        for record in records(&mut c, 8) {
            let a = original.decision_json(&original.evaluate(&original.record_from_json(&record)));
            let b = policy.decision_json(&policy.evaluate(&policy.record_from_json(&record)));
            // The audit stamp hashes the text, which fmt changes on purpose.
            let strip = |mut v: Value| {
                if let Some(o) = v.as_object_mut() {
                    o.remove("policy");
                }
                v
            };
            prop_assert_eq!(strip(a), strip(b), "record {}\n{}", record, formatted);
        }
    }

    /// The checker and the formatter never panic on a mutated `rules/icp.icp`.
    #[test]
    fn checker_survives_mutations(
        edits in prop::collection::vec((any::<u8>(), any::<u16>(), any::<u16>()), 1..6)
    ) {
        let original = icp_text();
        let mut tokens = tokenize(&original);
        let mut bytes = original.clone().into_bytes();
        for (kind, a, b) in edits {
            let (a, b) = (usize::from(a), usize::from(b));
            match kind % 7 {
                0 if !tokens.is_empty() => { tokens.remove(a % tokens.len()); }
                1 if !tokens.is_empty() => {
                    let t = tokens[a % tokens.len()].clone();
                    tokens.insert(b % tokens.len(), t);
                }
                2 if !tokens.is_empty() => {
                    let n = tokens.len();
                    tokens.swap(a % n, b % n);
                }
                3 if !bytes.is_empty() => { bytes.remove(a % bytes.len()); }
                4 if !bytes.is_empty() => {
                    let x = bytes[a % bytes.len()];
                    bytes.insert(b % bytes.len(), x);
                }
                5 if !bytes.is_empty() => {
                    let n = bytes.len();
                    bytes.swap(a % n, b % n);
                }
                _ if !bytes.is_empty() => {
                    let n = bytes.len();
                    bytes[a % n] = (b & 0xff) as u8;
                }
                _ => {}
            }
        }
        for text in [tokens.concat(), String::from_utf8_lossy(&bytes).into_owned()] {
            match sweetspot::check::check_source("icp.icp", &text) {
                Ok(checked) => {
                    for w in &checked.warnings {
                        prop_assert!(!sweetspot::diagnostics::render(w, false, 80).is_empty());
                    }
                }
                Err(errors) => {
                    prop_assert!(!errors.is_empty());
                    for e in &errors {
                        prop_assert!(!sweetspot::diagnostics::render(e, false, 80).is_empty());
                    }
                }
            }
            let _ = sweetspot::format::format_source("icp.icp", &text);
        }
    }
}

/// `rules/icp.icp` with its `use` pointing at `rules/` (the tests run from the crate).
fn icp_text() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(root.join("rules/icp.icp"))
        .unwrap()
        .replace("use \"sanctions.icp\"", "use \"rules/sanctions.icp\"")
}

/// Words, numbers, strings, single symbols and runs of white space, in order.
fn tokenize(text: &str) -> Vec<String> {
    let mut tokens: Vec<String> = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(ch) = chars.next() {
        let mut t = ch.to_string();
        let same = |a: char, b: char| {
            (a.is_alphanumeric() || a == '_') && (b.is_alphanumeric() || b == '_')
                || a.is_whitespace() && b.is_whitespace()
        };
        if ch == '"' {
            for c in chars.by_ref() {
                t.push(c);
                if c == '"' {
                    break;
                }
            }
        } else {
            while let Some(&next) = chars.peek() {
                if !same(ch, next) {
                    break;
                }
                t.push(next);
                chars.next();
            }
        }
        tokens.push(t);
    }
    tokens
}
