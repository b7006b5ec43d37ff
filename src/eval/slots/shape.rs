//! From a checked expression to a shape the slot plan can test: categorical tests
//! become bit masks, `field OP constant` and `between` ranges, other comparisons of
//! numbers stay expressions over slots. Anything else is unsupported: the policy then
//! stays on the tree plan.

use crate::check::{ConstList, EnumId, FieldType, Func, ListRef, Policy, TypedExpr};
use crate::syntax::ast::CompareOp;

use super::number::SlotNum;
use super::{Encoding, MAX_FIELDS};

/// Why a policy gets no slot plan.
pub(super) type Unsupported = &'static str;

/// A condition before its leaves are numbered.
pub(super) enum Shape {
    Bit {
        field: u8,
        mask: u64,
        negated: bool,
    },
    Range {
        field: u8,
        lo: f64,
        hi: f64,
        negated: bool,
    },
    Presence {
        field: u8,
        present: bool,
    },
    Compare(CompareOp, SlotNum, SlotNum),
    Not(Box<Shape>),
    And(Box<Shape>, Box<Shape>),
    Or(Box<Shape>, Box<Shape>),
}

/// `value OP c` as `lo <= value <= hi` (negated or not), for a finite `c`.
pub(super) fn range_of(op: CompareOp, c: f64) -> (f64, f64, bool) {
    match op {
        CompareOp::Eq => (c, c, false),
        CompareOp::Ne => (c, c, true),
        CompareOp::Lt => (f64::NEG_INFINITY, c.next_down(), false),
        CompareOp::Le => (f64::NEG_INFINITY, c, false),
        CompareOp::Gt => (c.next_up(), f64::INFINITY, false),
        CompareOp::Ge => (c, f64::INFINITY, false),
    }
}

/// Turns expressions into shapes, and notes which text constants the tests use and
/// how each field must be stored for them.
pub(super) struct Compiler<'p> {
    policy: &'p Policy,
    /// The text constants: text `i` is bit `i`.
    pub(super) texts: Vec<Box<str>>,
    /// Per field: how it is stored.
    pub(super) encodings: Vec<Encoding>,
}

impl<'p> Compiler<'p> {
    fn field_type(&self, f: usize) -> Result<&FieldType, Unsupported> {
        self.policy
            .schema
            .fields
            .get(f)
            .map(|field| &field.ty)
            .ok_or("field out of range")
    }

    fn number_field(&mut self, f: usize) -> Result<u8, Unsupported> {
        match self.field_type(f)? {
            FieldType::Number => {
                self.encodings[f] = Encoding::Number;
                Ok(f as u8)
            }
            _ => Err("a number test on a field that is not a number"),
        }
    }

    fn text_bit(&mut self, text: &str) -> Result<u64, Unsupported> {
        let i = match self.texts.iter().position(|t| &**t == text) {
            Some(i) => i,
            None => {
                self.texts.push(text.into());
                self.texts.len() - 1
            }
        };
        if i >= 64 {
            return Err("more than 64 text constants");
        }
        Ok(1 << i)
    }

    /// The bit of `value` in categorical field `f` (and marks how `f` is stored).
    fn value_bit(&mut self, f: usize, value: &TypedExpr) -> Result<u64, Unsupported> {
        let ty = self.field_type(f)?.clone();
        match (&ty, value) {
            (FieldType::Enum(values), TypedExpr::Enum(id)) => {
                if values.len() > 64 {
                    return Err("an enum of more than 64 values");
                }
                self.encodings[f] = Encoding::Enum(values.clone());
                Ok(enum_bit(values, *id))
            }
            (FieldType::Text, TypedExpr::Text(t)) => {
                self.encodings[f] = Encoding::Text;
                self.text_bit(t)
            }
            (FieldType::TextList, TypedExpr::Text(t)) => {
                self.encodings[f] = Encoding::TextList;
                self.text_bit(t)
            }
            (FieldType::Bool, TypedExpr::Bool(b)) => {
                self.encodings[f] = Encoding::Bool;
                // A bool is stored as 0 or 1: `== false` is the negation of `== true`.
                Ok(u64::from(*b))
            }
            _ => Err("a categorical test of this shape"),
        }
    }

