//! What every output row repeats, JSON-encoded once per run instead of once per row:
//! rule and field names, each rule's usual `unknown` and `contributions` entries, for
//! `eval --explain` each rule's usual outcome entries, and the constant bytes of a row
//! ([`RowFrame`]: keys, decisions, tiers, the policy stamp). Each pre-encoded entry is used only for an outcome that shows
//! exactly what it was encoded from, so rows come out byte for byte as without it.

use serde_json::value::RawValue;

use super::row::{rule_locations, Contribution, Num, OutcomeRow, RuleLocation, Unknown};
use super::row_frame::RowFrame;
use crate::check::Policy;
use crate::eval::RuleOutcome;

/// The JSON of what every row repeats (names, usual entries, the row's constant bytes),
/// encoded once per run instead of once per row.
#[derive(Debug, Clone)]
pub struct Preencoded {
    pub(super) rules: Vec<Box<RawValue>>,
    pub(super) fields: Vec<Box<RawValue>>,
    /// By rule: `{"rule":R,"missing":[F]}` for each field F the rule reads (an
    /// unknown almost always misses one field).
    unknowns: Vec<Vec<(usize, Box<RawValue>)>>,
    /// By rule: `{"rule":R,"points":P}` for a score rule whose points are a constant.
    contributions: Vec<Option<(f64, Box<RawValue>)>>,
    /// By rule: its usual `--explain` outcome entries (false; true with constant
    /// points; unknown for want of each field it reads), each with what it shows.
    outcomes: Vec<Vec<(OutcomeKey, Box<RawValue>)>>,
    /// The constant bytes of a row, for splicing rows (see [`RowFrame`]).
    pub(super) frame: RowFrame,
    /// The policy it was made for.
    hash: String,
    /// How many tiers that policy has.
    tier_count: usize,
}

impl Preencoded {
    /// Encodes what the rows of `policy` repeat; `None` if serde_json cannot encode
    /// it (rows are then serialized whole).
    pub fn new(policy: &Policy) -> Option<Preencoded> {
        let raw = |v: &dyn erased::Json| -> Box<RawValue> {
            RawValue::from_string(v.json()).unwrap_or_else(|_| empty_raw())
        };
        let locations = rule_locations(policy);
        Some(Preencoded {
            rules: policy.rules.iter().map(|r| raw(&r.name.as_str())).collect(),
            fields: policy
                .schema
                .fields
                .iter()
                .map(|f| raw(&f.name.as_str()))
                .collect(),
            unknowns: policy
                .rules
                .iter()
                .map(|r| {
                    fields_of(r)
                        .into_iter()
                        .map(|f| {
                            let missing = [policy.schema.fields[f].name.as_str()];
                            (
                                f,
                                raw(&Unknown {
                                    rule: &r.name,
                                    missing: missing.iter().copied().collect(),
                                }),
                            )
                        })
                        .collect()
                })
                .collect(),
            contributions: policy
                .rules
                .iter()
                .map(|r| match &r.points {
                    Some(crate::check::TypedExpr::Number(n)) if *n != 0.0 => Some((
                        *n,
                        raw(&Contribution {
                            rule: &r.name,
                            points: Num(*n),
                        }),
                    )),
                    _ => None,
                })
                .collect(),
            outcomes: usual_outcomes(policy, &locations)
                .into_iter()
                .map(|entries| {
                    entries
                        .into_iter()
                        .map(|(key, row)| (key, raw(&row)))
                        .collect()
                })
                .collect(),
            frame: RowFrame::new(policy).ok()?,
            hash: policy.hash.clone(),
            tier_count: policy.tiers.len(),
        })
    }

    /// Whether this was made for `policy` (the same text, so the same names).
    pub fn is_for(&self, policy: &Policy) -> bool {
        self.hash == policy.hash
            && self.rules.len() == policy.rules.len()
            && self.tier_count == policy.tiers.len()
    }

