//! Every kind of bad input file, through the real binary, with the exact message and
//! line number: row-level problems become `invalid` rows (exit code 0), file-level
//! problems stop `eval` with exit code 2 and name the file (and line where there is one).
//! Also the limits on policy files and the safety of `-o` and CSV output.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // tests may panic

use std::path::Path;

use assert_cmd::Command;
use serde_json::{json, Value};

const POLICY: &str = r#"policy "Bad input" version 1

record {
  id: text key
  name: text
  employees: number
  active: bool
  sector: one of (public, private)
  tags: list of text?
}

score big +10 when employees >= 100
"#;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    /// The run stopped on bad input (exit 2) with this one-line message.
    fn assert_stopped(&self, expected: impl AsRef<str>) {
        assert_eq!(self.code, 2, "{}", self.stderr);
        assert_eq!(message(&self.stderr), expected.as_ref());
    }

    /// The JSONL rows, each cut down to `id`, `decision` and `errors`.
    fn rows(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|l| {
                let v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
                json!({"id": v["id"], "decision": v["decision"], "errors": v["errors"]})
            })
            .collect()
    }
}

/// A folder holding `policy.icp` and the given files.
fn folder(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("policy.icp"), POLICY).unwrap();
    for (name, bytes) in files {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    dir
}

fn run_in(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Run {
    let mut cmd = Command::cargo_bin("sweetspot").unwrap();
    cmd.current_dir(dir).env("NO_COLOR", "1").args(args);
    if let Some(input) = stdin {
        cmd.write_stdin(input.to_vec());
    }
    let out = cmd.output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `eval policy.icp FILE --format jsonl` over one file with `bytes`.
fn eval(name: &str, bytes: &[u8], extra: &[&str]) -> Run {
    let dir = folder(&[(name, bytes)]);
    let mut args = vec!["eval", "policy.icp", name, "--format", "jsonl"];
    args.extend_from_slice(extra);
    run_in(dir.path(), &args, None)
}

fn ok(id: &str) -> Value {
    json!({"id": id, "decision": "qualified", "errors": []})
}

fn invalid(id: Value, errors: &[(Option<&str>, &str)]) -> Value {
    let errors: Vec<Value> = errors
        .iter()
        .map(|(f, m)| json!({"field": f, "message": m}))
        .collect();
    json!({"id": id, "decision": "invalid", "errors": errors})
}

/// The `×` line(s) of a diagnostic, joined: the message without miette's wrapping.
fn message(stderr: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for line in stderr.lines() {
        let t = line.trim();
        if let Some(rest) = t.strip_prefix("× ") {
            out.push_str(rest);
            inside = true;
        } else if inside && t.starts_with('│') {
            out.push(' ');
            out.push_str(t.trim_start_matches('│').trim());
        } else {
            inside = false;
        }
    }
    out
}

const HEADER: &str = "id,name,employees,active,sector,tags\n";

// ---------------------------------------------------------------- CSV, row level

#[test]
fn ragged_rows_are_invalid_with_their_line() {
    let csv =
        format!("{HEADER}a1,Alpha,120,yes,public,\na2,Beta,120\na3,Gamma,5,no,private,x,extra\n");
    let r = eval("in.csv", csv.as_bytes(), &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.rows(),
        [
            ok("a1"),
            invalid(
                json!("a2"),
                &[(None, "line 3 has 3 cells, the header has 6")]
            ),
            invalid(
                json!("a3"),
                &[(None, "line 4 has 7 cells, the header has 6")]
            ),
        ]
    );
}

#[test]
fn invalid_utf8_in_a_cell_is_an_invalid_row() {
    let mut csv = HEADER.as_bytes().to_vec();
    csv.extend_from_slice(b"a1,Caf\xe9,120,yes,public,\na2,Beta,120,yes,public,\n");
    let r = eval("in.csv", &csv, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.rows(),
        [
            invalid(
                json!("a1"),
                &[(
                    Some("name"),
                    "column `name` is not valid UTF-8; save the file as UTF-8"
                )]
            ),
            ok("a2"),
        ]
    );
}

/// The row's bytes, delimiters left out, are valid UTF-8 (`é` is `\xc3\xa9`), but the
/// delimiter splits the character: neither cell is UTF-8 on its own.
#[test]
fn a_character_split_by_a_delimiter_makes_both_cells_invalid() {
    let mut csv = HEADER.as_bytes().to_vec();
    csv.extend_from_slice(b"a1,Caf\xc3,\xa9,yes,public,\na2,Beta,120,yes,public,\n");
    let r = eval("in.csv", &csv, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.rows(),
        [
            invalid(
                json!("a1"),
                &[
                    (
                        Some("name"),
                        "column `name` is not valid UTF-8; save the file as UTF-8"
                    ),
                    (
                        Some("employees"),
                        "column `employees` is not valid UTF-8; save the file as UTF-8"
                    )
                ]
            ),
            ok("a2"),
        ]
    );
}

#[test]
fn invalid_utf8_in_the_header_stops_the_file() {
    let r = eval("in.csv", b"id,n\xe4me\na1,x\n", &[]);
    r.assert_stopped("in.csv:1: header cell 2 is not valid UTF-8");
    assert!(r.stderr.contains("sweetspot::input::bad_header"));
}

#[test]
fn a_byte_order_mark_is_ignored_in_every_format() {
    let csv = format!("\u{feff}{HEADER}a1,Alpha,120,yes,public,\n");
    let record =
        r#"{"id": "a1", "name": "Alpha", "employees": 120, "active": true, "sector": "public"}"#;
    for (name, bytes) in [
        ("in.csv", csv),
        ("in.jsonl", format!("\u{feff}{record}\n")),
        ("in.json", format!("\u{feff}[{record}]")),
    ] {
        let r = eval(name, bytes.as_bytes(), &[]);
        assert_eq!(r.code, 0, "{name}: {}", r.stderr);
        assert_eq!(r.rows(), [ok("a1")], "{name}");
    }
}

#[test]
fn unknown_columns_are_a_warning_and_invalid_under_strict() {
    let csv = "id,name,employees,active,sector,crm_owner\na1,Alpha,120,yes,public,ana\na2,Beta,120,yes,public,\n";
    let r = eval("in.csv", csv.as_bytes(), &[]);
    assert_eq!(r.code, 0);
    assert_eq!(r.rows(), [ok("a1"), ok("a2")]);
    assert!(r.stderr.contains(
        "warning: in.csv: column `crm_owner` is not a field of the record schema and is ignored\n"
    ));
    let r = eval("in.csv", csv.as_bytes(), &["--strict"]);
    assert_eq!(r.code, 0);
    assert_eq!(
        r.rows(),
        [
            invalid(
                json!("a1"),
                &[(
                    Some("crm_owner"),
                    "`crm_owner` is not a field of the record schema (rejected under --strict)"
                )]
            ),
            ok("a2"),
        ]
    );
    assert!(r.stderr.contains(
        "warning: in.csv: column `crm_owner` is not a field of the record schema; rows with data in it are invalid (--strict)\n"
    ));
}

#[test]
fn quoted_cells_may_hold_line_breaks_and_lines_count_on() {
    let csv = format!("{HEADER}a1,\"Alpha\nand Sons, \"\"Ltd\"\"\",120,yes,public,\na2,Beta\n");
    let r = eval("in.csv", csv.as_bytes(), &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.rows(),
        [
            ok("a1"),
            invalid(
                json!("a2"),
                &[(None, "line 4 has 2 cells, the header has 6")]
            ),
        ]
    );
}

#[test]
fn windows_line_endings_are_read_like_unix_ones() {
    let csv = "id,name,employees,active,sector,tags\r\na1,Alpha,120,yes,public,vip\r\na2,Beta,1x,yes,public,\r\n";
    let r = eval("in.csv", csv.as_bytes(), &[]);
    assert_eq!(r.code, 0);
    assert_eq!(
        r.rows(),
        [
            ok("a1"),
            invalid(
                json!("a2"),
                &[(
                    Some("employees"),
                    "`1x` is not a number (write digits like 1200, 1200.5 or -3)"
                )]
            ),
        ]
    );
    // The last cell holds no `\r`.
    let jsonl = eval("in.csv", csv.as_bytes(), &[]).stdout;
    assert!(!jsonl.contains("\\r"));
}

#[test]
fn german_numbers_need_decimal_comma() {
    let csv =
        "id;name;employees;active;sector\na1;Alpha;1.234,50;ja;public\na2;Beta;120;1;private\n";
    let r = eval("in.csv", csv.as_bytes(), &[]);
    assert_eq!(r.code, 0);
    assert_eq!(
        r.rows()[0],
        invalid(
            json!("a1"),
            &[
                (
                    Some("employees"),
                    "`1.234,50` is not a number (no thousands separators or decimal commas: write 1200 or 1200.5, or pass --decimal-comma if the file writes numbers like 1.234,50)"
                ),
                (Some("active"), "`ja` is not a bool (write true/false, yes/no or 1/0)"),
            ]
        )
    );
    let csv = "id;name;employees;active;sector\na1;Alpha;1.234,50;yes;public\na2;Beta;-0,5;1;private\na3;Gamma;1.5;1;private\n";
    let r = eval("in.csv", csv.as_bytes(), &["--decimal-comma"]);
    assert_eq!(r.code, 0);
    assert_eq!(
        r.rows(),
        [
            ok("a1"),
            ok("a2"),
            invalid(
                json!("a3"),
                &[(
                    Some("employees"),
                    "`1.5` is not a number (with --decimal-comma, write numbers like 1234,5 or 1.234,5: `,` before the fraction, `.` only between groups of three digits)"
                )]
            ),
        ]
    );
    let scores: Vec<Value> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["score"].clone())
        .collect();
    assert_eq!(scores, [json!(10), json!(0), Value::Null]);
}

// ---------------------------------------------------------------- CSV, file level

#[test]
fn duplicate_header_names_stop_the_file() {
    let r = eval("in.csv", b"id,name,employees,name\na1,x,1,y\n", &[]);
    r.assert_stopped("in.csv:1: column `name` appears twice in the header");
    assert!(r
        .stderr
        .contains("help: rename or remove one of the two columns"));
}

#[test]
fn an_unclosed_quote_stops_the_file_at_the_line_it_opens() {
    let csv = format!(
        "{HEADER}a1,Alpha,120,yes,public,\na2,\"Beta,120,yes,public,\na3,Gamma,120,yes,public,\n"
    );
    let r = eval("in.csv", csv.as_bytes(), &[]);
    assert_eq!(r.rows(), [ok("a1")]);
    r.assert_stopped("in.csv:3: a quote opens on this line and is never closed");
    assert!(r.stderr.contains("sweetspot::input::unclosed_quote"));
    assert!(r.stderr.starts_with(
        "sweetspot: 1 record from 1 input: 1 qualified, 0 review, 0 excluded, 0 invalid\n"
    ));
}

#[test]
fn an_unclosed_quote_in_the_header_stops_the_file() {
    let r = eval("in.csv", b"id,\"name\na1,x\n", &[]);
    r.assert_stopped("in.csv:1: a quote opens on this line and is never closed");
}

#[test]
fn a_cell_over_one_mebibyte_stops_the_file() {
    let mut csv = format!("{HEADER}a1,Alpha,120,yes,public,\na2,").into_bytes();
    csv.extend(std::iter::repeat_n(b'x', (1 << 20) + 10));
    csv.extend_from_slice(b",1,yes,public,\n");
    let r = eval("in.csv", &csv, &[]);
    assert_eq!(r.rows(), [ok("a1")]);
    r.assert_stopped("in.csv:3: a cell is larger than 1 MiB (the limit)");
    assert!(r.stderr.contains("sweetspot::input::too_large"));
}

#[test]
fn a_header_cell_over_one_mebibyte_stops_the_file() {
    let mut csv = b"id,name,".to_vec();
    csv.extend(std::iter::repeat_n(b'c', (1 << 20) + 10));
    csv.extend_from_slice(b"\na1,Alpha,x\n");
    let r = eval("in.csv", &csv, &[]);
    r.assert_stopped("in.csv:1: a cell is larger than 1 MiB (the limit)");
}

#[test]
fn an_oversized_cell_after_blank_lines_names_its_own_line() {
    let mut csv = format!("{HEADER}a1,Alpha,120,yes,public,\n\n\n\na2,").into_bytes();
    csv.extend(std::iter::repeat_n(b'y', 2 << 20));
    csv.extend_from_slice(b",1,yes,public,\n");
    let r = eval("in.csv", &csv, &[]);
    assert_eq!(r.rows(), [ok("a1")]);
    r.assert_stopped("in.csv:6: a cell is larger than 1 MiB (the limit)");
}

#[test]
fn a_quoted_last_cell_without_a_final_line_end_is_closed() {
    let r = eval(
        "in.csv",
        format!("{HEADER}a1,Alpha,120,yes,public,\"crm\"").as_bytes(),
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.rows(), [ok("a1")]);
}

#[test]
fn an_unclosed_quote_over_one_mebibyte_says_so() {
    let mut csv = format!("{HEADER}a1,\"Alpha").into_bytes();
    for _ in 0..50_000 {
        csv.extend_from_slice(b"a2,Beta,120,yes,public,\n");
    }
    let r = eval("in.csv", &csv, &[]);
    r.assert_stopped(
        "in.csv:2: the quoted cell opened on line 2 runs past 1 MiB; is its closing quote missing?",
    );
}

// ---------------------------------------------------------------- JSON

#[test]
fn json_values_of_the_wrong_type_are_invalid_rows() {
    let jsonl = concat!(
        r#"{"id": "j1", "name": 5, "employees": "12x", "active": "yes", "sector": "Public", "tags": "vip"}"#,
        "\n",
        r#"{"id": "j2", "name": "B", "employees": [1], "active": 1, "sector": "private", "tags": [1]}"#,
        "\n[1, 2]\n",
        r#"{"id": "j4", "name": "D", "employees": 1, "active": true, "sector": "public", "tags": [], }"#,
        "\n",
    );
    let r = eval("in.jsonl", jsonl.as_bytes(), &[]);
    assert_eq!(r.code, 0);
    assert_eq!(
        r.rows(),
        [
            invalid(
                json!("j1"),
                &[
                    (Some("name"), "expected a string, found the number `5`"),
                    (
                        Some("employees"),
                        "`12x` is not a number (write digits like 1200, 1200.5 or -3)"
                    ),
                    (Some("active"), "expected true or false, found the string `yes`"),
                    (
                        Some("sector"),
                        "`Public` is not a value of `sector`: values are case-sensitive, write `public`"
                    ),
                    (Some("tags"), "expected a list of strings, found the string `vip`"),
                ]
            ),
            invalid(
                json!("j2"),
                &[
                    (Some("employees"), "expected a number, found a list"),
                    (Some("active"), "expected true or false, found the number `1`"),
                    (Some("tags"), "expected a list of strings, found a list"),
                ]
            ),
            invalid(json!(3), &[(None, "a record must be a JSON object, found a list")]),
            invalid(
                json!(4),
                &[(None, "line 4 is not valid JSON: trailing comma at line 1 column 91")]
            ),
        ]
    );
}

#[test]
fn json_with_trailing_garbage_stops_after_the_document() {
    let json =
        br#"[{"id": "a1", "name": "A", "employees": 120, "active": true, "sector": "public"}]
{"id": "a2"}"#;
    let r = eval("in.json", json, &[]);
    assert_eq!(r.rows(), [ok("a1")]);
    r.assert_stopped("in.json:2: not valid JSON: trailing characters at line 2 column 1");
    assert!(r.stderr.contains("sweetspot::input::bad_json"));
}

#[test]
fn json_nested_too_deeply_is_a_clear_error() {
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    let r = eval("in.json", deep.as_bytes(), &[]);
    r.assert_stopped("in.json:1: not valid JSON: nested more than 128 levels deep (the limit) at line 1 column 128");
    let line = format!(
        "{{\"id\": \"a1\", \"tags\": {}{}}}\n",
        "[".repeat(200),
        "]".repeat(200)
    );
    let r = eval("in.jsonl", line.as_bytes(), &[]);
    assert_eq!(r.code, 0);
    assert_eq!(
        r.rows(),
        [invalid(
            json!(1),
            &[(
                None,
                "line 1 is not valid JSON: nested more than 128 levels deep (the limit) at line 1 column 148"
            )]
        )]
    );
}

#[test]
fn a_jsonl_line_over_one_mebibyte_is_an_invalid_row() {
    let mut jsonl = br#"{"id": "a1", "name": ""#.to_vec();
    jsonl.extend(std::iter::repeat_n(b'x', 1 << 20));
    jsonl.extend_from_slice(b"\"}\n");
    jsonl.extend_from_slice(
        br#"{"id": "a2", "name": "B", "employees": 120, "active": true, "sector": "public"}"#,
    );
    let r = eval("in.jsonl", &jsonl, &[]);
    assert_eq!(r.code, 0);
    assert_eq!(
        r.rows(),
        [
            invalid(
                json!(1),
                &[(
                    None,
                    "line 1 is longer than 1 MiB (the limit for one record)"
                )]
            ),
            ok("a2"),
        ]
    );
}

#[test]
fn a_pretty_printed_object_on_stdin_is_one_record() {
    let dir = folder(&[]);
    let pretty = b"{\n  \"id\": \"a1\",\n  \"name\": \"A\",\n  \"employees\": 120,\n  \"active\": true,\n  \"sector\": \"public\"\n}\n";
    let r = run_in(
        dir.path(),
        &["eval", "policy.icp", "--format", "jsonl"],
        Some(pretty),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.rows(), [ok("a1")]);
    // One object per line stays JSON Lines, also when a line is broken.
    let lines = b"{\"id\": \"a1\", \"name\": \"A\", \"employees\": 120, \"active\": true, \"sector\": \"public\"}\n{\"id\": \"a2\",}\n";
    let r = run_in(
        dir.path(),
        &["eval", "policy.icp", "-", "--format", "jsonl"],
        Some(lines),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.rows().len(), 2);
    assert_eq!(r.rows()[1]["decision"], "invalid");
}

// ---------------------------------------------------------------- empty and missing

#[test]
fn an_empty_file_has_no_records_and_a_warning() {
    for name in ["in.csv", "in.json", "in.jsonl"] {
        for bytes in [&b""[..], b"\xef\xbb\xbf", b"  \n\n"] {
            let r = eval(name, bytes, &[]);
            assert_eq!(r.code, 0, "{name}: {}", r.stderr);
            assert_eq!(r.stdout, "");
            assert_eq!(
                r.stderr,
                format!("warning: {name} is empty: no records\nsweetspot: 0 records from 1 input: 0 qualified, 0 review, 0 excluded, 0 invalid\n")
            );
        }
    }
}

#[test]
fn a_header_only_file_has_no_records() {
    let r = eval("in.csv", HEADER.as_bytes(), &[]);
    assert_eq!(r.code, 0);
    assert_eq!(r.stdout, "");
    assert_eq!(
        r.stderr,
        "sweetspot: 0 records from 1 input: 0 qualified, 0 review, 0 excluded, 0 invalid\n"
    );
    let r = eval("in.json", b"[]", &[]);
    assert_eq!((r.code, r.stdout.as_str()), (0, ""));
}

#[test]
fn a_missing_input_file_stops_with_exit_2() {
    let dir = folder(&[]);
    let r = run_in(dir.path(), &["eval", "policy.icp", "nowhere.csv"], None);
    r.assert_stopped("cannot read input `nowhere.csv`: no such file");
    assert!(r.stderr.contains("sweetspot::input::unreadable"));
}

#[test]
fn a_directory_as_input_stops_with_exit_2() {
    let dir = folder(&[]);
    std::fs::create_dir(dir.path().join("exports.csv")).unwrap();
    let r = run_in(dir.path(), &["eval", "policy.icp", "exports.csv"], None);
    r.assert_stopped("cannot read input `exports.csv`: it is a directory");
}

#[test]
fn reading_stops_at_the_failing_input() {
    let good = format!("{HEADER}a1,Alpha,120,yes,public,\n");
    let dir = folder(&[("a.csv", good.as_bytes()), ("c.csv", good.as_bytes())]);
    let r = run_in(
        dir.path(),
        &[
            "eval",
            "policy.icp",
            "a.csv",
            "b.csv",
            "c.csv",
            "--format",
            "jsonl",
        ],
        None,
    );
    assert_eq!(r.rows(), [ok("a1")]);
    r.assert_stopped("cannot read input `b.csv`: no such file");
}

// ---------------------------------------------------------------- output safety

#[test]
fn a_failed_run_leaves_no_output_file() {
    let csv = format!("{HEADER}a1,Alpha,120,yes,public,\na2,\"Beta\n");
    let dir = folder(&[("in.csv", csv.as_bytes())]);
    let r = run_in(
        dir.path(),
        &["eval", "policy.icp", "in.csv", "-o", "out.csv"],
        None,
    );
    assert_eq!(r.code, 2);
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("out"))
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
    // A good run replaces the file in one step.
    let good = format!("{HEADER}a1,Alpha,120,yes,public,\n");
    std::fs::write(dir.path().join("in.csv"), good).unwrap();
    let r = run_in(
        dir.path(),
        &["eval", "policy.icp", "in.csv", "-o", "out.csv"],
        None,
    );
    assert_eq!(r.code, 0);
    assert!(dir.path().join("out.csv").exists());
    assert!(!dir.path().join(".out.csv.partial").exists());
}

