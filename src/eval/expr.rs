//! Evaluation of typed expressions against one record, with unknowns that remember
//! which missing fields caused them.

use std::borrow::Cow;

use crate::check::{ConstList, FieldId, Func, ListRef, TypedExpr, Value};
use crate::record::Record;
use crate::syntax::ast::{ArithOp, CompareOp};

/// A value seen while evaluating.
#[derive(Debug, Clone, PartialEq)]
pub enum Val<'r> {
    /// A number.
    Number(f64),
    /// Text.
    Text(Cow<'r, str>),
    /// True or false.
    Bool(bool),
    /// An enum value.
    Enum(crate::check::EnumId),
    /// A list of texts.
    TextList(&'r [String]),
    /// A list of numbers.
    NumberList(&'r [f64]),
}

/// The result of an expression: a value, or unknown with the missing fields behind it.
#[derive(Debug, Clone, PartialEq)]
pub enum Out<'r> {
    /// Known.
    Known(Val<'r>),
    /// Unknown; the fields whose absence made it so (each once, in reading order).
    Unknown(Vec<FieldId>),
}

fn union(mut a: Vec<FieldId>, b: Vec<FieldId>) -> Vec<FieldId> {
    for f in b {
        if !a.contains(&f) {
            a.push(f);
        }
    }
    a
}

/// Merges the unknowns among operands; `None` when all are known.
fn unknowns(outs: &[&Out<'_>]) -> Option<Vec<FieldId>> {
    let mut any = false;
    let mut missing = Vec::new();
    for out in outs {
        if let Out::Unknown(m) = out {
            any = true;
            missing = union(missing, m.clone());
        }
    }
    any.then_some(missing)
}

fn number(out: &Out<'_>) -> f64 {
    match out {
        Out::Known(Val::Number(n)) => *n,
        _ => f64::NAN,
    }
}

fn finite<'r>(n: f64) -> Out<'r> {
    if n.is_finite() {
        Out::Known(Val::Number(n))
    } else {
        // Overflow or 0/0: no number to compare with; treated like division by zero.
        Out::Unknown(Vec::new())
    }
}

/// Evaluates `expr` on `record`; `score` is the running total for tier conditions.
pub fn eval<'r>(expr: &'r TypedExpr, record: &'r Record, score: f64) -> Out<'r> {
    match expr {
        TypedExpr::Number(n) => Out::Known(Val::Number(*n)),
        TypedExpr::Text(t) => Out::Known(Val::Text(Cow::Borrowed(t))),
        TypedExpr::Bool(b) => Out::Known(Val::Bool(*b)),
        TypedExpr::Enum(e) => Out::Known(Val::Enum(*e)),
        TypedExpr::Score => Out::Known(Val::Number(score)),
        TypedExpr::Field(id) => field(record, *id),
        TypedExpr::Neg(inner) => match eval(inner, record, score) {
            Out::Known(Val::Number(n)) => Out::Known(Val::Number(-n)),
            other => other,
        },
        TypedExpr::Arith(op, lhs, rhs) => {
            let l = eval(lhs, record, score);
            let r = eval(rhs, record, score);
            if let Some(missing) = unknowns(&[&l, &r]) {
                return Out::Unknown(missing);
            }
            let (a, b) = (number(&l), number(&r));
            match op {
                ArithOp::Add => finite(a + b),
                ArithOp::Sub => finite(a - b),
                ArithOp::Mul => finite(a * b),
                ArithOp::Div if b == 0.0 => Out::Unknown(Vec::new()),
                ArithOp::Div => finite(a / b),
            }
        }
        TypedExpr::Not(inner) => match eval(inner, record, score) {
            Out::Known(Val::Bool(b)) => Out::Known(Val::Bool(!b)),
            other => other,
        },
        TypedExpr::And(lhs, rhs) => {
            let l = eval(lhs, record, score);
            let r = eval(rhs, record, score);
            if matches!(l, Out::Known(Val::Bool(false)))
                || matches!(r, Out::Known(Val::Bool(false)))
            {
                return Out::Known(Val::Bool(false));
            }
            match unknowns(&[&l, &r]) {
                Some(missing) => Out::Unknown(missing),
                None => Out::Known(Val::Bool(true)),
            }
        }
        TypedExpr::Or(lhs, rhs) => {
            let l = eval(lhs, record, score);
            let r = eval(rhs, record, score);
            if matches!(l, Out::Known(Val::Bool(true))) || matches!(r, Out::Known(Val::Bool(true)))
            {
                return Out::Known(Val::Bool(true));
            }
            match unknowns(&[&l, &r]) {
                Some(missing) => Out::Unknown(missing),
                None => Out::Known(Val::Bool(false)),
            }
        }
        TypedExpr::Compare(op, lhs, rhs) => {
            let l = eval(lhs, record, score);
            let r = eval(rhs, record, score);
            if let Some(missing) = unknowns(&[&l, &r]) {
                return Out::Unknown(missing);
            }
            Out::Known(Val::Bool(compare(*op, &l, &r)))
        }
        TypedExpr::In {
            item,
            list,
            negated,
        } => {
            let it = eval(item, record, score);
            let found = match list {
                ListRef::Const(list, _) => {
                    let Out::Known(v) = &it else { return it };
                    contains_const(list, v)
                }
                ListRef::Field(id) => {
                    let l = field(record, *id);
                    if let Some(missing) = unknowns(&[&it, &l]) {
                        return Out::Unknown(missing);
                    }
                    match (&it, &l) {
                        (Out::Known(Val::Text(t)), Out::Known(Val::TextList(items))) => {
                            items.iter().any(|s| s == t)
                        }
                        (Out::Known(Val::Number(n)), Out::Known(Val::NumberList(items))) => {
                            items.contains(n)
                        }
                        _ => false,
                    }
                }
            };
            Out::Known(Val::Bool(found != *negated))
        }
        TypedExpr::Between(x, lo, hi) => {
            let x = eval(x, record, score);
            let lo = eval(lo, record, score);
            let hi = eval(hi, record, score);
            if let Some(missing) = unknowns(&[&x, &lo, &hi]) {
                return Out::Unknown(missing);
            }
            let v = number(&x);
            Out::Known(Val::Bool(number(&lo) <= v && v <= number(&hi)))
        }
        TypedExpr::Is { field, present } => {
            let is_present = record.values.get(*field).is_some_and(Option::is_some);
            Out::Known(Val::Bool(is_present == *present))
        }
        TypedExpr::ConstLen(n) => Out::Known(Val::Number(*n as f64)),
        TypedExpr::FieldLen(id) => match field(record, *id) {
            Out::Known(Val::TextList(items)) => Out::Known(Val::Number(items.len() as f64)),
            Out::Known(Val::NumberList(items)) => Out::Known(Val::Number(items.len() as f64)),
            other => other,
        },
        TypedExpr::Call(func, args) => call(*func, args, record, score),
    }
}

impl<'r> Val<'r> {
    /// A record's value, borrowed.
    pub fn of(value: &'r Value) -> Val<'r> {
        match value {
            Value::Number(n) => Val::Number(*n),
            Value::Text(t) => Val::Text(Cow::Borrowed(t)),
            Value::Bool(b) => Val::Bool(*b),
            Value::Enum(e) => Val::Enum(*e),
            Value::TextList(items) => Val::TextList(items),
            Value::NumberList(items) => Val::NumberList(items),
        }
    }
}

fn field(record: &Record, id: FieldId) -> Out<'_> {
    match record.values.get(id) {
        Some(Some(value)) => Out::Known(Val::of(value)),
        _ => Out::Unknown(vec![id]),
    }
}

fn compare(op: CompareOp, l: &Out<'_>, r: &Out<'_>) -> bool {
    let (Out::Known(l), Out::Known(r)) = (l, r) else {
        return false;
    };
    match (l, r) {
        (Val::Number(a), Val::Number(b)) => op.holds(*a, *b),
        _ => {
            let equal = l == r;
            match op {
                CompareOp::Eq => equal,
                CompareOp::Ne => !equal,
                _ => false,
            }
        }
    }
}

fn contains_const(list: &ConstList, v: &Val<'_>) -> bool {
    match (list, v) {
        (ConstList::Numbers(items), Val::Number(n)) => items.contains(n),
        (ConstList::Texts(items), Val::Text(t)) => items.iter().any(|s| s == t),
        (ConstList::Enums(items), Val::Enum(e)) => items.contains(e),
        _ => false,
    }
}

fn call<'r>(func: Func, args: &'r [TypedExpr], record: &'r Record, score: f64) -> Out<'r> {
    let outs: Vec<Out<'r>> = args.iter().map(|a| eval(a, record, score)).collect();
    let refs: Vec<&Out<'r>> = outs.iter().collect();
    if let Some(missing) = unknowns(&refs) {
        return Out::Unknown(missing);
    }
    let n = |i: usize| outs.get(i).map_or(f64::NAN, number);
    match func {
        Func::Min => finite(n(0).min(n(1))),
        Func::Max => finite(n(0).max(n(1))),
        Func::Clamp => finite(n(0).max(n(1)).min(n(2))),
        Func::Abs => finite(n(0).abs()),
        Func::Lower => match outs.into_iter().next() {
            Some(Out::Known(Val::Text(t))) => Out::Known(Val::Text(Cow::Owned(t.to_lowercase()))),
            _ => Out::Unknown(Vec::new()),
        },
        Func::Len => match outs.first() {
            Some(Out::Known(Val::TextList(items))) => Out::Known(Val::Number(items.len() as f64)),
            Some(Out::Known(Val::NumberList(items))) => Out::Known(Val::Number(items.len() as f64)),
            _ => Out::Unknown(Vec::new()),
        },
    }
}

/// The truth of a condition's result.
pub fn truth(out: &Out<'_>) -> crate::eval::Truth {
    match out {
        Out::Known(Val::Bool(true)) => crate::eval::Truth::True,
        Out::Known(_) => crate::eval::Truth::False,
        Out::Unknown(_) => crate::eval::Truth::Unknown,
    }
}
