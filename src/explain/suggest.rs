//! "What would it take": the smallest sets of field changes that lift a record to the
//! next tier up or settle its review. Candidates come from the rules' own constants;
//! every suggestion is checked by deciding the changed record again, never guessed.

use crate::check::{ConstList, FieldId, FieldType, ListRef, Policy, TypedExpr, Value};
use crate::eval::{Decision, DecisionKind};
use crate::record::Record;
use crate::syntax::ast::CompareOp;

/// One field set to a new value.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// The field.
    pub field: FieldId,
    /// Its value now (`None`: missing).
    pub from: Option<Value>,
    /// The value that is tried.
    pub to: Value,
}

/// A set of changes and the decision the changed record gets.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    /// The changes, all needed together.
    pub changes: Vec<Change>,
    /// The decision of the changed record (re-evaluated).
    pub decision: Decision,
}

/// What the search aims at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Goal {
    /// A tier above the current one (index in `policy.tiers`), still qualified.
    TierAbove(usize),
    /// A review settled: the record becomes qualified.
    SettleReview,
}

/// Why there are suggestions or not.
#[derive(Debug, Clone, PartialEq)]
pub enum Advice {
    /// Excluded: no way around a no-go is suggested.
    Excluded,
    /// Invalid: the errors must be fixed first.
    Invalid,
    /// Already in the top tier (or no tiers) and not in review.
    AtTop,
    /// The goal, and the smallest verified change sets found (may be empty).
    Found(Goal, Vec<Suggestion>),
}

/// Most suggestions shown.
const MAX_SUGGESTIONS: usize = 5;
/// Most single changes combined into pairs and triples.
const MAX_COMBINED: usize = 12;

/// Searches the smallest change sets that reach the next tier up or settle the review.
pub fn suggest(policy: &Policy, record: &Record, decision: &Decision) -> Advice {
    let goal = match decision.kind {
        DecisionKind::Excluded => return Advice::Excluded,
        DecisionKind::Invalid => return Advice::Invalid,
        DecisionKind::Review => Goal::SettleReview,
        DecisionKind::Qualified => match decision.tier {
            Some(t) if t > 0 => Goal::TierAbove(t),
            _ => return Advice::AtTop,
        },
    };
    let reached = |d: &Decision| match goal {
        Goal::SettleReview => d.kind == DecisionKind::Qualified,
        Goal::TierAbove(current) => {
            d.kind == DecisionKind::Qualified && d.tier.is_some_and(|t| t < current)
        }
    };
    let singles = candidate_changes(policy, record);
    let mut tried: Vec<(Change, Decision)> = singles
        .into_iter()
        .map(|c| {
            let d = policy.evaluate(&apply(record, std::slice::from_ref(&c)));
            (c, d)
        })
        .collect();

    let mut found: Vec<Suggestion> = Vec::new();
    for (change, d) in &tried {
        if reached(d) && !found.iter().any(|s| s.changes[0].field == change.field) {
            found.push(Suggestion {
                changes: vec![change.clone()],
                decision: d.clone(),
            });
        }
    }
    if found.is_empty() {
        // Combine the changes that help most on their own.
        let before = decision.score.unwrap_or(0.0);
        let reviews_before = decision.reviews().count();
        tried.retain(|(_, d)| {
            d.kind != DecisionKind::Excluded
                && (d.score.unwrap_or(0.0) > before || d.reviews().count() < reviews_before)
        });
        tried.sort_by(|a, b| {
            let gain = |d: &Decision| d.score.unwrap_or(0.0);
            gain(&b.1).total_cmp(&gain(&a.1))
        });
        tried.truncate(MAX_COMBINED);
        let helpful: Vec<Change> = tried.into_iter().map(|(c, _)| c).collect();
        for size in 2..=3 {
            for set in combinations(&helpful, size) {
                let changed = apply(record, &set);
                let d = policy.evaluate(&changed);
                if reached(&d) {
                    found.push(Suggestion {
                        changes: set,
                        decision: d,
                    });
                }
            }
            if !found.is_empty() {
                break;
            }
        }
    }
    found.sort_by(|a, b| {
        let score = |s: &Suggestion| s.decision.score.unwrap_or(0.0);
        score(b).total_cmp(&score(a))
    });
    found.truncate(MAX_SUGGESTIONS);
    Advice::Found(goal, found)
}

/// The record with the changes applied (its errors and id kept).
pub fn apply(record: &Record, changes: &[Change]) -> Record {
    let mut changed = record.clone();
    for c in changes {
        if let Some(slot) = changed.values.get_mut(c.field) {
            *slot = Some(c.to.clone());
        }
    }
    changed
}

fn combinations(items: &[Change], size: usize) -> Vec<Vec<Change>> {
    let mut out = Vec::new();
    let mut pick = Vec::new();
    fn go(
        items: &[Change],
        size: usize,
        start: usize,
        pick: &mut Vec<Change>,
        out: &mut Vec<Vec<Change>>,
    ) {
        if pick.len() == size {
            out.push(pick.clone());
            return;
        }
        for i in start..items.len() {
            if pick.iter().any(|c| c.field == items[i].field) {
                continue;
            }
            pick.push(items[i].clone());
            go(items, size, i + 1, pick, out);
            pick.pop();
        }
    }
    go(items, size, 0, &mut pick, &mut out);
    out
}

