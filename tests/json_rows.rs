//! JSON and JSONL rows spliced from pre-encoded pieces (the writer `eval` builds with
//! `.for_policy(policy)`) are byte for byte what serde_json writes for the reference
//! row (the writer without it), on values that need escaping or unusual number
//! formats, and on decisions the evaluator never makes but the writer must carry.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // tests may panic

use serde_json::json;
use sweetspot::io::{DecisionWriter, OutputFormat};
use sweetspot::syntax::ast::MissingAction;
use sweetspot::{Decision, DecisionKind, FieldError, Policy, RecordId, RuleOutcome, Truth};

/// A policy whose name and file name need escaping, with tiers, constant and
/// computed points, and conditions on two fields (unknowns that miss both).
const POLICY: &str = r#"policy "Quote \" back\\slash\nnew line, ünïcødé €" version 7

record {
  id: text key
  country: text
  employees: number
  deal_value: number?
  nps: number?
  late: bool?
}

exclude embargo
  when country in ["IR", "KP"]
  because "No \"sales\" there"

review big_and_late
  when deal_value > 100_000 and late
  because "Check payment terms"

score size       +12.5 when employees > 100
score deal       (deal_value / 7)
score both       -3 when nps > 5 and deal_value > 10
score promoter   +10 when nps >= 50
  on missing exclude

tier Gold when score >= 30
tier Silver when score >= 10
tier Bronze otherwise
"#;

fn policy() -> Policy {
    Policy::parse("rules/\"odd\" näme\\dir/p\u{1}.icp", POLICY).unwrap()
}

/// Records with ids and values that need care, decided by the evaluator.
fn evaluated(policy: &Policy) -> Vec<Decision> {
    let ids = [
        json!("plain"),
        json!("quote\"inside"),
        json!("back\\slash"),
        json!("ctl\u{0}\u{1}\u{8}\t\n\u{c}\r\u{1f}\u{7f}"),
        json!("ünïcødé € 𝄞 \u{2028}\u{2029}"),
        json!("</script>&<'>"),
        json!(""),
        json!(3),
        json!(2.5),
        json!(-0.0),
        json!(1e300),
        json!(1.5e19),
        json!(-9.3e18),
        json!(0.1),
    ];
    let mut records: Vec<serde_json::Value> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let country = ["DE", "IR", "x\"y"][i % 3];
            let deal = [json!(null), json!(1e6 + 0.3), json!(123_456.789)][i % 3].clone();
            let nps = [json!(60), json!(null), json!(6)][i % 3].clone();
            let late = [json!(true), json!(null)][i % 2].clone();
            json!({"id": id, "country": country, "employees": 50 * i,
                "deal_value": deal, "nps": nps, "late": late})
        })
        .collect();
    // No id (its position), and invalid rows whose error messages quote the value.
    records.push(json!({"country": "DE", "employees": 10}));
    records.push(json!({"id": "bad\"1", "country": 5, "employees": "many \"lots\"\n"}));
    records.push(json!({"id": "bad 2", "employees": -1, "late": "ja\\nein"}));
    records
        .iter()
        .map(|r| policy.evaluate(&policy.record_from_json(r)))
        .collect()
}

fn outcome(
    rule: usize,
    truth: Truth,
    points: f64,
    missing: &[usize],
    effect: Option<MissingAction>,
) -> RuleOutcome {
    RuleOutcome {
        rule,
        truth,
        points,
        missing: missing.iter().copied().collect(),
        effect,
    }
}

