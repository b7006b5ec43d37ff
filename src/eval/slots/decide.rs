//! Deciding one record in slot form: the leaves in branch-free loops, compound rules
//! by their postfix programs, then score, tier and decision from the bit sets.

use super::number::SlotNum;
use super::{
    LeafMissing, Mask, Points, SlotPlan, Step, TierTest, INVALID, MAX_COMPARES, MAX_COMPOUNDS,
    MAX_DEPTH,
};
use crate::eval::decision::{add_points, DecisionKind};
use crate::eval::numeric::arith;

/// A decision in slot form: bit `r` of each set stands for rule `r`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SlotDecision {
    /// The decision.
    pub kind: DecisionKind,
    /// Index of the tier; `None` without tiers or for invalid records.
    pub tier: Option<usize>,
    /// The total (0 for invalid records).
    pub score: f64,
    /// Rules whose condition (and points) held.
    pub truth: u64,
    /// Rules that were unknown.
    pub unknown: u64,
    /// Rules that excluded the record.
    pub excluded: u64,
    /// Rules that sent it to review.
    pub review: u64,
    /// Every leaf's truth and unknown bits (rules and the tests of compound rules).
    pub(super) leaf_truth: u64,
    pub(super) leaf_unknown: u64,
    /// Per compound rule: the missing fields behind its unknown.
    pub(super) missing: [Mask; MAX_COMPOUNDS],
    /// Per compound rule: its computed points (where it is true).
    pub(super) computed: [f64; MAX_COMPOUNDS],
}

impl Default for SlotDecision {
    fn default() -> Self {
        SlotDecision {
            kind: DecisionKind::Invalid,
            tier: None,
            score: 0.0,
            truth: 0,
            unknown: 0,
            excluded: 0,
            review: 0,
            leaf_truth: 0,
            leaf_unknown: 0,
            missing: [0; MAX_COMPOUNDS],
            computed: [0.0; MAX_COMPOUNDS],
        }
    }
}

/// One value on the postfix stack: true, unknown, and the missing fields of an unknown.
#[derive(Clone, Copy, Default)]
struct Kleene {
    truth: bool,
    unknown: bool,
    missing: Mask,
}

impl SlotPlan {
    /// Decides one record in slot form (as written by [`SlotPlan::encode`]). A slice
    /// too short for this policy's records is decided invalid.
    pub fn decide(&self, words: &[u64], out: &mut SlotDecision) {
        let fields = self.encodings.len();
        let present = words.first().copied().unwrap_or(INVALID);
        if present & INVALID != 0 || words.len() <= fields {
            *out = SlotDecision::default();
            return;
        }
        let values = &words[1..=fields];
        let (mut t, mut u) = (0u64, 0u64);
        for b in &self.bits {
            let f = b.field as usize;
            let p = (present >> f) & 1;
            let hit = ((values[f] & b.mask != 0) != b.negated) as u64;
            t |= (hit & p) << b.leaf;
            u |= (p ^ 1) << b.leaf;
        }
        for r in &self.ranges {
            let f = r.field as usize;
            let p = (present >> f) & 1;
            let v = f64::from_bits(values[f]);
            let hit = (((v >= r.lo) & (v <= r.hi)) != r.negated) as u64;
            t |= (hit & p) << r.leaf;
            u |= (p ^ 1) << r.leaf;
        }
        for x in &self.presences {
            let p = (present >> x.field) & 1 != 0;
            t |= ((p == x.present) as u64) << x.leaf;
        }
        let mut compare_missing = [0 as Mask; MAX_COMPARES];
        for (k, c) in self.compares.iter().enumerate() {
            match both(&c.left, &c.right, present, values) {
                Ok((a, b)) => t |= (c.op.holds(a, b) as u64) << c.leaf,
                Err(m) => {
                    u |= 1 << c.leaf;
                    compare_missing[k] = m;
                }
            }
        }
        for (i, c) in self.compounds.iter().enumerate() {
            let mut result = self.run(&c.steps, t, u, &compare_missing);
            let mut points = 0.0;
            if let Some(p) = &c.points {
                if result.truth || result.unknown {
                    match points_value(p, present, values) {
                        Ok(n) => points = n,
                        Err(m) => {
                            result.truth = false;
                            result.unknown = true;
                            result.missing |= m;
                        }
                    }
                }
            }
            out.computed[i] = points;
            out.missing[i] = result.missing;
            t |= (result.truth as u64) << c.rule;
            u |= (result.unknown as u64) << c.rule;
        }
        out.leaf_truth = t;
        out.leaf_unknown = u;
        t &= self.rule_mask;
        u &= self.rule_mask;
        let mut score = 0.0;
        if self.score_may_overflow {
            for &(r, points) in &self.score_terms {
                let p = match points {
                    Points::Constant(c) => c,
                    Points::Computed(i) => out.computed[i as usize],
                };
                score = add_points(score, if (t >> r) & 1 != 0 { p } else { 0.0 });
            }
        } else {
            for &(r, points) in &self.score_terms {
                let p = match points {
                    Points::Constant(c) => c,
                    Points::Computed(i) => out.computed[i as usize],
                };
                score += if (t >> r) & 1 != 0 { p } else { 0.0 };
            }
        }
        // `-0` prints as 0.
        if score == 0.0 {
            score = 0.0;
        }
        let excluded = (t & self.exclude_if_true) | (u & self.exclude_if_unknown);
        let review = (t & self.review_if_true) | (u & self.review_if_unknown);
        out.tier = self.tiers.iter().position(|test| match *test {
            TierTest::Always => true,
            TierTest::Score { lo, hi, negated } => ((score >= lo) & (score <= hi)) != negated,
        });
        out.kind = if excluded != 0 {
            DecisionKind::Excluded
        } else if review != 0 {
            DecisionKind::Review
        } else {
            DecisionKind::Qualified
        };
        out.score = score;
        out.truth = t;
        out.unknown = u;
        out.excluded = excluded;
        out.review = review;
    }

