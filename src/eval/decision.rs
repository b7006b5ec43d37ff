//! Deciding one record: every rule's outcome, the score, the tier and the decision.

use serde::Serialize;
use smallvec::SmallVec;

use super::expr::{eval, truth, Out, Val};
use super::truth::Truth;
use crate::check::{FieldId, Policy, Rule};
use crate::record::{FieldError, Record, RecordId};
use crate::syntax::ast::{MissingAction, RuleKind};

/// The missing fields behind an unknown: almost always one or two, kept inline.
pub type Missing = SmallVec<[FieldId; 2]>;

/// The four decisions, in precedence order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DecisionKind {
    /// Wanted: no exclusion, nothing for a person to decide.
    Qualified,
    /// A person must decide.
    Review,
    /// A hard no-go.
    Excluded,
    /// The record could not be read against the schema.
    Invalid,
}

impl DecisionKind {
    /// The decision as written in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            DecisionKind::Qualified => "qualified",
            DecisionKind::Review => "review",
            DecisionKind::Excluded => "excluded",
            DecisionKind::Invalid => "invalid",
        }
    }
}

/// What one rule did for one record.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleOutcome {
    /// Index of the rule in [`Policy::rules`].
    pub rule: usize,
    /// The truth of its condition (for a score rule: unknown also when the points are).
    pub truth: Truth,
    /// Points added to the score (0 unless a true score rule).
    pub points: f64,
    /// The missing fields that made it unknown (each once, in reading order).
    pub missing: Missing,
    /// What the rule did to the decision: `Exclude`/`Review` when it excluded or sent
    /// the record to review (true, or unknown resolved so), `None` otherwise.
    pub effect: Option<MissingAction>,
}

/// The decision for one record, with the outcome of every rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// The record's id.
    pub id: RecordId,
    /// The decision.
    pub kind: DecisionKind,
    /// Index of the tier in [`Policy::tiers`]; `None` without tiers or for invalid records.
    pub tier: Option<usize>,
    /// The total; `None` for invalid records.
    pub score: Option<f64>,
    /// Outcomes of every rule in policy order (empty for invalid records).
    pub outcomes: Vec<RuleOutcome>,
    /// Why the record is invalid.
    pub errors: Vec<FieldError>,
}

impl Decision {
    /// An empty decision, to be filled by [`crate::eval::Plan::decide_into`].
    pub fn empty() -> Decision {
        Decision {
            id: RecordId::Position(0),
            kind: DecisionKind::Invalid,
            tier: None,
            score: None,
            outcomes: Vec::new(),
            errors: Vec::new(),
        }
    }

    /// Rules that excluded the record, in policy order.
    pub fn exclusions(&self) -> impl Iterator<Item = &RuleOutcome> {
        self.outcomes
            .iter()
            .filter(|o| o.effect == Some(MissingAction::Exclude))
    }

    /// Rules that sent the record to review, in policy order.
    pub fn reviews(&self) -> impl Iterator<Item = &RuleOutcome> {
        self.outcomes
            .iter()
            .filter(|o| o.effect == Some(MissingAction::Review))
    }

    /// Score rules that added non-zero points, in policy order.
    pub fn contributions(&self) -> impl Iterator<Item = &RuleOutcome> {
        self.outcomes.iter().filter(|o| o.points != 0.0)
    }

    /// Rules whose outcome was unknown, in policy order.
    pub fn unknowns(&self) -> impl Iterator<Item = &RuleOutcome> {
        self.outcomes.iter().filter(|o| o.truth == Truth::Unknown)
    }
}

/// Adds points to the running score, saturating at the largest finite number: a sum
/// of finite points never becomes infinite (which JSON could not show).
pub(crate) fn add_points(score: f64, points: f64) -> f64 {
    (score + points).clamp(-f64::MAX, f64::MAX)
}

/// Decides one record the straightforward way: the reference the compiled
/// [`crate::eval::Plan`] is tested against.
pub fn decide(policy: &Policy, record: &Record) -> Decision {
    if record.is_invalid() {
        return Decision {
            id: record.id.clone(),
            kind: DecisionKind::Invalid,
            tier: None,
            score: None,
            outcomes: Vec::new(),
            errors: record.errors.clone(),
        };
    }
    let mut score = 0.0;
    let mut outcomes = Vec::with_capacity(policy.rules.len());
    for (index, rule) in policy.rules.iter().enumerate() {
        let outcome = rule_outcome(index, rule, record);
        score = add_points(score, outcome.points);
        outcomes.push(outcome);
    }
    // `-0` prints as 0.
    if score == 0.0 {
        score = 0.0;
    }
    let tier = policy.tiers.iter().position(|tier| match &tier.when {
        None => true,
        Some(cond) => truth(&eval(cond, record, score)) == Truth::True,
    });
    let excluded = outcomes
        .iter()
        .any(|o| o.effect == Some(MissingAction::Exclude));
    let review = outcomes
        .iter()
        .any(|o| o.effect == Some(MissingAction::Review));
    let kind = if excluded {
        DecisionKind::Excluded
    } else if review {
        DecisionKind::Review
    } else {
        DecisionKind::Qualified
    };
    Decision {
        id: record.id.clone(),
        kind,
        tier,
        score: Some(score),
        outcomes,
        errors: Vec::new(),
    }
}

pub(crate) fn rule_outcome(index: usize, rule: &Rule, record: &Record) -> RuleOutcome {
    let condition = match &rule.when {
        Some(cond) => eval(cond, record, 0.0),
        None => Out::Known(Val::Bool(true)),
    };
    let mut result = RuleOutcome {
        rule: index,
        truth: truth(&condition),
        points: 0.0,
        missing: match condition {
            Out::Unknown(missing) => SmallVec::from_vec(missing),
            Out::Known(_) => SmallVec::new(),
        },
        effect: None,
    };
    if rule.kind == RuleKind::Score && result.truth != Truth::False {
        let points = rule
            .points
            .as_ref()
            .map_or(Out::Known(Val::Number(0.0)), |p| eval(p, record, 0.0));
        match points {
            Out::Known(Val::Number(n)) if result.truth == Truth::True => result.points = n,
            Out::Known(_) => {}
            Out::Unknown(missing) => {
                result.truth = Truth::Unknown;
                for f in missing {
                    if !result.missing.contains(&f) {
                        result.missing.push(f);
                    }
                }
            }
        }
    }
    result.effect = match (result.truth, rule.kind) {
        (Truth::True, RuleKind::Exclude) => Some(MissingAction::Exclude),
        (Truth::True, RuleKind::Review) => Some(MissingAction::Review),
        (Truth::Unknown, _) => match rule.on_missing {
            MissingAction::Ignore => None,
            action => Some(action),
        },
        _ => None,
    };
    result
}
