//! The compiled plan: a checked policy turned once into a form that is cheap to run.
//! Common condition shapes (`field == enum`, `field in [enums]` as a bitmask,
//! `field >= 36`, `between`, bool fields) get their own node; everything else falls
//! back to the reference evaluator. Unknown outcomes — the rare case — are handed to
//! the reference path too, which names the missing fields; so both paths always agree.

use crate::check::{ConstList, EnumId, Func, ListRef, Policy, Rule, TypedExpr, Value};
use crate::record::Record;
use crate::syntax::ast::{ArithOp, CompareOp, MissingAction, RuleKind};

use super::decision::{add_points, rule_outcome, Decision, DecisionKind, Missing, RuleOutcome};
use super::expr::{eval, truth};
use super::numeric::{arith, finite, Mask};
use super::slots::SlotPlan;
use super::truth::Truth;

/// A condition in compiled form.
#[derive(Debug, Clone)]
enum Cond {
    BoolField(usize),
    EnumEq(usize, EnumId, bool),
    EnumIn(usize, u64, bool),
    NumCompare(usize, CompareOp, f64),
    /// `score >= 60` and the like: most tier conditions.
    ScoreCompare(CompareOp, f64),
    NumBetween(usize, f64, f64),
    TextIn(usize, TextSet, bool),
    ListHasText(usize, String, bool),
    Present(usize, bool),
    Compare(CompareOp, Num, Num),
    Not(Box<Cond>),
    And(Box<Cond>, Box<Cond>),
    Or(Box<Cond>, Box<Cond>),
    /// Anything else: the reference evaluator.
    Other(TypedExpr),
}

/// A set of texts; short ones (most codes and names) compared as packed integers.
#[derive(Debug, Clone)]
struct TextSet {
    short: Vec<(usize, u128)>,
    long: Vec<String>,
}

impl TextSet {
    fn new(texts: &[String]) -> TextSet {
        let mut set = TextSet {
            short: Vec::new(),
            long: Vec::new(),
        };
        for t in texts {
            match pack(t) {
                Some(p) => set.short.push((t.len(), p)),
                None => set.long.push(t.clone()),
            }
        }
        set
    }

    #[inline]
    fn contains(&self, text: &str) -> bool {
        match pack(text) {
            Some(p) => self
                .short
                .iter()
                .any(|(len, q)| *len == text.len() && *q == p),
            None => self.long.iter().any(|l| l == text),
        }
    }
}

/// Up to 16 bytes as one integer.
#[inline]
fn pack(text: &str) -> Option<u128> {
    let bytes = text.as_bytes();
    if bytes.len() > 16 {
        return None;
    }
    let mut buf = [0u8; 16];
    buf[..bytes.len()].copy_from_slice(bytes);
    Some(u128::from_le_bytes(buf))
}

/// A number expression in compiled form; `None` from it means unknown.
#[derive(Debug, Clone)]
enum Num {
    Const(f64),
    Field(usize),
    Score,
    Neg(Box<Num>),
    Arith(ArithOp, Box<Num>, Box<Num>),
    /// `field OP constant`, as in `deal_value / 10_000`.
    FieldArith(ArithOp, usize, f64),
    /// `clamp(x, lo, hi)` with constant bounds.
    ClampConst(Box<Num>, f64, f64),
    Min(Box<Num>, Box<Num>),
    Max(Box<Num>, Box<Num>),
    Clamp(Box<Num>, Box<Num>, Box<Num>),
    Abs(Box<Num>),
    Other(TypedExpr),
}

#[derive(Debug, Clone)]
struct RulePlan {
    kind: RuleKind,
    /// What the rule does when true, and when unknown.
    if_true: Option<MissingAction>,
    if_unknown: Option<MissingAction>,
    when: Option<Cond>,
    points: Option<Num>,
}