#[test]
fn a_good_run_replaces_an_existing_output_and_leaves_nothing_else() {
    let good = format!("{HEADER}a1,Alpha,120,yes,public,\n");
    let dir = folder(&[("in.csv", good.as_bytes()), ("out.csv", b"old result\n")]);
    // A second name for the old output: replacing `out.csv` must not write into it.
    std::fs::hard_link(dir.path().join("out.csv"), dir.path().join("kept.csv")).unwrap();
    let r = run_in(
        dir.path(),
        &["eval", "policy.icp", "in.csv", "-o", "out.csv"],
        None,
    );
    assert_eq!(
        (r.code, r.stderr.contains("warning")),
        (0, false),
        "{}",
        r.stderr
    );
    let out = std::fs::read_to_string(dir.path().join("out.csv")).unwrap();
    assert!(out.starts_with("id,decision,"), "{out}");
    let kept = std::fs::read_to_string(dir.path().join("kept.csv")).unwrap();
    assert_eq!(kept, "old result\n");
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["in.csv", "kept.csv", "out.csv", "policy.icp"]);
}

#[test]
fn a_failed_rename_leaves_no_partial_file() {
    let good = format!("{HEADER}a1,Alpha,120,yes,public,\n");
    let dir = folder(&[("in.csv", good.as_bytes())]);
    std::fs::create_dir(dir.path().join("out.jsonl")).unwrap();
    std::fs::write(dir.path().join("out.jsonl/keep"), b"").unwrap();
    let r = run_in(
        dir.path(),
        &["eval", "policy.icp", "in.csv", "-o", "out.jsonl"],
        None,
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("cannot move output into `out.jsonl`"));
    assert!(!dir.path().join(".out.jsonl.partial").exists());
}

