//! Arithmetic as both compiled plans do it: a result that is not finite, or a division
//! by zero, is unknown with no missing field (as in the reference evaluator).

use crate::syntax::ast::ArithOp;

/// Missing fields as a bit set (the top bit also stands for any field beyond it).
pub(super) type Mask = u64;

/// A finite number, or unknown.
#[inline(always)]
pub(super) fn finite(n: f64) -> Result<f64, Mask> {
    if n.is_finite() {
        Ok(n)
    } else {
        Err(0)
    }
}

/// `a OP b` for two known numbers.
#[inline(always)]
pub(super) fn arith(op: ArithOp, a: f64, b: f64) -> Result<f64, Mask> {
    match op {
        ArithOp::Add => finite(a + b),
        ArithOp::Sub => finite(a - b),
        ArithOp::Mul => finite(a * b),
        ArithOp::Div if b == 0.0 => Err(0),
        ArithOp::Div => finite(a / b),
    }
}
