//! Running a policy's `test` blocks: build the record from its example, decide it,
//! compare with every expectation.

use crate::check::{Expect, Policy, Test, Value};
use crate::io::format_number;
use crate::record::{FieldError, Record, RecordId};
use crate::source::Span;

/// The result of one test.
#[derive(Debug, Clone, PartialEq)]
pub struct TestResult {
    /// The test's description.
    pub title: String,
    /// Where the test is declared.
    pub span: Span,
    /// What did not match; empty when the test passed.
    pub failures: Vec<String>,
}

impl TestResult {
    /// Whether every expectation held.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// The record a test decides: its example with the `with` values laid over it.
pub fn test_record(policy: &Policy, test: &Test) -> Record {
    let mut record = Record::empty(policy.schema.fields.len(), 1);
    if let Some(example) = policy.examples.get(&test.given) {
        for (field, value) in example.values.iter().chain(test.with.iter()) {
            // `""` is missing, as it is in CSV and JSON input.
            record.values[*field] = match value {
                Value::Text(t) if t.is_empty() => None,
                v => Some(v.clone()),
            };
        }
    }
    for (id, field) in policy.schema.fields.iter().enumerate() {
        if !field.optional && record.values[id].is_none() {
            record.errors.push(FieldError {
                field: Some(field.name.clone()),
                message: format!("required field `{}` is missing or empty", field.name),
            });
        }
    }
    if let Some(key) = policy.schema.key {
        match &record.values[key] {
            Some(Value::Text(t)) => record.id = RecordId::Text(t.clone()),
            Some(Value::Number(n)) => record.id = RecordId::Number(*n),
            _ => {}
        }
    }
    record
}

/// Runs every test of the policy, in policy order.
pub fn run_tests(policy: &Policy) -> Vec<TestResult> {
    policy.tests.iter().map(|t| run_test(policy, t)).collect()
}

fn run_test(policy: &Policy, test: &Test) -> TestResult {
    let record = test_record(policy, test);
    let decision = policy.evaluate(&record);
    let mut failures = Vec::new();
    let names = |it: &mut dyn Iterator<Item = &crate::eval::RuleOutcome>| -> Vec<String> {
        it.map(|o| policy.rules[o.rule].name.clone()).collect()
    };
    let exclusions = names(&mut decision.exclusions());
    let reviews = names(&mut decision.reviews());
    for (expect, _) in &test.expectations {
        match expect {
            Expect::Decision(word, by) => {
                let got = decision.kind.as_str();
                if got != word {
                    let mut why: Vec<String> = exclusions
                        .iter()
                        .map(|r| format!("excluded by {r}"))
                        .chain(reviews.iter().map(|r| format!("review by {r}")))
                        .collect();
                    why.extend(decision.errors.iter().map(|e| e.message.clone()));
                    let why = if why.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", why.join(", "))
                    };
                    failures.push(format!("expected {word}, got {got}{why}"));
                }
                // `excluded by R`: R is among the exclusions; `review by R`: among the
                // reviews (a qualified or invalid decision has neither).
                let (listed, list_name) = match word.as_str() {
                    "excluded" => (&exclusions, "exclusions"),
                    "review" => (&reviews, "reviews"),
                    _ => (&Vec::new(), "exclusions or reviews"),
                };
                for rule in by {
                    if !listed.contains(rule) {
                        failures.push(format!(
                            "expected rule `{rule}` among the decision's {list_name}, got [{}]",
                            listed.join(", ")
                        ));
                    }
                }
            }
            Expect::Tier(name) => {
                let got = policy.tier_name(&decision);
                if got != Some(name.as_str()) {
                    failures.push(format!(
                        "expected tier {name}, got {}",
                        got.unwrap_or("no tier")
                    ));
                }
            }
            Expect::Score(n) => {
                if decision.score != Some(*n) {
                    failures.push(format!(
                        "expected score {}, got {}",
                        format_number(*n),
                        decision
                            .score
                            .map_or("no score (invalid record)".to_string(), format_number)
                    ));
                }
            }
        }
    }
    TestResult {
        title: test.title.clone(),
        span: test.span,
        failures,
    }
}