#[test]
fn csv_output_escapes_formulas_but_not_numbers() {
    let csv = "id,name,employees,active,sector\n=HYPERLINK(\"x\"),A,1,yes,public\n+1+2,A,1,yes,public\n-3,A,1,yes,public\n@sum,A,1,yes,public\nplain,A,1,yes,public\n";
    let dir = folder(&[("in.csv", csv.as_bytes())]);
    let ids = |extra: &[&str]| -> Vec<String> {
        let mut args = vec!["eval", "policy.icp", "in.csv", "--format", "csv"];
        args.extend_from_slice(extra);
        let r = run_in(dir.path(), &args, None);
        assert_eq!(r.code, 0);
        let mut reader = csv::Reader::from_reader(r.stdout.as_bytes());
        reader
            .records()
            .map(|r| r.unwrap()[0].to_string())
            .collect()
    };
    assert_eq!(
        ids(&[]),
        ["'=HYPERLINK(\"x\")", "'+1+2", "-3", "'@sum", "plain"]
    );
    assert_eq!(
        ids(&["--no-formula-escape"]),
        ["=HYPERLINK(\"x\")", "+1+2", "-3", "@sum", "plain"]
    );
}

#[test]
fn negative_scores_stay_numbers_in_csv() {
    let policy = "policy \"N\" version 1\nrecord {\n  id: text key\n}\nscore penalty -20\n";
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("policy.icp"), policy).unwrap();
    std::fs::write(dir.path().join("in.csv"), "id\n-7\n").unwrap();
    let r = run_in(
        dir.path(),
        &["eval", "policy.icp", "in.csv", "--format", "csv"],
        None,
    );
    assert_eq!(r.code, 0);
    let mut reader = csv::Reader::from_reader(r.stdout.as_bytes());
    let row = reader.records().next().unwrap().unwrap();
    assert_eq!((&row[0], &row[3]), ("-7", "-20"));
}