impl RulePlan {
    /// One rule's outcome for one record.
    #[inline]
    fn outcome(&self, index: usize, rules: &[Rule], record: &Record) -> RuleOutcome {
        let (mut t, mut mask) = self
            .when
            .as_ref()
            .map_or((Truth::True, 0), |c| test(c, record, 0.0));
        let mut points = 0.0;
        if self.kind == RuleKind::Score && t != Truth::False {
            match self
                .points
                .as_ref()
                .map_or(Ok(0.0), |p| number(p, record, 0.0))
            {
                Ok(n) if t == Truth::True => points = n,
                Ok(_) => {}
                Err(m) => {
                    t = Truth::Unknown;
                    mask |= m;
                }
            }
        }
        if t == Truth::Unknown && !single_field(mask) {
            // Rare: several missing fields (whose reading order the reference path
            // keeps) or a field beyond the mask.
            return rule_outcome(index, &rules[index], record);
        }
        let effect = match t {
            Truth::True => self.if_true,
            Truth::Unknown => self.if_unknown,
            Truth::False => None,
        };
        let mut missing = Missing::new();
        if t == Truth::Unknown && mask != 0 {
            missing.push(mask.trailing_zeros() as usize);
        }
        RuleOutcome {
            rule: index,
            truth: t,
            points,
            missing,
            effect,
        }
    }
}

/// A policy compiled for evaluation.
#[derive(Debug, Clone)]
pub struct Plan {
    rules: Vec<RulePlan>,
    tiers: Vec<Option<Cond>>,
    /// The typed-slot form, for policies whose every condition it covers.
    slots: Option<SlotPlan>,
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
                    if_true: match r.kind {
                        RuleKind::Exclude => Some(MissingAction::Exclude),
                        RuleKind::Review => Some(MissingAction::Review),
                        RuleKind::Score => None,
                    },
                    if_unknown: match r.on_missing {
                        MissingAction::Ignore => None,
                        action => Some(action),
                    },
                    when: r.when.as_ref().map(cond),
                    points: r.points.as_ref().map(num),
                })
                .collect(),
            tiers: policy
                .tiers
                .iter()
                .map(|t| t.when.as_ref().map(cond))
                .collect(),
            slots: SlotPlan::compile(policy).ok(),
        }
    }

    /// The typed-slot form of the policy; `None` when it has a shape the slot form
    /// does not cover. Records read from CSV are decoded straight into it (see
    /// [`crate::run`]); a [`Record`] is decided by the tree of this plan, which is
    /// faster than converting the record into slots first.
    pub fn slots(&self) -> Option<&SlotPlan> {
        self.slots.as_ref()
    }

    /// Decides `record` into `out`, reusing its buffers (no allocation for records
    /// whose rules are all decided).
    pub fn decide_into(&self, rules: &[Rule], record: &Record, out: &mut Decision) {
        copy_id(&mut out.id, &record.id);
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
        out.outcomes.reserve(self.rules.len());
        for (index, plan) in self.rules.iter().enumerate() {
            let outcome = plan.outcome(index, rules, record);
            excluded |= outcome.effect == Some(MissingAction::Exclude);
            review |= outcome.effect == Some(MissingAction::Review);
            score = add_points(score, outcome.points);
            out.outcomes.push(outcome);
        }
        self.finish(record, out, score, excluded, review);
    }

    fn finish(
        &self,
        record: &Record,
        out: &mut Decision,
        mut score: f64,
        excluded: bool,
        review: bool,
    ) {
        if score == 0.0 {
            score = 0.0;
        }
        out.score = Some(score);
        out.tier = self.tiers.iter().position(|t| match t {
            None => true,
            Some(c) => test(c, record, score).0 == Truth::True,
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
            _ if is_numeric(l) && is_numeric(r) => compare_cond(*op, l, r),
            _ => Cond::Other(e.clone()),
        },
        T::Compare(op, l, r) => match (l.as_ref(), r.as_ref()) {
            (T::Field(f), T::Number(n)) => Cond::NumCompare(*f, *op, *n),
            _ => compare_cond(*op, l, r),
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
                ConstList::Texts(texts) => Cond::TextIn(*f, TextSet::new(texts), *negated),
                _ => Cond::Other(e.clone()),
            },
            (T::Text(t), ListRef::Field(f)) => Cond::ListHasText(*f, t.to_string(), *negated),
            _ => Cond::Other(e.clone()),
        },
        _ => Cond::Other(e.clone()),
    }
}

