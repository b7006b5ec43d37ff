//! Compiling a checked policy into a [`SlotPlan`]: which shapes become which leaf.
//! Anything else (text compared with text, `lower`, `len`, lists of numbers, tier
//! conditions other than `score OP constant`) leaves the policy without a slot plan.

use crate::check::{ConstList, EnumId, FieldType, Func, ListRef, Policy, TypedExpr};
use crate::syntax::ast::{CompareOp, MissingAction, RuleKind};

use super::number::SlotNum;
use super::{
    BitLeaf, CompareLeaf, Compound, Encoding, LeafMissing, Points, PresenceLeaf, RangeLeaf,
    SlotPlan, Step, TierTest, MAX_COMPARES, MAX_COMPOUNDS, MAX_DEPTH, MAX_FIELDS, MAX_LEAVES,
};

/// Why a policy gets no slot plan.
type Unsupported = &'static str;

/// A condition before its leaves are numbered.
enum Shape {
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
fn range_of(op: CompareOp, c: f64) -> (f64, f64, bool) {
    match op {
        CompareOp::Eq => (c, c, false),
        CompareOp::Ne => (c, c, true),
        CompareOp::Lt => (f64::NEG_INFINITY, c.next_down(), false),
        CompareOp::Le => (f64::NEG_INFINITY, c, false),
        CompareOp::Gt => (c.next_up(), f64::INFINITY, false),
        CompareOp::Ge => (c, f64::INFINITY, false),
    }
}

struct Compiler<'p> {
    policy: &'p Policy,
    texts: Vec<Box<str>>,
    encodings: Vec<Encoding>,
}

