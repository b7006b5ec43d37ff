//! Kleene truth tables, and every operator and function with known and unknown operands,
//! through the public API (`Policy::parse` + `evaluate`).

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // tests may panic

use serde_json::json;
use sweetspot::{DecisionKind, Policy, Truth};

const T: Truth = Truth::True;
const F: Truth = Truth::False;
const U: Truth = Truth::Unknown;

#[test]
fn kleene_and_or_not_tables() {
    let all = [T, F, U];
    let and = [[T, F, U], [F, F, F], [U, F, U]];
    let or = [[T, T, T], [T, F, U], [T, U, U]];
    for (i, a) in all.iter().enumerate() {
        for (j, b) in all.iter().enumerate() {
            assert_eq!(a.and(*b), and[i][j], "{a:?} and {b:?}");
            assert_eq!(a.or(*b), or[i][j], "{a:?} or {b:?}");
        }
    }
    assert_eq!(T.not(), F);
    assert_eq!(F.not(), T);
    assert_eq!(U.not(), U);
}

/// Evaluates `cond` as the condition of one score rule over a record with an optional
/// number `n` (may be missing), text `t`, list `tags`; returns the rule's truth and missing fields.
fn truth_of(cond: &str, record: serde_json::Value) -> (Truth, Vec<String>) {
    let src = format!(
        "policy \"T\" version 1\nrecord {{ n: number? m: number? t: text? tags: list of text? c: one of (x, y)? }}\nscore r 1 when {cond}\n"
    );
    let policy = match Policy::parse("t.icp", &src) {
        Ok(p) => p,
        Err(e) => panic!(
            "{cond}: {:?}",
            e.iter().map(|d| d.to_string()).collect::<Vec<_>>()
        ),
    };
    let record = policy.record_from_json(&record);
    let decision = policy.evaluate(&record);
    assert_ne!(decision.kind, DecisionKind::Invalid);
    let outcome = &decision.outcomes[0];
    let missing = outcome
        .missing
        .iter()
        .map(|f| policy.schema.fields[*f].name.clone())
        .collect();
    (outcome.truth, missing)
}

#[test]
fn operators_with_known_operands() {
    let r = json!({"n": 5, "m": 0, "t": "Acme", "tags": ["a", "b"], "c": "x"});
    let cases = [
        ("n == 5", T),
        ("n != 5", F),
        ("n < 6", T),
        ("n <= 5", T),
        ("n > 5", F),
        ("n >= 5", T),
        ("n + 1 == 6", T),
        ("n - 7 == -2", T),
        ("n * 2 == 10", T),
        ("n / 2 == 2.5", T),
        ("-n == -5", T),
        ("n between 5 and 5", T),
        ("n between 6 and 4", F),
        ("n in [1, 5]", T),
        ("n not in [1, 5]", F),
        ("\"a\" in tags", T),
        ("\"z\" not in tags", T),
        ("t == \"Acme\"", T),
        ("t == \"acme\"", F),
        ("lower(t) == \"acme\"", T),
        ("len(tags) == 2", T),
        ("len([1, 2, 3]) == 3", T),
        ("min(n, 3) == 3", T),
        ("max(n, 3) == 5", T),
        ("clamp(n, 0, 4) == 4", T),
        ("clamp(n, 6, 9) == 6", T),
        ("abs(-n) == 5", T),
        ("c == x", T),
        ("c != y", T),
        ("c in [x]", T),
        ("n is present", T),
        ("n is missing", F),
        ("not n == 5", F),
        ("n == 5 and t == \"Acme\"", T),
        ("n == 1 or t == \"Acme\"", T),
        ("1 + 2 * 3 == 7", T),
        ("(1 + 2) * 3 == 9", T),
        ("10 - 4 - 3 == 3", T),
        ("12 / 3 / 2 == 2", T),
    ];
    for (cond, want) in cases {
        assert_eq!(truth_of(cond, r.clone()).0, want, "{cond}");
    }
}

#[test]
fn operators_with_missing_operands_are_unknown() {
    let r = json!({"m": 0, "t": "Acme"});
    let cases = [
        "n == 5",
        "n != 5",
        "n < 6",
        "n + 1 > 0",
        "-n < 0",
        "n between 1 and 9",
        "1 between n and 9",
        "n in [1]",
        "\"a\" in tags",
        "len(tags) > 0",
        "min(n, 1) == 1",
        "max(1, n) == 1",
        "clamp(n, 0, 1) == 1",
        "abs(n) == 1",
        "not n == 5",
        "c == x",
        "lower(t) == \"acme\" and n > 0",
    ];
    for cond in cases {
        assert_eq!(truth_of(cond, r.clone()).0, U, "{cond}");
    }
    assert_eq!(truth_of("n is missing", r.clone()), (T, vec![]));
    assert_eq!(truth_of("n is present", r.clone()), (F, vec![]));
}

#[test]
fn unknowns_name_the_fields_that_reached_the_result() {
    let r = json!({"m": 0});
    assert_eq!(truth_of("n > 1 and m > 1", r.clone()), (F, vec![]));
    assert_eq!(truth_of("n > 1 or m == 0", r.clone()), (T, vec![]));
    assert_eq!(
        truth_of("n > 1 and t == \"a\"", r.clone()),
        (U, vec!["n".into(), "t".into()])
    );
    assert_eq!(truth_of("n + n > 1", r.clone()), (U, vec!["n".into()]));
    assert_eq!(truth_of("1 / m > 1", r.clone()), (U, vec![]));
    assert_eq!(truth_of("n / m > 1", r.clone()), (U, vec!["n".into()]));
}
