//! The compiled plan: a checked policy turned once into a form that is cheap to run.
//! Common condition shapes (`field == enum`, `field in [enums]` as a bitmask,
//! `field >= 36`, `between`, bool fields) get their own node; everything else falls
//! back to the reference evaluator. Unknown outcomes — the rare case — are handed to
//! the reference path too, which names the missing fields; so both paths always agree.

use crate::check::{ConstList, EnumId, Func, ListRef, Policy, Rule, TypedExpr, Value};
use crate::record::Record;
use crate::syntax::ast::{ArithOp, CompareOp, MissingAction, RuleKind};

use super::decision::{rule_outcome, Decision, DecisionKind, RuleOutcome};
use super::expr::{eval, truth};
use super::truth::Truth;

/// A condition in compiled form.
#[derive(Debug, Clone)]
enum Cond {
    BoolField(usize),
    EnumEq(usize, EnumId, bool),
    EnumIn(usize, u64, bool),
    NumCompare(usize, CompareOp, f64),
    NumBetween(usize, f64, f64),
    TextIn(usize, Vec<String>, bool),
    ListHasText(usize, String, bool),
    Present(usize, bool),
    Compare(CompareOp, Num, Num),
    Not(Box<Cond>),
    And(Box<Cond>, Box<Cond>),
    Or(Box<Cond>, Box<Cond>),
    /// Anything else: the reference evaluator.
    Other(TypedExpr),
}

/// A number expression in compiled form; `None` from it means unknown.
#[derive(Debug, Clone)]
enum Num {
    Const(f64),
    Field(usize),
    Score,
    Neg(Box<Num>),
    Arith(ArithOp, Box<Num>, Box<Num>),
    Min(Box<Num>, Box<Num>),
    Max(Box<Num>, Box<Num>),
    Clamp(Box<Num>, Box<Num>, Box<Num>),
    Abs(Box<Num>),
    Other(TypedExpr),
}

#[derive(Debug, Clone)]
struct RulePlan {
    kind: RuleKind,
    when: Option<Cond>,
    points: Option<Num>,
}

/// A policy compiled for evaluation.
#[derive(Debug, Clone)]
pub struct Plan {
    rules: Vec<RulePlan>,
    tiers: Vec<Option<Cond>>,
}

impl Plan {
    /// Compiles a checked policy.
    pub fn compile(policy: &Policy) -> Plan {
        Plan {
            rules: policy
                .rules
                .iter()
                .map(|r| RulePlan {
                    kind: r.kind,
                    when: r.when.as_ref().map(cond),
                    points: r.points.as_ref().map(num),
                })
                .collect(),
            tiers: policy
                .tiers
                .iter()
                .map(|t| t.when.as_ref().map(cond))
                .collect(),
        }
    }

    /// Decides `record` into `out`, reusing its buffers (no allocation for records
    /// whose rules are all decided).
    pub fn decide_into(&self, rules: &[Rule], record: &Record, out: &mut Decision) {
        out.id.clone_from(&record.id);
        out.outcomes.clear();
        out.errors.clear();
        if record.is_invalid() {
            out.kind = DecisionKind::Invalid;
            out.tier = None;
            out.score = None;
            out.errors.extend(record.errors.iter().cloned());
            return;
        }
        let mut score = 0.0;
        let (mut excluded, mut review) = (false, false);
        for (index, plan) in self.rules.iter().enumerate() {
            let mut t = plan
                .when
                .as_ref()
                .map_or(Truth::True, |c| test(c, record, 0.0));
            let mut points = 0.0;
            if plan.kind == RuleKind::Score && t != Truth::False {
                match plan
                    .points
                    .as_ref()
                    .map_or(Some(0.0), |p| number(p, record, 0.0))
                {
                    Some(n) if t == Truth::True => points = n,
                    Some(_) => {}
                    None => t = Truth::Unknown,
                }
            }
            let outcome = if t == Truth::Unknown {
                // Rare: the reference path names the missing fields.
                rule_outcome(index, &rules[index], record)
            } else {
                let effect = match (t, plan.kind) {
                    (Truth::True, RuleKind::Exclude) => Some(MissingAction::Exclude),
                    (Truth::True, RuleKind::Review) => Some(MissingAction::Review),
                    _ => None,
                };
                RuleOutcome {
                    rule: index,
                    truth: t,
                    points,
                    missing: Vec::new(),
                    effect,
                }
            };
            excluded |= outcome.effect == Some(MissingAction::Exclude);
            review |= outcome.effect == Some(MissingAction::Review);
            score += outcome.points;
            out.outcomes.push(outcome);
        }
        if score == 0.0 {
            score = 0.0;
        }
        out.score = Some(score);
        out.tier = self.tiers.iter().position(|t| match t {
            None => true,
            Some(c) => test(c, record, score) == Truth::True,
        });
        out.kind = if excluded {
            DecisionKind::Excluded
        } else if review {
            DecisionKind::Review
        } else {
            DecisionKind::Qualified
        };
    }
}