/// Decisions built by hand: scores and points the evaluator rarely makes, no tier,
/// unknowns that miss several fields, and errors.
fn made(policy: &Policy) -> Vec<Decision> {
    let rules = policy.rules.len();
    let field = |name: &str| policy.schema.field_id(name).unwrap();
    let (deal, nps, late) = (field("deal_value"), field("nps"), field("late"));
    let scores = [
        Some(0.1 + 0.2),
        Some(1e20),
        Some(9.2e18),
        Some(-9.2e18),
        Some(8.5e37),
        Some(8.4e37),
        Some(1e300),
        Some(f64::MAX),
        Some(-0.0),
        Some(5e-324),
        Some(f64::NAN),
        Some(f64::INFINITY),
        None,
    ];
    let mut decisions = Vec::new();
    for (i, score) in scores.into_iter().enumerate() {
        let points = score.unwrap_or(0.0);
        let mut outcomes: Vec<RuleOutcome> = (0..rules)
            .map(|r| outcome(r, Truth::False, 0.0, &[], None))
            .collect();
        // Unknown for want of two fields, sending to review; points that are not
        // the rule's constant; an unknown that excludes; an unusual true.
        outcomes[1] = outcome(
            1,
            Truth::Unknown,
            0.0,
            &[deal, late],
            Some(MissingAction::Review),
        );
        outcomes[2] = outcome(2, Truth::True, points, &[], None);
        outcomes[3] = outcome(3, Truth::True, 12.5 + i as f64 / 3.0, &[], None);
        outcomes[4] = outcome(4, Truth::Unknown, 0.0, &[nps, deal], None);
        outcomes[5] = outcome(5, Truth::Unknown, 0.0, &[nps], Some(MissingAction::Exclude));
        if i % 2 == 0 {
            outcomes[0] = outcome(0, Truth::True, 0.0, &[], Some(MissingAction::Exclude));
        }
        decisions.push(Decision {
            id: match i % 4 {
                0 => RecordId::Number(score.unwrap_or(7.0)),
                1 => RecordId::Position(u64::MAX - i as u64),
                2 => RecordId::Text(format!("made \"{i}\" \\ \u{1b}[0m é")),
                _ => RecordId::Position(i as u64),
            },
            kind: [
                DecisionKind::Qualified,
                DecisionKind::Review,
                DecisionKind::Excluded,
            ][i % 3],
            tier: [None, Some(0), Some(2)][i % 3],
            score,
            outcomes,
            errors: Vec::new(),
        });
    }
    decisions.push(Decision {
        id: RecordId::Text("invalid \"one\"\n".into()),
        kind: DecisionKind::Invalid,
        tier: None,
        score: None,
        outcomes: Vec::new(),
        errors: vec![
            FieldError {
                field: Some("employees".into()),
                message: "expected a number, got \"many\" \\ \u{0}\u{7} ünï".into(),
            },
            FieldError {
                field: None,
                message: "line is not JSON: {\"a\":".into(),
            },
        ],
    });
    decisions
}

/// The rows of `decisions` by the reference writer, and by `eval`'s writer (rows
/// encoded in batches by its encoder, as the parallel pipeline does).
fn both(
    policy: &Policy,
    decisions: &[Decision],
    format: OutputFormat,
    explain: bool,
) -> (String, String) {
    let writer = || {
        let writer = DecisionWriter::new(Vec::new(), format);
        if explain {
            writer.with_outcomes(policy)
        } else {
            writer
        }
    };
    let mut reference = writer();
    for d in decisions {
        reference.write(policy, d).unwrap();
    }
    let mut fast = writer().for_policy(policy);
    for batch in decisions.chunks(3) {
        let mut bytes = Vec::new();
        let rows = fast
            .encoder()
            .encode_many(policy, batch, &mut bytes)
            .unwrap();
        fast.write_rows(&bytes, rows).unwrap();
    }
    let text = |w: DecisionWriter<Vec<u8>>| String::from_utf8(w.finish().unwrap()).unwrap();
    (text(reference), text(fast))
}

#[test]
fn spliced_rows_are_the_reference_rows_byte_for_byte() {
    let policy = policy();
    let mut decisions = evaluated(&policy);
    assert!(decisions.iter().any(|d| d.kind == DecisionKind::Invalid));
    assert!(decisions
        .iter()
        .any(|d| matches!(d.id, RecordId::Position(_))));
    decisions.extend(made(&policy));
    for format in [OutputFormat::Jsonl, OutputFormat::Json] {
        for explain in [false, true] {
            let (reference, fast) = both(&policy, &decisions, format, explain);
            // Row by row first, for a readable failure.
            for (a, b) in reference.lines().zip(fast.lines()) {
                assert_eq!(a, b, "{format:?} (explain: {explain})");
            }
            assert!(reference == fast, "{format:?} (explain: {explain})");
            // Every row is JSON, and the tricky values came through.
            let rows: Vec<serde_json::Value> = match format {
                OutputFormat::Json => serde_json::from_str(&fast).unwrap(),
                _ => fast
                    .lines()
                    .map(|l| serde_json::from_str(l).unwrap())
                    .collect(),
            };
            assert_eq!(rows.len(), decisions.len());
            assert_eq!(rows[3]["id"], "ctl\u{0}\u{1}\u{8}\t\n\u{c}\r\u{1f}\u{7f}");
            assert_eq!(
                rows[0]["policy"]["name"],
                "Quote \" back\\slash\nnew line, ünïcødé €"
            );
            assert_eq!(rows.last().unwrap()["errors"].as_array().unwrap().len(), 2);
        }
    }
}

#[test]
fn a_decision_of_another_policy_is_an_error_not_a_panic() {
    let policy = policy();
    let mut d = made(&policy).remove(0);
    d.outcomes.push(RuleOutcome {
        rule: policy.rules.len(),
        truth: Truth::True,
        points: 1.5,
        missing: Default::default(),
        effect: None,
    });
    let writer = DecisionWriter::new(Vec::new(), OutputFormat::Jsonl).for_policy(&policy);
    let mut bytes = Vec::new();
    let err = writer
        .encoder()
        .encode(&policy, &d, &mut bytes)
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
}