    /// The usual `unknown` entry of `rule`, if it shows exactly the `missing` fields
    /// (one).
    #[inline]
    pub(super) fn usual_unknown(&self, rule: usize, missing: &[usize]) -> Option<&RawValue> {
        let [field] = missing else {
            return None;
        };
        let entries = self.unknowns.get(rule)?;
        entries
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, raw)| &**raw)
    }

    /// The usual `contributions` entry of `rule`, if it shows `points`.
    #[inline]
    pub(super) fn usual_contribution(&self, rule: usize, points: f64) -> Option<&RawValue> {
        match self.contributions.get(rule) {
            Some(Some((usual, raw))) if *usual == points => Some(raw),
            _ => None,
        }
    }

    /// The usual `--explain` outcome entry of `o`'s rule, if it shows exactly what
    /// `o` shows (truth, effect, points and at most one missing field).
    pub(super) fn usual_outcome(&self, o: &RuleOutcome) -> Option<&RawValue> {
        if o.missing.len() > 1 {
            return None;
        }
        let key: OutcomeKey = (o.truth, o.effect, o.points, o.missing.first().copied());
        let entries = self.outcomes.get(o.rule)?;
        entries
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, raw)| &**raw)
    }
}

fn empty_raw() -> Box<RawValue> {
    RawValue::from_string("null".to_string()).unwrap_or_else(|_| empty_raw())
}

mod erased {
    /// Anything serializable, as a JSON string.
    pub trait Json {
        fn json(&self) -> String;
    }
    impl<T: serde::Serialize> Json for T {
        fn json(&self) -> String {
            serde_json::to_string(self).unwrap_or_else(|_| "null".to_string())
        }
    }
}

/// What an `--explain` outcome entry shows besides its rule: truth, effect, points
/// and the one missing field (if any).
type OutcomeKey = (
    crate::eval::Truth,
    Option<crate::syntax::ast::MissingAction>,
    f64,
    Option<usize>,
);

/// The fields a rule reads (condition, then points), each once: one of them is what
/// an unknown outcome of the rule almost always misses.
fn fields_of(rule: &crate::check::Rule) -> Vec<usize> {
    let mut fields = Vec::new();
    for e in rule.when.iter().chain(&rule.points) {
        for f in crate::explain::describe::fields_read(e) {
            if !fields.contains(&f) {
                fields.push(f);
            }
        }
    }
    fields
}

/// By rule, the outcome entries most records get, to be encoded once per run.
fn usual_outcomes<'a>(
    policy: &'a Policy,
    locations: &'a [RuleLocation],
) -> Vec<Vec<(OutcomeKey, OutcomeRow<'a>)>> {
    use crate::eval::Truth;
    use crate::syntax::ast::{MissingAction, RuleKind};
    policy
        .rules
        .iter()
        .enumerate()
        .map(|(index, rule)| {
            let row = |truth, effect, points, missing: Option<usize>| OutcomeRow {
                rule: &rule.name,
                kind: rule.kind.keyword(),
                truth,
                points: Num(points),
                effect,
                missing: missing
                    .map(|f| policy.schema.fields[f].name.as_str())
                    .into_iter()
                    .collect(),
                location: locations.get(index),
            };
            let mut entries = vec![(
                (Truth::False, None, 0.0, None),
                row(Truth::False, None, 0.0, None),
            )];
            let when_true = match (rule.kind, &rule.points) {
                (RuleKind::Exclude, _) => Some((Some(MissingAction::Exclude), 0.0)),
                (RuleKind::Review, _) => Some((Some(MissingAction::Review), 0.0)),
                (RuleKind::Score, None) => Some((None, 0.0)),
                (RuleKind::Score, Some(crate::check::TypedExpr::Number(n))) => Some((None, *n)),
                (RuleKind::Score, Some(_)) => None,
            };
            if let Some((effect, points)) = when_true {
                entries.push((
                    (Truth::True, effect, points, None),
                    row(Truth::True, effect, points, None),
                ));
            }
            let if_unknown = match rule.on_missing {
                MissingAction::Ignore => None,
                action => Some(action),
            };
            for f in fields_of(rule) {
                entries.push((
                    (Truth::Unknown, if_unknown, 0.0, Some(f)),
                    row(Truth::Unknown, if_unknown, 0.0, Some(f)),
                ));
            }
            entries
        })
        .collect()
}