    /// Runs a postfix program over the leaves' bits (Kleene logic); no steps: true.
    /// The short programs most rules have (`a and b`, `a or b`) without a stack.
    #[inline(always)]
    fn run(&self, steps: &[Step], t: u64, u: u64, compare_missing: &[Mask]) -> Kleene {
        match *steps {
            [] => Kleene {
                truth: true,
                unknown: false,
                missing: 0,
            },
            [Step::Leaf(a)] => self.leaf(a, t, u, compare_missing),
            [Step::Leaf(a), Step::Leaf(b), Step::And] => {
                let (a, b) = (
                    self.leaf(a, t, u, compare_missing),
                    self.leaf(b, t, u, compare_missing),
                );
                join(a, b, true)
            }
            [Step::Leaf(a), Step::Leaf(b), Step::Or] => {
                let (a, b) = (
                    self.leaf(a, t, u, compare_missing),
                    self.leaf(b, t, u, compare_missing),
                );
                join(a, b, false)
            }
            _ => self.run_program(steps, t, u, compare_missing),
        }
    }

    #[inline(always)]
    fn leaf(&self, leaf: u8, t: u64, u: u64, compare_missing: &[Mask]) -> Kleene {
        let unknown = (u >> leaf) & 1 != 0;
        let missing = match self.leaf_missing[leaf as usize] {
            _ if !unknown => 0,
            LeafMissing::Field(f) => 1 << f,
            LeafMissing::Compare(k) => compare_missing[k as usize],
            LeafMissing::None => 0,
        };
        Kleene {
            truth: (t >> leaf) & 1 != 0,
            unknown,
            missing,
        }
    }

    #[inline(never)]
    fn run_program(&self, steps: &[Step], t: u64, u: u64, compare_missing: &[Mask]) -> Kleene {
        let mut stack = [Kleene::default(); MAX_DEPTH];
        let mut top = 0usize;
        for step in steps {
            match *step {
                Step::Leaf(leaf) => {
                    if let Some(slot) = stack.get_mut(top) {
                        *slot = self.leaf(leaf, t, u, compare_missing);
                    }
                    top += 1;
                }
                Step::Not => {
                    if let Some(a) = top.checked_sub(1).and_then(|i| stack.get_mut(i)) {
                        a.truth = !a.truth && !a.unknown;
                    }
                }
                Step::And | Step::Or => {
                    let (Some(i), Some(j)) = (top.checked_sub(2), top.checked_sub(1)) else {
                        continue;
                    };
                    stack[i] = join(stack[i], stack[j], matches!(step, Step::And));
                    top -= 1;
                }
            }
        }
        stack[0]
    }
}

/// Kleene `and` (or `or`); an unknown keeps the missing fields of both sides.
#[inline(always)]
fn join(a: Kleene, b: Kleene, and: bool) -> Kleene {
    let (false_a, false_b) = (!a.truth && !a.unknown, !b.truth && !b.unknown);
    let (truth, falsity) = if and {
        (a.truth && b.truth, false_a || false_b)
    } else {
        (a.truth || b.truth, false_a && false_b)
    };
    let unknown = !truth && !falsity;
    Kleene {
        truth,
        unknown,
        missing: if unknown { a.missing | b.missing } else { 0 },
    }
}

#[inline(always)]
fn both(l: &SlotNum, r: &SlotNum, present: u64, values: &[u64]) -> Result<(f64, f64), Mask> {
    match (
        l.value_inline(present, values),
        r.value_inline(present, values),
    ) {
        (Ok(a), Ok(b)) => Ok((a, b)),
        (a, b) => Err(a.err().unwrap_or(0) | b.err().unwrap_or(0)),
    }
}

/// Computed points; `clamp(field OP c, lo, hi)` (the usual shape) inline.
#[inline(always)]
fn points_value(p: &SlotNum, present: u64, values: &[u64]) -> Result<f64, Mask> {
    if let SlotNum::Clamp(x, lo, hi) = p {
        if let (SlotNum::FieldArith(op, f, c), SlotNum::Constant(lo), SlotNum::Constant(hi)) =
            (x.as_ref(), lo.as_ref(), hi.as_ref())
        {
            let f = *f as usize;
            if (present >> f) & 1 == 0 {
                return Err(1 << f);
            }
            let v = arith(*op, f64::from_bits(values[f]), *c)?;
            let v = v.max(*lo).min(*hi);
            return if v.is_finite() { Ok(v) } else { Err(0) };
        }
    }
    p.value_inline(present, values)
}