    /// A compiler for `policy`, its fields stored as in `encodings`.
    pub(super) fn new(policy: &'p Policy, encodings: Vec<Encoding>) -> Compiler<'p> {
        Compiler {
            policy,
            texts: Vec::new(),
            encodings,
        }
    }

    /// The shape of a condition.
    pub(super) fn shape(&mut self, e: &TypedExpr) -> Result<Shape, Unsupported> {
        use TypedExpr as T;
        Ok(match e {
            T::Field(f) => {
                let field = self.bool_field(*f)?;
                Shape::Bit {
                    field,
                    mask: 1,
                    negated: false,
                }
            }
            T::Not(x) => Shape::Not(Box::new(self.shape(x)?)),
            T::And(l, r) => Shape::And(Box::new(self.shape(l)?), Box::new(self.shape(r)?)),
            T::Or(l, r) => Shape::Or(Box::new(self.shape(l)?), Box::new(self.shape(r)?)),
            T::Is { field, present } => Shape::Presence {
                field: small(*field)?,
                present: *present,
            },
            T::Compare(op @ (CompareOp::Eq | CompareOp::Ne), l, r)
                if is_categorical(l) || is_categorical(r) =>
            {
                let (f, value) = match (l.as_ref(), r.as_ref()) {
                    (T::Field(f), v) | (v, T::Field(f)) if is_categorical(v) => (*f, v),
                    _ => return Err("a comparison of two computed values"),
                };
                let mask = self.value_bit(f, value)?;
                let negated = *op == CompareOp::Ne;
                match value {
                    // `== false`: the bool word is 0.
                    T::Bool(false) => Shape::Bit {
                        field: small(f)?,
                        mask: 1,
                        negated: !negated,
                    },
                    _ => Shape::Bit {
                        field: small(f)?,
                        mask,
                        negated,
                    },
                }
            }
            T::Compare(op, l, r) => match (l.as_ref(), constant(r), constant(l), r.as_ref()) {
                (T::Field(f), Some(c), _, _) if c.is_finite() => {
                    let (lo, hi, negated) = range_of(*op, c);
                    Shape::Range {
                        field: self.number_field(*f)?,
                        lo,
                        hi,
                        negated,
                    }
                }
                (_, _, Some(c), T::Field(f)) if c.is_finite() => {
                    let (lo, hi, negated) = range_of(op.flipped(), c);
                    Shape::Range {
                        field: self.number_field(*f)?,
                        lo,
                        hi,
                        negated,
                    }
                }
                _ => Shape::Compare(*op, self.num(l)?, self.num(r)?),
            },
            T::Between(x, lo, hi) => match (x.as_ref(), constant(lo), constant(hi)) {
                (T::Field(f), Some(lo), Some(hi)) => Shape::Range {
                    field: self.number_field(*f)?,
                    lo,
                    hi,
                    negated: false,
                },
                _ => return Err("`between` with computed bounds"),
            },
            T::In {
                item,
                list,
                negated,
            } => match (item.as_ref(), list) {
                (T::Field(f), ListRef::Const(list, _)) => {
                    let mut mask = 0;
                    match list.as_ref() {
                        ConstList::Enums(ids) => {
                            for id in ids {
                                mask |= self.value_bit(*f, &T::Enum(*id))?;
                            }
                        }
                        ConstList::Texts(texts) => {
                            for t in texts {
                                mask |= self.value_bit(*f, &T::Text(t.as_str().into()))?;
                            }
                            // An empty list still reads the field as text.
                            if texts.is_empty() && *self.field_type(*f)? != FieldType::Text {
                                return Err("a text list on a field that is not text");
                            }
                        }
                        ConstList::Numbers(_) => return Err("a list of numbers"),
                    }
                    Shape::Bit {
                        field: small(*f)?,
                        mask,
                        negated: *negated,
                    }
                }
                (T::Text(t), ListRef::Field(f)) => Shape::Bit {
                    mask: self.value_bit(*f, &T::Text(t.clone()))?,
                    field: small(*f)?,
                    negated: *negated,
                },
                _ => return Err("`in` of this shape"),
            },
            _ => return Err("a condition of this shape"),
        })
    }

    fn bool_field(&mut self, f: usize) -> Result<u8, Unsupported> {
        match self.field_type(f)? {
            FieldType::Bool => {
                self.encodings[f] = Encoding::Bool;
                small(f)
            }
            _ => Err("a condition on a field that is not a bool"),
        }
    }

    /// A number expression in slot form.
    pub(super) fn num(&mut self, e: &TypedExpr) -> Result<SlotNum, Unsupported> {
        use TypedExpr as T;
        let mut boxed = |x: &TypedExpr| self.num(x).map(Box::new);
        if let Some(n) = constant(e) {
            // `-5` is folded, so that `clamp(x, -5, 5)` has a known bound.
            return Ok(SlotNum::Constant(n));
        }
        Ok(match e {
            T::ConstLen(n) => SlotNum::Constant(*n as f64),
            T::Field(f) => SlotNum::Field(self.number_field(*f)?),
            T::Neg(x) => SlotNum::Neg(boxed(x)?),
            T::Arith(op, l, r) => match (l.as_ref(), r.as_ref()) {
                (T::Field(f), T::Number(c)) => SlotNum::FieldArith(*op, self.number_field(*f)?, *c),
                _ => SlotNum::Arith(*op, boxed(l)?, boxed(r)?),
            },
            T::Call(Func::Min, args) if args.len() == 2 => {
                SlotNum::Min(boxed(&args[0])?, boxed(&args[1])?)
            }
            T::Call(Func::Max, args) if args.len() == 2 => {
                SlotNum::Max(boxed(&args[0])?, boxed(&args[1])?)
            }
            T::Call(Func::Clamp, args) if args.len() == 3 => {
                SlotNum::Clamp(boxed(&args[0])?, boxed(&args[1])?, boxed(&args[2])?)
            }
            T::Call(Func::Abs, args) if args.len() == 1 => SlotNum::Abs(boxed(&args[0])?),
            _ => return Err("a number expression of this shape"),
        })
    }
}

/// A number known without a record: a constant, or minus one.
pub(super) fn constant(e: &TypedExpr) -> Option<f64> {
    match e {
        TypedExpr::Number(n) => Some(*n),
        TypedExpr::Neg(x) => constant(x).map(|n| -n),
        _ => None,
    }
}

fn is_categorical(e: &TypedExpr) -> bool {
    matches!(
        e,
        TypedExpr::Enum(_) | TypedExpr::Text(_) | TypedExpr::Bool(_)
    )
}

fn enum_bit(values: &[EnumId], id: EnumId) -> u64 {
    values.iter().position(|v| *v == id).map_or(0, |i| 1 << i)
}

fn small(f: usize) -> Result<u8, Unsupported> {
    if f < MAX_FIELDS {
        Ok(f as u8)
    } else {
        Err("more than 63 fields")
    }
}
