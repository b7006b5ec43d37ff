//! Explanations: why a record got its decision, rule by rule with the record's values,
//! which rules lacked data, how far the next tier is, and what would change it.
//!
//! Built after the decision from the checked policy and the record; the fast
//! evaluation path is untouched.

pub mod describe;
mod render;
pub mod suggest;

use serde::Serialize;

use crate::check::{FieldId, Policy, TypedExpr};
use crate::eval::{Decision, DecisionKind, RuleOutcome, Truth};
use crate::io::Num;
use crate::record::{FieldError, Record, RecordId};
use crate::syntax::ast::{CompareOp, MissingAction};

pub use describe::Fact;
pub use render::render_text;
pub use suggest::{Advice, Change, Goal, Suggestion};

/// Where a rule stands in the policy files.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Location {
    /// The file as named in diagnostics.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

/// One rule's part in a decision.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleExplanation {
    /// The rule's name.
    pub rule: String,
    /// `exclude`, `review` or `score`.
    pub kind: &'static str,
    /// The truth of its condition (unknown also when a score rule's points are).
    pub truth: Truth,
    /// Points added.
    pub points: Num,
    /// What the rule did: `exclude`, `review`, or nothing.
    pub effect: Option<MissingAction>,
    /// What an unknown does for this rule.
    pub on_missing: MissingAction,
    /// The reason given in the policy.
    pub because: Option<String>,
    /// Where the rule is declared.
    pub location: Location,
    /// The condition as written (`None`: always applies).
    pub condition: Option<String>,
    /// The points expression as written, for computed points.
    pub points_expression: Option<String>,
    /// The atomic conditions with the record's values.
    pub facts: Vec<Fact>,
    /// The fields the rule reads and their values (`None`: missing).
    pub values: Vec<(String, Option<String>)>,
    /// Missing fields that left the rule undecided.
    pub missing: Vec<String>,
}

/// A tier and whether the record is in it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierExplanation {
    /// The tier's name.
    pub name: String,
    /// Its condition (`None`: otherwise).
    pub condition: Option<String>,
    /// Whether this is the record's tier.
    pub current: bool,
}

/// The whole explanation of one decision.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    /// Policy name and version.
    pub policy: (String, u64),
    /// The record's id.
    pub id: RecordId,
    /// The decision.
    pub decision: Decision,
    /// Every rule in policy order.
    pub rules: Vec<RuleExplanation>,
    /// The tiers in order.
    pub tiers: Vec<TierExplanation>,
    /// The next tier up and the points it needs, when its condition is a score threshold.
    pub next_tier: Option<(String, Option<f64>)>,
    /// What would change the decision.
    pub advice: Advice,
    /// Why the record is invalid.
    pub errors: Vec<FieldError>,
}

/// Explains the decision for `record`.
pub fn explain(policy: &Policy, record: &Record) -> Explanation {
    let decision = policy.evaluate(record);
    let rules = decision
        .outcomes
        .iter()
        .map(|o| rule_explanation(policy, record, o))
        .collect();
    let tiers = policy
        .tiers
        .iter()
        .enumerate()
        .map(|(i, t)| TierExplanation {
            name: t.name.clone(),
            condition: t.when.as_ref().map(|w| describe::expr_text(policy, w)),
            current: decision.tier == Some(i),
        })
        .collect();
    let next_tier = match decision.tier {
        Some(t) if t > 0 => {
            let up = &policy.tiers[t - 1];
            let needed = up
                .when
                .as_ref()
                .and_then(threshold)
                .map(|n| n - decision.score.unwrap_or(0.0));
            Some((up.name.clone(), needed))
        }
        _ => None,
    };
    let advice = suggest::suggest(policy, record, &decision);
    Explanation {
        policy: (policy.name.clone(), policy.version),
        id: record.id.clone(),
        errors: record.errors.clone(),
        decision,
        rules,
        tiers,
        next_tier,
        advice,
    }
}

/// `score >= N` (or `> N`, `N <=`) gives N: the score a tier needs.
fn threshold(cond: &TypedExpr) -> Option<f64> {
    match cond {
        TypedExpr::Compare(op, l, r) => match (l.as_ref(), r.as_ref(), op) {
            (TypedExpr::Score, TypedExpr::Number(n), CompareOp::Ge | CompareOp::Gt) => Some(*n),
            (TypedExpr::Number(n), TypedExpr::Score, CompareOp::Le | CompareOp::Lt) => Some(*n),
            _ => None,
        },
        _ => None,
    }
}