/// A comparison of two number expressions; `score` against a constant gets its own node.
fn compare_cond(op: CompareOp, l: &TypedExpr, r: &TypedExpr) -> Cond {
    match (num(l), num(r)) {
        (Num::Score, Num::Const(c)) => Cond::ScoreCompare(op, c),
        (Num::Const(c), Num::Score) => Cond::ScoreCompare(op.flipped(), c),
        (l, r) => Cond::Compare(op, l, r),
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
        T::Arith(op, l, r) => match (l.as_ref(), r.as_ref()) {
            (T::Field(f), T::Number(c)) => Num::FieldArith(*op, *f, *c),
            _ => Num::Arith(*op, b(l), b(r)),
        },
        T::ConstLen(n) => Num::Const(*n as f64),
        T::Call(Func::Min, args) if args.len() == 2 => Num::Min(b(&args[0]), b(&args[1])),
        T::Call(Func::Max, args) if args.len() == 2 => Num::Max(b(&args[0]), b(&args[1])),
        T::Call(Func::Clamp, args) if args.len() == 3 => match (&args[1], &args[2]) {
            (T::Number(lo), T::Number(hi)) => Num::ClampConst(b(&args[0]), *lo, *hi),
            _ => Num::Clamp(b(&args[0]), b(&args[1]), b(&args[2])),
        },
        T::Call(Func::Abs, args) if args.len() == 1 => Num::Abs(b(&args[0])),
        _ => Num::Other(e.clone()),
    }
}

fn slot(record: &Record, f: usize) -> Option<&Value> {
    record.values.get(f).and_then(Option::as_ref)
}

fn bit(f: usize) -> Mask {
    1 << f.min(63)
}

fn single_field(mask: Mask) -> bool {
    mask.count_ones() <= 1 && mask & bit(63) == 0
}

/// Copies an id, reusing the text buffer already there.
fn copy_id(to: &mut crate::record::RecordId, from: &crate::record::RecordId) {
    use crate::record::RecordId;
    match (to, from) {
        (RecordId::Text(a), RecordId::Text(b)) => a.clone_from(b),
        (to, from) => *to = from.clone(),
    }
}

/// A number, or the missing fields that left it unknown; constants and fields inline.
#[inline(always)]
fn number(n: &Num, record: &Record, score: f64) -> Result<f64, Mask> {
    match n {
        Num::Const(c) => Ok(*c),
        Num::Field(f) => match slot(record, *f) {
            Some(Value::Number(v)) => Ok(*v),
            _ => Err(bit(*f)),
        },
        Num::Score => Ok(score),
        Num::FieldArith(op, f, c) => match slot(record, *f) {
            Some(Value::Number(v)) => arith(*op, *v, *c),
            _ => Err(bit(*f)),
        },
        _ => number_composite(n, record, score),
    }
}

#[inline(never)]
fn number_composite(n: &Num, record: &Record, score: f64) -> Result<f64, Mask> {
    let both = |a: Result<f64, Mask>, b: Result<f64, Mask>| match (a, b) {
        (Ok(a), Ok(b)) => Ok((a, b)),
        (a, b) => Err(a.err().unwrap_or(0) | b.err().unwrap_or(0)),
    };
    match n {
        Num::Const(c) => Ok(*c),
        Num::Field(f) => match slot(record, *f) {
            Some(Value::Number(v)) => Ok(*v),
            _ => Err(bit(*f)),
        },
        Num::Score => Ok(score),
        Num::Neg(x) => number(x, record, score).map(|v| -v),
        Num::Arith(op, l, r) => {
            let (a, b) = both(number(l, record, score), number(r, record, score))?;
            arith(*op, a, b)
        }
        Num::FieldArith(..) => number(n, record, score),
        Num::ClampConst(x, lo, hi) => finite(number(x, record, score)?.max(*lo).min(*hi)),
        Num::Min(a, b) => {
            let (a, b) = both(number(a, record, score), number(b, record, score))?;
            finite(a.min(b))
        }
        Num::Max(a, b) => {
            let (a, b) = both(number(a, record, score), number(b, record, score))?;
            finite(a.max(b))
        }
        Num::Clamp(x, lo, hi) => {
            let (x, lo) = both(number(x, record, score), number(lo, record, score))
                .map_err(|m| m | number(hi, record, score).err().unwrap_or(0))?;
            let hi = number(hi, record, score)?;
            finite(x.max(lo).min(hi))
        }
        Num::Abs(x) => number(x, record, score).map(f64::abs),
        Num::Other(e) => match eval(e, record, score) {
            super::expr::Out::Known(super::expr::Val::Number(v)) => Ok(v),
            super::expr::Out::Known(_) => Err(0),
            super::expr::Out::Unknown(m) => Err(m.iter().fold(0, |acc, f| acc | bit(*f))),
        },
    }
}