fn cond(e: &TypedExpr) -> Cond {
    use TypedExpr as T;
    match e {
        T::Field(f) => Cond::BoolField(*f),
        T::Not(x) => Cond::Not(Box::new(cond(x))),
        T::And(l, r) => Cond::And(Box::new(cond(l)), Box::new(cond(r))),
        T::Or(l, r) => Cond::Or(Box::new(cond(l)), Box::new(cond(r))),
        T::Is { field, present } => Cond::Present(*field, *present),
        T::Compare(op @ (CompareOp::Eq | CompareOp::Ne), l, r) => match (l.as_ref(), r.as_ref()) {
            (T::Field(f), T::Enum(v)) | (T::Enum(v), T::Field(f)) => {
                Cond::EnumEq(*f, *v, *op == CompareOp::Ne)
            }
            (T::Field(f), T::Number(n)) => Cond::NumCompare(*f, *op, *n),
            _ if is_numeric(l) && is_numeric(r) => Cond::Compare(*op, num(l), num(r)),
            _ => Cond::Other(e.clone()),
        },
        T::Compare(op, l, r) => match (l.as_ref(), r.as_ref()) {
            (T::Field(f), T::Number(n)) => Cond::NumCompare(*f, *op, *n),
            _ => Cond::Compare(*op, num(l), num(r)),
        },
        T::Between(x, lo, hi) => match (x.as_ref(), lo.as_ref(), hi.as_ref()) {
            (T::Field(f), T::Number(a), T::Number(b)) => Cond::NumBetween(*f, *a, *b),
            _ => Cond::Other(e.clone()),
        },
        T::In {
            item,
            list,
            negated,
        } => match (item.as_ref(), list) {
            (T::Field(f), ListRef::Const(list, _)) => match list.as_ref() {
                ConstList::Enums(ids) if ids.iter().all(|id| id.0 < 64) => {
                    let mask = ids.iter().fold(0u64, |m, id| m | (1 << id.0));
                    Cond::EnumIn(*f, mask, *negated)
                }
                ConstList::Texts(texts) => Cond::TextIn(*f, texts.clone(), *negated),
                _ => Cond::Other(e.clone()),
            },
            (T::Text(t), ListRef::Field(f)) => Cond::ListHasText(*f, t.to_string(), *negated),
            _ => Cond::Other(e.clone()),
        },
        _ => Cond::Other(e.clone()),
    }
}

fn is_numeric(e: &TypedExpr) -> bool {
    matches!(
        e,
        TypedExpr::Number(_)
            | TypedExpr::Arith(..)
            | TypedExpr::Neg(_)
            | TypedExpr::Score
            | TypedExpr::ConstLen(_)
            | TypedExpr::FieldLen(_)
            | TypedExpr::Call(
                Func::Min | Func::Max | Func::Clamp | Func::Abs | Func::Len,
                _
            )
    )
}

fn num(e: &TypedExpr) -> Num {
    use TypedExpr as T;
    let b = |x: &TypedExpr| Box::new(num(x));
    match e {
        T::Number(n) => Num::Const(*n),
        T::Field(f) => Num::Field(*f),
        T::Score => Num::Score,
        T::Neg(x) => Num::Neg(b(x)),
        T::Arith(op, l, r) => Num::Arith(*op, b(l), b(r)),
        T::ConstLen(n) => Num::Const(*n as f64),
        T::Call(Func::Min, args) if args.len() == 2 => Num::Min(b(&args[0]), b(&args[1])),
        T::Call(Func::Max, args) if args.len() == 2 => Num::Max(b(&args[0]), b(&args[1])),
        T::Call(Func::Clamp, args) if args.len() == 3 => {
            Num::Clamp(b(&args[0]), b(&args[1]), b(&args[2]))
        }
        T::Call(Func::Abs, args) if args.len() == 1 => Num::Abs(b(&args[0])),
        _ => Num::Other(e.clone()),
    }
}