fn rule_explanation(policy: &Policy, record: &Record, o: &RuleOutcome) -> RuleExplanation {
    let rule = &policy.rules[o.rule];
    let file = policy.sources.file(rule.span.file);
    let (line, column) = file.line_col(rule.span.start);
    let mut read: Vec<FieldId> = Vec::new();
    for e in rule.when.iter().chain(rule.points.iter()) {
        for f in describe::fields_read(e) {
            if !read.contains(&f) {
                read.push(f);
            }
        }
    }
    let values = read
        .iter()
        .map(|f| {
            let value = record.values.get(*f).and_then(Option::as_ref);
            (
                policy.schema.fields[*f].name.clone(),
                value.map(|v| describe::value_text(policy, v)),
            )
        })
        .collect();
    RuleExplanation {
        rule: rule.name.clone(),
        kind: rule.kind.keyword(),
        truth: o.truth,
        points: Num(o.points),
        effect: o.effect,
        on_missing: rule.on_missing,
        because: rule.because.clone(),
        location: Location {
            file: file.name.clone(),
            line,
            column,
        },
        condition: rule.when.as_ref().map(|w| describe::expr_text(policy, w)),
        points_expression: match &rule.points {
            Some(TypedExpr::Number(_)) | None => None,
            Some(p) => Some(describe::expr_text(policy, p)),
        },
        facts: rule
            .when
            .as_ref()
            .map(|w| describe::facts(policy, w, record))
            .unwrap_or_default(),
        values,
        missing: o
            .missing
            .iter()
            .map(|f| policy.schema.fields[*f].name.clone())
            .collect(),
    }
}

impl Explanation {
    /// Rules that excluded the record.
    pub fn exclusions(&self) -> impl Iterator<Item = &RuleExplanation> {
        self.rules
            .iter()
            .filter(|r| r.effect == Some(MissingAction::Exclude))
    }

    /// Rules that sent the record to review.
    pub fn reviews(&self) -> impl Iterator<Item = &RuleExplanation> {
        self.rules
            .iter()
            .filter(|r| r.effect == Some(MissingAction::Review))
    }

    /// The explanation as JSON data, for tools.
    pub fn to_json(&self, policy: &Policy) -> serde_json::Value {
        let change = |c: &Change| {
            serde_json::json!({
                "field": policy.schema.fields[c.field].name,
                "from": c.from.as_ref().map(|v| describe::value_text(policy, v)),
                "to": describe::value_text(policy, &c.to),
            })
        };
        let suggestions = match &self.advice {
            Advice::Excluded => serde_json::json!({"status": "excluded", "options": []}),
            Advice::Invalid => serde_json::json!({"status": "invalid", "options": []}),
            Advice::AtTop => serde_json::json!({"status": "at_top", "options": []}),
            Advice::Found(goal, found) => serde_json::json!({
                "status": if found.is_empty() { "none_found" } else { "found" },
                "goal": match goal {
                    Goal::SettleReview => "settle_review".to_string(),
                    Goal::TierAbove(_) => format!("tier {}", self.next_tier.as_ref().map_or("", |t| t.0.as_str())),
                },
                "options": found.iter().map(|s| serde_json::json!({
                    "changes": s.changes.iter().map(change).collect::<Vec<_>>(),
                    "decision": s.decision.kind,
                    "tier": policy.tier_name(&s.decision),
                    "score": s.decision.score.map(Num),
                })).collect::<Vec<_>>(),
            }),
        };
        serde_json::json!({
            "policy": {"name": self.policy.0, "version": self.policy.1},
            "id": self.id,
            "decision": self.decision.kind,
            "tier": policy.tier_name(&self.decision),
            "score": self.decision.score.map(Num),
            "rules": self.rules.iter().map(|r| serde_json::json!({
                "rule": r.rule,
                "kind": r.kind,
                "truth": r.truth,
                "points": r.points,
                "effect": r.effect,
                "on_missing": r.on_missing,
                "because": r.because,
                "location": r.location,
                "condition": r.condition,
                "points_expression": r.points_expression,
                "facts": r.facts,
                "values": r.values.iter().map(|(k, v)| (k.clone(), serde_json::json!(v))).collect::<serde_json::Map<_, _>>(),
                "missing": r.missing,
            })).collect::<Vec<_>>(),
            "tiers": self.tiers,
            "next_tier": self.next_tier.as_ref().map(|(name, needed)| serde_json::json!({
                "name": name, "points_needed": needed.map(Num),
            })),
            "suggestions": suggestions,
            "errors": self.errors,
        })
    }

    /// Whether the record was decided (not invalid).
    pub fn is_valid(&self) -> bool {
        self.decision.kind != DecisionKind::Invalid
    }
}