/// A condition's truth, and the missing fields behind an unknown. The leaf shapes
/// are handled inline (most rules are one leaf); logic and the rest out of line.
#[inline(always)]
fn test(c: &Cond, record: &Record, score: f64) -> (Truth, Mask) {
    let known = |b: bool| (Truth::from_bool(b), 0);
    match c {
        Cond::BoolField(f) => match slot(record, *f) {
            Some(Value::Bool(b)) => known(*b),
            _ => (Truth::Unknown, bit(*f)),
        },
        Cond::EnumEq(f, v, negated) => match slot(record, *f) {
            Some(Value::Enum(e)) => known((e == v) != *negated),
            _ => (Truth::Unknown, bit(*f)),
        },
        Cond::EnumIn(f, mask, negated) => match slot(record, *f) {
            Some(Value::Enum(e)) => known((e.0 < 64 && mask & (1 << e.0) != 0) != *negated),
            _ => (Truth::Unknown, bit(*f)),
        },
        Cond::NumCompare(f, op, n) => match slot(record, *f) {
            Some(Value::Number(v)) => known(op.holds(*v, *n)),
            _ => (Truth::Unknown, bit(*f)),
        },
        Cond::NumBetween(f, lo, hi) => match slot(record, *f) {
            Some(Value::Number(v)) => known(*lo <= *v && *v <= *hi),
            _ => (Truth::Unknown, bit(*f)),
        },
        Cond::TextIn(f, texts, negated) => match slot(record, *f) {
            Some(Value::Text(t)) => known(texts.contains(t) != *negated),
            _ => (Truth::Unknown, bit(*f)),
        },
        Cond::ListHasText(f, text, negated) => match slot(record, *f) {
            Some(Value::TextList(items)) => known(items.iter().any(|s| s == text) != *negated),
            _ => (Truth::Unknown, bit(*f)),
        },
        Cond::Present(f, present) => known(slot(record, *f).is_some() == *present),
        Cond::ScoreCompare(op, c) => known(op.holds(score, *c)),
        _ => test_composite(c, record, score),
    }
}

/// Comparisons of computed numbers, logic, and the reference fallback.
#[inline(never)]
fn test_composite(c: &Cond, record: &Record, score: f64) -> (Truth, Mask) {
    let known = |b: bool| (Truth::from_bool(b), 0);
    match c {
        Cond::Compare(op, l, r) => match (number(l, record, score), number(r, record, score)) {
            (Ok(a), Ok(b)) => known(op.holds(a, b)),
            (a, b) => (Truth::Unknown, a.err().unwrap_or(0) | b.err().unwrap_or(0)),
        },
        Cond::Not(x) => {
            let (t, m) = test(x, record, score);
            (t.not(), m)
        }
        Cond::And(l, r) => logic(l, r, record, score, Truth::False, Truth::and),
        Cond::Or(l, r) => logic(l, r, record, score, Truth::True, Truth::or),
        Cond::Other(e) => match eval(e, record, score) {
            super::expr::Out::Unknown(m) => {
                (Truth::Unknown, m.iter().fold(0, |acc, f| acc | bit(*f)))
            }
            out => (truth(&out), 0),
        },
        _ => test(c, record, score),
    }
}

/// `and` (`decisive` false) or `or` (`decisive` true) under Kleene logic: the right
/// side is not evaluated once the left decides; an unknown keeps the missing fields
/// of its unknown sides.
fn logic(
    l: &Cond,
    r: &Cond,
    record: &Record,
    score: f64,
    decisive: Truth,
    join: fn(Truth, Truth) -> Truth,
) -> (Truth, Mask) {
    let (tl, ml) = test(l, record, score);
    if tl == decisive {
        return (decisive, 0);
    }
    let (tr, mr) = test(r, record, score);
    match join(tl, tr) {
        Truth::Unknown => (Truth::Unknown, unknown_mask(tl, ml) | unknown_mask(tr, mr)),
        t => (t, 0),
    }
}

fn unknown_mask(t: Truth, m: Mask) -> Mask {
    if t == Truth::Unknown {
        m
    } else {
        0
    }
}
