//! Number expressions over slot records: a value, or the missing fields that left it
//! unknown (division by zero and results that are not finite are unknown with no
//! missing field, as in the reference evaluator).

use crate::eval::numeric::{arith, finite, Mask};
use crate::syntax::ast::ArithOp;

/// A number expression in slot form.
#[derive(Debug, Clone)]
pub(super) enum SlotNum {
    Constant(f64),
    Field(u8),
    /// `field OP constant`, as in `deal_value / 10_000`.
    FieldArith(ArithOp, u8, f64),
    Neg(Box<SlotNum>),
    Arith(ArithOp, Box<SlotNum>, Box<SlotNum>),
    Min(Box<SlotNum>, Box<SlotNum>),
    Max(Box<SlotNum>, Box<SlotNum>),
    Clamp(Box<SlotNum>, Box<SlotNum>, Box<SlotNum>),
    Abs(Box<SlotNum>),
}

/// Both values, or the missing fields of either.
fn both(a: Result<f64, Mask>, b: Result<f64, Mask>) -> Result<(f64, f64), Mask> {
    match (a, b) {
        (Ok(a), Ok(b)) => Ok((a, b)),
        (a, b) => Err(a.err().unwrap_or(0) | b.err().unwrap_or(0)),
    }
}

/// A number field's value, or the field as missing.
#[inline(always)]
fn field(present: u64, values: &[u64], f: u8) -> Result<f64, Mask> {
    if (present >> f) & 1 != 0 {
        Ok(f64::from_bits(values.get(f as usize).copied().unwrap_or(0)))
    } else {
        Err(1 << f)
    }
}

impl SlotNum {
    /// [`SlotNum::value`], with the common shapes (constants, fields, `field OP c`)
    /// inline.
    #[inline(always)]
    pub(super) fn value_inline(&self, present: u64, values: &[u64]) -> Result<f64, Mask> {
        let field = |f: u8| field(present, values, f);
        match self {
            SlotNum::Constant(c) => Ok(*c),
            SlotNum::Field(f) => field(*f),
            SlotNum::FieldArith(op, f, c) => arith(*op, field(*f)?, *c),
            _ => self.value(present, values),
        }
    }

    /// The value on one record (`present`: its presence word; `values`: its fields).
    pub(super) fn value(&self, present: u64, values: &[u64]) -> Result<f64, Mask> {
        let field = |f: u8| field(present, values, f);
        let of = |x: &SlotNum| x.value(present, values);
        match self {
            SlotNum::Constant(c) => Ok(*c),
            SlotNum::Field(f) => field(*f),
            SlotNum::FieldArith(op, f, c) => arith(*op, field(*f)?, *c),
            SlotNum::Neg(x) => of(x).map(|v| -v),
            SlotNum::Arith(op, l, r) => {
                let (a, b) = both(of(l), of(r))?;
                arith(*op, a, b)
            }
            SlotNum::Min(a, b) => both(of(a), of(b)).and_then(|(a, b)| finite(a.min(b))),
            SlotNum::Max(a, b) => both(of(a), of(b)).and_then(|(a, b)| finite(a.max(b))),
            SlotNum::Clamp(x, lo, hi) => match (of(x), of(lo), of(hi)) {
                (Ok(x), Ok(lo), Ok(hi)) => finite(x.max(lo).min(hi)),
                (x, lo, hi) => {
                    Err(x.err().unwrap_or(0) | lo.err().unwrap_or(0) | hi.err().unwrap_or(0))
                }
            },
            SlotNum::Abs(x) => of(x).and_then(|v| finite(v.abs())),
        }
    }

    /// A bound on its absolute value, when its shape gives one (`clamp` with constant
    /// bounds, constants); infinite otherwise.
    pub(super) fn bound(&self) -> f64 {
        match self {
            SlotNum::Constant(c) => c.abs(),
            SlotNum::Clamp(_, lo, hi) => match (lo.as_ref(), hi.as_ref()) {
                (SlotNum::Constant(lo), SlotNum::Constant(hi)) => lo.abs().max(hi.abs()),
                _ => f64::INFINITY,
            },
            SlotNum::Neg(x) | SlotNum::Abs(x) => x.bound(),
            _ => f64::INFINITY,
        }
    }

    /// Appends its missing fields in reading order, each once (the reference
    /// evaluator's order; only asked for when several fields are missing).
    pub(super) fn missing_in_order(&self, present: u64, out: &mut Vec<usize>) {
        let mut add = |f: u8| {
            let f = f as usize;
            if (present >> f) & 1 == 0 && !out.contains(&f) {
                out.push(f);
            }
        };
        match self {
            SlotNum::Constant(_) => {}
            SlotNum::Field(f) | SlotNum::FieldArith(_, f, _) => add(*f),
            SlotNum::Neg(x) | SlotNum::Abs(x) => x.missing_in_order(present, out),
            SlotNum::Arith(_, a, b) | SlotNum::Min(a, b) | SlotNum::Max(a, b) => {
                a.missing_in_order(present, out);
                b.missing_in_order(present, out);
            }
            SlotNum::Clamp(x, lo, hi) => {
                x.missing_in_order(present, out);
                lo.missing_in_order(present, out);
                hi.missing_in_order(present, out);
            }
        }
    }
}
