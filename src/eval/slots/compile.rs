//! Compiling a checked policy into a [`SlotPlan`]: numbering the leaves of each rule's
//! shape, postfix programs for compound rules, points, effects and tiers. Shapes the
//! slot plan cannot test (see `shape.rs`) and policies beyond its limits get no plan.

use crate::check::{Field, FieldType, Policy, Schema, TypedExpr};
use crate::syntax::ast::{MissingAction, RuleKind};

use super::number::SlotNum;
use super::shape::{range_of, Compiler, Shape, Unsupported};
use super::text_index::TextIndex;
use super::{
    BitLeaf, CellRead, CompareLeaf, Compound, Encoding, LeafMissing, Points, PresenceLeaf,
    RangeLeaf, SlotPlan, Step, TierTest, MAX_COMPARES, MAX_COMPOUNDS, MAX_DEPTH, MAX_FIELDS,
    MAX_LEAVES,
};

/// What a cell of `field`, stored as `encoding`, turns into: the words
/// [`SlotPlan::encode`] writes for the value the cell holds.
fn cell_read(schema: &Schema, field: &Field, encoding: &Encoding) -> CellRead {
    let tested = matches!(encoding, Encoding::Text | Encoding::TextList);
    match &field.ty {
        FieldType::Text if tested => CellRead::Text,
        FieldType::TextList if tested => CellRead::TextList,
        FieldType::Text | FieldType::TextList => CellRead::Zero,
        FieldType::Number => CellRead::Number,
        FieldType::Bool => CellRead::Bool,
        FieldType::Enum(values) => {
            let one_hot = matches!(encoding, Encoding::Enum(_));
            CellRead::Enum(TextIndex::new(values.iter().enumerate().map(
                |(position, v)| {
                    let word = if one_hot && position < 64 {
                        1 << position
                    } else {
                        0
                    };
                    (schema.enum_name(*v), word)
                },
            )))
        }
        FieldType::NumberList => CellRead::Usual,
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
        // Texts are stored only where a test reads them (see `Compiler::value_bit`).
        let encodings = policy
            .schema
            .fields
            .iter()
            .map(|field| match &field.ty {
                FieldType::Number => Encoding::Number,
                FieldType::Bool => Encoding::Bool,
                FieldType::Enum(values) if values.len() <= 64 => Encoding::Enum(values.clone()),
                _ => Encoding::PresenceOnly,
            })
            .collect();
        let mut compiler = Compiler::new(policy, encodings);
        let mut plan = SlotPlan {
            encodings: Vec::new(),
            required: policy
                .schema
                .fields
                .iter()
                .enumerate()
                .filter(|(_, f)| !f.optional)
                .fold(0, |mask, (i, _)| mask | 1 << i),
            texts: TextIndex::default(),
            cells: Vec::new(),
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
        // At most 64 texts: a 65th makes `Compiler::text_bit` fail.
        plan.texts = TextIndex::new(
            (compiler.texts.iter().enumerate())
                .filter(|(i, _)| *i < 64)
                .map(|(i, text)| (&**text, 1 << i)),
        );
        plan.cells = (policy.schema.fields.iter())
            .zip(&compiler.encodings)
            .map(|(field, encoding)| cell_read(&policy.schema, field, encoding))
            .collect();
        plan.encodings = compiler.encodings;
        Ok(plan)
    }
}