// ---------------------------------------------------------------- policy limits

fn check(files: &[(&str, &[u8])]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in files {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    run_in(dir.path(), &["check", files[0].0], None)
}

const HEAD: &str =
    "policy \"X\" version 1\nrecord {\n  id: text key\n  employees: number\n  ok: bool\n}\n";

#[test]
fn nesting_past_the_limit_is_an_error_not_a_crash() {
    for (body, expected) in [
        (
            format!("score x +1 when {}employees > 1{}\n", "(".repeat(350), ")".repeat(350)),
            "expression is nested too deeply: more than 64 levels of parentheses and `not`",
        ),
        (
            format!("score x +1 when {}ok\n", "not ".repeat(1000)),
            "expression is nested too deeply: more than 64 levels of parentheses and `not`",
        ),
        (
            format!("score x +1 when {}\n", vec!["employees > 1"; 1600].join(" and ")),
            "expression is nested too deeply: more than 256 operators and nesting levels in one expression",
        ),
        (
            format!("score x (1 - {}1)\n", "-".repeat(2000)),
            "expression is nested too deeply: more than 256 operators and nesting levels in one expression",
        ),
    ] {
        let text = format!("{HEAD}{body}");
        let r = check(&[("p.icp", text.as_bytes())]);
        assert_eq!(r.code, 1, "{}", r.stderr);
        assert_eq!(message(&r.stderr), expected);
        assert!(r.stderr.contains("sweetspot::syntax::too_deep"));
        assert!(r.stderr.contains("[p.icp:7:"), "{}", r.stderr);
    }
    // At the limit it still works.
    let text = format!(
        "{HEAD}score x +1 when {}employees > 1{}\n",
        "(".repeat(64),
        ")".repeat(64)
    );
    assert_eq!(check(&[("p.icp", text.as_bytes())]).code, 0);
}

#[test]
fn a_policy_over_one_mebibyte_is_an_error() {
    let mut text = HEAD.to_string();
    while text.len() <= 1 << 20 {
        text.push_str("# padding padding padding padding padding padding padding\n");
    }
    let r = check(&[("p.icp", text.as_bytes())]);
    assert_eq!(r.code, 1);
    assert_eq!(
        message(&r.stderr),
        "policy file `p.icp` is larger than 1048576 bytes (1 MiB), the limit"
    );
}

#[test]
fn more_than_64_used_files_is_an_error() {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut main = HEAD.to_string();
    for i in 0..65 {
        main.push_str(&format!("use \"u{i}.icp\"\n"));
        files.push((
            format!("u{i}.icp"),
            format!("list l{i} = [{i}]\n").into_bytes(),
        ));
    }
    files.insert(0, ("p.icp".to_string(), main.into_bytes()));
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let r = check(&refs);
    assert_eq!(r.code, 1);
    assert_eq!(
        message(&r.stderr),
        "a policy may use at most 64 files; `u64.icp` would be one more"
    );
    assert!(r.stderr.contains("sweetspot::check::too_many_files"));
}

#[test]
fn a_byte_order_mark_in_a_policy_is_ignored() {
    let text = format!("\u{feff}{HEAD}score x +1 when ok\n");
    let r = check(&[("p.icp", text.as_bytes())]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn invalid_utf8_in_json_inputs() {
    let mut jsonl =
        br#"{"id": "a1", "name": "A", "employees": 120, "active": true, "sector": "public"}"#
            .to_vec();
    jsonl.extend_from_slice(b"\n{\"id\": \"a2\", \"name\": \"Caf\xe9\"}\n");
    let r = eval("in.jsonl", &jsonl, &[]);
    assert_eq!(r.code, 0);
    assert_eq!(
        r.rows(),
        [
            ok("a1"),
            invalid(json!(2), &[(None, "line 2 is not valid UTF-8")])
        ]
    );
    let r = eval(
        "in.json",
        b"[{\"id\": \"a1\",\n \"name\": \"Caf\xe9\"}]",
        &[],
    );
    r.assert_stopped("in.json:2: not valid JSON: invalid unicode code point at line 2 column 14");
}

// ---------------------------------------------------------------- CSV, read failures

/// Hands out `data`, then fails: a disk or a pipe that breaks part-way.
struct FailsAfter {
    data: std::io::Cursor<Vec<u8>>,
}

impl std::io::Read for FailsAfter {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self.data.read(buf)? {
            0 => Err(std::io::Error::other("device gone")),
            n => Ok(n),
        }
    }
}

/// A read that fails part-way stops the file with the line reading got to; the
/// records read before it are handed on first, none lost.
#[test]
fn a_read_failure_part_way_names_the_line_and_keeps_the_records_before() {
    use miette::Diagnostic;
    let policy = sweetspot::check::check_source("policy.icp", POLICY)
        .unwrap()
        .policy;
    let csv = format!("{HEADER}a1,Alpha,120,yes,public,\na2,Beta,5,no,private,\na3,Gam");
    let reader = std::io::BufReader::new(FailsAfter {
        data: std::io::Cursor::new(csv.into_bytes()),
    });
    let mut ids = Vec::new();
    let error = sweetspot::io::read_from(
        Box::new(reader),
        "in.csv",
        Some(sweetspot::io::InputFormat::Csv),
        &policy.schema,
        &sweetspot::io::InputOptions::default(),
        &mut |record| {
            ids.push(sweetspot::io::id_text(&record.id));
            Ok(())
        },
    )
    .unwrap_err();
    assert_eq!(ids, ["a1", "a2"]);
    assert_eq!(error.to_string(), "in.csv:4: cannot read CSV: device gone");
    assert_eq!(
        error.code().map(|c| c.to_string()).as_deref(),
        Some("sweetspot::input::bad_csv")
    );
    assert_eq!(
        error.help().map(|h| h.to_string()).as_deref(),
        Some("reading failed part-way: check the disk or the program writing into the pipe, then run again")
    );
}