impl Compiler<'_> {
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

    fn shape(&mut self, e: &TypedExpr) -> Result<Shape, Unsupported> {
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

    fn num(&mut self, e: &TypedExpr) -> Result<SlotNum, Unsupported> {
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
fn constant(e: &TypedExpr) -> Option<f64> {
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

/// Numbers the leaves of one shape: the leaves go into `plan`, the postfix steps into
/// `steps`.
fn flatten(
    shape: Shape,
    plan: &mut SlotPlan,
    next_leaf: &mut usize,
    steps: &mut Vec<Step>,
) -> Result<(), Unsupported> {
    match shape {
        Shape::Not(x) => {
            flatten(*x, plan, next_leaf, steps)?;
            steps.push(Step::Not);
        }
        Shape::And(l, r) => {
            flatten(*l, plan, next_leaf, steps)?;
            flatten(*r, plan, next_leaf, steps)?;
            steps.push(Step::And);
        }
        Shape::Or(l, r) => {
            flatten(*l, plan, next_leaf, steps)?;
            flatten(*r, plan, next_leaf, steps)?;
            steps.push(Step::Or);
        }
        leaf => {
            if *next_leaf >= MAX_LEAVES {
                return Err("more than 64 rules and tests");
            }
            let index = *next_leaf as u8;
            *next_leaf += 1;
            add_leaf(leaf, index, plan)?;
            steps.push(Step::Leaf(index));
        }
    }
    Ok(())
}

/// Adds one leaf test under bit `leaf`.
fn add_leaf(shape: Shape, leaf: u8, plan: &mut SlotPlan) -> Result<(), Unsupported> {
    let missing = match shape {
        Shape::Bit {
            field,
            mask,
            negated,
        } => {
            plan.bits.push(BitLeaf {
                leaf,
                field,
                negated,
                mask,
            });
            LeafMissing::Field(field)
        }
        Shape::Range {
            field,
            lo,
            hi,
            negated,
        } => {
            plan.ranges.push(RangeLeaf {
                leaf,
                field,
                negated,
                lo,
                hi,
            });
            LeafMissing::Field(field)
        }
        Shape::Presence { field, present } => {
            plan.presences.push(PresenceLeaf {
                leaf,
                field,
                present,
            });
            LeafMissing::None
        }
        Shape::Compare(op, left, right) => {
            if plan.compares.len() >= MAX_COMPARES {
                return Err("more than 8 comparisons of computed numbers");
            }
            let index = plan.compares.len() as u8;
            plan.compares.push(CompareLeaf {
                leaf,
                op,
                left,
                right,
            });
            LeafMissing::Compare(index)
        }
        Shape::Not(_) | Shape::And(..) | Shape::Or(..) => return Err("not a leaf"),
    };
    plan.leaf_missing[leaf as usize] = missing;
    Ok(())
}

/// The most values a postfix program holds at once.
fn stack_depth(steps: &[Step]) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    for step in steps {
        match step {
            Step::Leaf(_) => depth += 1,
            Step::Not => {}
            Step::And | Step::Or => depth = depth.saturating_sub(1),
        }
        deepest = deepest.max(depth);
    }
    deepest
}

impl SlotPlan {
    /// Compiles `policy`; `Err` says which shape or limit keeps it on the tree plan.
    pub fn compile(policy: &Policy) -> Result<SlotPlan, &'static str> {
        let fields = policy.schema.fields.len();
        let rules = policy.rules.len();
        if fields > MAX_FIELDS {
            return Err("more than 63 fields");
        }
        if rules > MAX_LEAVES {
            return Err("more than 64 rules");
        }
        let mut compiler = Compiler {
            policy,
            texts: Vec::new(),
            encodings: vec![Encoding::PresenceOnly; fields],
        };
        for (f, field) in policy.schema.fields.iter().enumerate() {
            compiler.encodings[f] = match &field.ty {
                FieldType::Number => Encoding::Number,
                FieldType::Bool => Encoding::Bool,
                FieldType::Enum(values) if values.len() <= 64 => Encoding::Enum(values.clone()),
                _ => Encoding::PresenceOnly,
            };
        }
        let mut plan = SlotPlan {
            encodings: Vec::new(),
            required: policy
                .schema
                .fields
                .iter()
                .enumerate()
                .filter(|(_, f)| !f.optional)
                .fold(0, |mask, (i, _)| mask | 1 << i),
            texts: Vec::new(),
            bits: Vec::new(),
            ranges: Vec::new(),
            presences: Vec::new(),
            compares: Vec::new(),
            compounds: Vec::new(),
            leaf_missing: [LeafMissing::None; MAX_LEAVES],
            compound_of: vec![None; rules],
            score_terms: Vec::new(),
            points_of: vec![None; rules],
            may_add_points: 0,
            score_may_overflow: true,
            rule_mask: if rules == 64 { !0 } else { (1 << rules) - 1 },
            exclude_if_true: 0,
            review_if_true: 0,
            exclude_if_unknown: 0,
            review_if_unknown: 0,
            tiers: Vec::new(),
        };
        let mut next_leaf = rules;
        for (r, rule) in policy.rules.iter().enumerate() {
            let bit = 1u64 << r;
            match rule.kind {
                RuleKind::Exclude => plan.exclude_if_true |= bit,
                RuleKind::Review => plan.review_if_true |= bit,
                RuleKind::Score => {}
            }
            match rule.on_missing {
                MissingAction::Exclude => plan.exclude_if_unknown |= bit,
                MissingAction::Review => plan.review_if_unknown |= bit,
                MissingAction::Ignore => {}
            }
            let when = rule.when.as_ref().map(|w| compiler.shape(w)).transpose()?;
            let computed = match (&rule.kind, &rule.points) {
                (RuleKind::Score, Some(TypedExpr::Number(n))) => {
                    plan.score_terms.push((r as u8, Points::Constant(*n)));
                    None
                }
                (RuleKind::Score, Some(points)) => Some(compiler.num(points)?),
                (RuleKind::Score, None) => {
                    plan.score_terms.push((r as u8, Points::Constant(0.0)));
                    None
                }
                _ => None,
            };
            let single = matches!(
                when,
                Some(Shape::Bit { .. } | Shape::Range { .. } | Shape::Presence { .. })
            );
            match when {
                Some(leaf) if single && computed.is_none() => add_leaf(leaf, r as u8, &mut plan)?,
                when => {
                    if plan.compounds.len() >= MAX_COMPOUNDS {
                        return Err("more than 16 rules of several tests or computed points");
                    }
                    let index = plan.compounds.len() as u8;
                    let mut steps = Vec::new();
                    if let Some(shape) = when {
                        flatten(shape, &mut plan, &mut next_leaf, &mut steps)?;
                    }
                    if stack_depth(&steps) > MAX_DEPTH {
                        return Err("a condition nested more than 16 deep");
                    }
                    if computed.is_some() {
                        plan.score_terms.push((r as u8, Points::Computed(index)));
                    }
                    plan.compound_of[r] = Some(index);
                    plan.compounds.push(Compound {
                        rule: r as u8,
                        steps,
                        points: computed,
                    });
                }
            }
        }
        let mut bound = 0.0f64;
        for &(r, points) in &plan.score_terms {
            plan.points_of[r as usize] = Some(points);
            if !matches!(points, Points::Constant(c) if c == 0.0) {
                plan.may_add_points |= 1 << r;
            }
            bound += match points {
                Points::Constant(c) => c.abs(),
                Points::Computed(i) => plan.compounds[i as usize]
                    .points
                    .as_ref()
                    .map_or(f64::INFINITY, SlotNum::bound),
            };
        }
        // Far below the largest number, no partial sum can reach it.
        plan.score_may_overflow = bound.is_nan() || bound >= f64::MAX / 4.0;
        for tier in &policy.tiers {
            plan.tiers.push(match &tier.when {
                None => TierTest::Always,
                Some(TypedExpr::Compare(op, l, r)) => match (l.as_ref(), r.as_ref()) {
                    (TypedExpr::Score, TypedExpr::Number(c)) if c.is_finite() => {
                        let (lo, hi, negated) = range_of(*op, *c);
                        TierTest::Score { lo, hi, negated }
                    }
                    (TypedExpr::Number(c), TypedExpr::Score) if c.is_finite() => {
                        let (lo, hi, negated) = range_of(op.flipped(), *c);
                        TierTest::Score { lo, hi, negated }
                    }
                    _ => return Err("a tier condition other than `score OP number`"),
                },
                Some(_) => return Err("a tier condition other than `score OP number`"),
            });
        }
        plan.encodings = compiler.encodings;
        plan.texts = compiler.texts;
        Ok(plan)
    }
}