/// Every single change worth trying: for each field a rule reads (the key aside),
/// the values the rules compare it with, both bools, every enum value, and for numbers
/// without a constant to go by, a ladder of magnitudes.
fn candidate_changes(policy: &Policy, record: &Record) -> Vec<Change> {
    let mut values: Vec<(FieldId, Value)> = Vec::new();
    for rule in &policy.rules {
        for e in rule.when.iter().chain(rule.points.iter()) {
            constants(e, &mut values);
        }
    }
    let mut fields: Vec<FieldId> = Vec::new();
    for rule in &policy.rules {
        for e in rule.when.iter().chain(rule.points.iter()) {
            for f in super::describe::fields_read(e) {
                // Text fields (name, country) say who the customer is, not what a deal
                // could change: no suggestion touches them.
                let is_text = policy.schema.fields[f].ty == FieldType::Text;
                if !fields.contains(&f) && Some(f) != policy.schema.key && !is_text {
                    fields.push(f);
                }
            }
        }
    }
    let mut changes = Vec::new();
    for f in fields {
        let current = record.values.get(f).cloned().flatten();
        let mut options: Vec<Value> = values
            .iter()
            .filter(|(field, _)| *field == f)
            .map(|(_, v)| v.clone())
            .collect();
        match &policy.schema.fields[f].ty {
            FieldType::Bool => options.extend([Value::Bool(true), Value::Bool(false)]),
            FieldType::Enum(ids) => options.extend(ids.iter().map(|e| Value::Enum(*e))),
            FieldType::Number if options.is_empty() => {
                options.extend((0..=9).map(|p| Value::Number(10f64.powi(p))));
            }
            FieldType::TextList => {
                let texts: Vec<String> = options
                    .drain(..)
                    .filter_map(|v| match v {
                        Value::Text(t) => Some(t),
                        _ => None,
                    })
                    .collect();
                for t in texts {
                    let mut list = match &current {
                        Some(Value::TextList(items)) => items.clone(),
                        _ => Vec::new(),
                    };
                    if !list.contains(&t) {
                        list.push(t);
                        options.push(Value::TextList(list));
                    }
                }
            }
            _ => {}
        }
        let mut seen: Vec<Value> = Vec::new();
        for to in options {
            if Some(&to) == current.as_ref()
                || seen.contains(&to)
                || !fits(&policy.schema.fields[f].ty, &to)
            {
                continue;
            }
            seen.push(to.clone());
            changes.push(Change {
                field: f,
                from: current.clone(),
                to,
            });
        }
    }
    changes
}

fn fits(ty: &FieldType, v: &Value) -> bool {
    matches!(
        (ty, v),
        (FieldType::Number, Value::Number(_))
            | (FieldType::Text, Value::Text(_))
            | (FieldType::Bool, Value::Bool(_))
            | (FieldType::Enum(_), Value::Enum(_))
            | (FieldType::TextList, Value::TextList(_))
            | (FieldType::NumberList, Value::NumberList(_))
    )
}

/// Constants compared directly with a field: `f >= 36` gives 36 and 37 (and 35),
/// `f between 200 and 5000` both bounds, `f in [..]` each value, `"x" in f` the text.
fn constants(e: &TypedExpr, out: &mut Vec<(FieldId, Value)>) {
    match e {
        TypedExpr::Compare(op, l, r) => {
            let pair = match (l.as_ref(), r.as_ref()) {
                (TypedExpr::Field(f), c) => Some((*f, c, *op)),
                (c, TypedExpr::Field(f)) => Some((*f, c, op.flipped())),
                _ => None,
            };
            if let Some((f, c, op)) = pair {
                match c {
                    TypedExpr::Number(n) => {
                        out.push((f, Value::Number(*n)));
                        match op {
                            CompareOp::Gt | CompareOp::Ne => out.push((f, Value::Number(n + 1.0))),
                            CompareOp::Lt => out.push((f, Value::Number(n - 1.0))),
                            _ => {}
                        }
                    }
                    TypedExpr::Text(t) => out.push((f, Value::Text(t.to_string()))),
                    TypedExpr::Enum(id) => out.push((f, Value::Enum(*id))),
                    TypedExpr::Bool(b) => out.push((f, Value::Bool(*b))),
                    _ => {}
                }
            }
            constants(l, out);
            constants(r, out);
        }
        TypedExpr::Between(x, lo, hi) => {
            if let TypedExpr::Field(f) = x.as_ref() {
                for bound in [lo, hi] {
                    if let TypedExpr::Number(n) = bound.as_ref() {
                        out.push((*f, Value::Number(*n)));
                    }
                }
            }
        }
        TypedExpr::In { item, list, .. } => match (item.as_ref(), list) {
            (TypedExpr::Field(f), ListRef::Const(list, _)) => match list.as_ref() {
                ConstList::Numbers(v) => out.extend(v.iter().map(|n| (*f, Value::Number(*n)))),
                ConstList::Texts(v) => out.extend(v.iter().map(|t| (*f, Value::Text(t.clone())))),
                ConstList::Enums(v) => out.extend(v.iter().map(|e| (*f, Value::Enum(*e)))),
            },
            (TypedExpr::Text(t), ListRef::Field(f)) => out.push((*f, Value::Text(t.to_string()))),
            _ => {}
        },
        TypedExpr::Not(x) | TypedExpr::Neg(x) => constants(x, out),
        TypedExpr::And(l, r) | TypedExpr::Or(l, r) | TypedExpr::Arith(_, l, r) => {
            constants(l, out);
            constants(r, out);
        }
        TypedExpr::Call(_, args) => args.iter().for_each(|a| constants(a, out)),
        _ => {}
    }
}