fn slot(record: &Record, f: usize) -> Option<&Value> {
    record.values.get(f).and_then(Option::as_ref)
}

fn finite(n: f64) -> Option<f64> {
    n.is_finite().then_some(n)
}

fn number(n: &Num, record: &Record, score: f64) -> Option<f64> {
    match n {
        Num::Const(c) => Some(*c),
        Num::Field(f) => match slot(record, *f) {
            Some(Value::Number(v)) => Some(*v),
            _ => None,
        },
        Num::Score => Some(score),
        Num::Neg(x) => number(x, record, score).map(|v| -v),
        Num::Arith(op, l, r) => {
            let (a, b) = (number(l, record, score), number(r, record, score));
            let (a, b) = (a?, b?);
            match op {
                ArithOp::Add => finite(a + b),
                ArithOp::Sub => finite(a - b),
                ArithOp::Mul => finite(a * b),
                ArithOp::Div if b == 0.0 => None,
                ArithOp::Div => finite(a / b),
            }
        }
        Num::Min(a, b) => finite(number(a, record, score)?.min(number(b, record, score)?)),
        Num::Max(a, b) => finite(number(a, record, score)?.max(number(b, record, score)?)),
        Num::Clamp(x, lo, hi) => {
            let (x, lo, hi) = (
                number(x, record, score),
                number(lo, record, score),
                number(hi, record, score),
            );
            finite(x?.max(lo?).min(hi?))
        }
        Num::Abs(x) => number(x, record, score).map(f64::abs),
        Num::Other(e) => match eval(e, record, score) {
            super::expr::Out::Known(super::expr::Val::Number(v)) => Some(v),
            _ => None,
        },
    }
}

fn test(c: &Cond, record: &Record, score: f64) -> Truth {
    let tb = Truth::from_bool;
    match c {
        Cond::BoolField(f) => match slot(record, *f) {
            Some(Value::Bool(b)) => tb(*b),
            _ => Truth::Unknown,
        },
        Cond::EnumEq(f, v, negated) => match slot(record, *f) {
            Some(Value::Enum(e)) => tb((e == v) != *negated),
            _ => Truth::Unknown,
        },
        Cond::EnumIn(f, mask, negated) => match slot(record, *f) {
            Some(Value::Enum(e)) => tb((e.0 < 64 && mask & (1 << e.0) != 0) != *negated),
            _ => Truth::Unknown,
        },
        Cond::NumCompare(f, op, n) => match slot(record, *f) {
            Some(Value::Number(v)) => tb(compare(*op, *v, *n)),
            _ => Truth::Unknown,
        },
        Cond::NumBetween(f, lo, hi) => match slot(record, *f) {
            Some(Value::Number(v)) => tb(*lo <= *v && *v <= *hi),
            _ => Truth::Unknown,
        },
        Cond::TextIn(f, texts, negated) => match slot(record, *f) {
            Some(Value::Text(t)) => tb(texts.iter().any(|s| s == t) != *negated),
            _ => Truth::Unknown,
        },
        Cond::ListHasText(f, text, negated) => match slot(record, *f) {
            Some(Value::TextList(items)) => tb(items.iter().any(|s| s == text) != *negated),
            _ => Truth::Unknown,
        },
        Cond::Present(f, present) => tb(slot(record, *f).is_some() == *present),
        Cond::Compare(op, l, r) => match (number(l, record, score), number(r, record, score)) {
            (Some(a), Some(b)) => tb(compare(*op, a, b)),
            _ => Truth::Unknown,
        },
        Cond::Not(x) => test(x, record, score).not(),
        Cond::And(l, r) => match test(l, record, score) {
            Truth::False => Truth::False,
            t => t.and(test(r, record, score)),
        },
        Cond::Or(l, r) => match test(l, record, score) {
            Truth::True => Truth::True,
            t => t.or(test(r, record, score)),
        },
        Cond::Other(e) => truth(&eval(e, record, score)),
    }
}

fn compare(op: CompareOp, a: f64, b: f64) -> bool {
    match op {
        CompareOp::Eq => a == b,
        CompareOp::Ne => a != b,
        CompareOp::Lt => a < b,
        CompareOp::Le => a <= b,
        CompareOp::Gt => a > b,
        CompareOp::Ge => a >= b,
    }
}
