//! From a slot decision back to every rule's outcome, for output and explanations.

use super::decide::SlotDecision;
use super::{Compound, LeafMissing, Points, SlotPlan, Step};
use crate::eval::decision::{Decision, Missing, RuleOutcome};
use crate::eval::truth::Truth;
use crate::syntax::ast::MissingAction;

/// Sets the decision, tier and score, and empties the outcomes; false for an invalid
/// record (which has no outcomes).
fn start(d: &SlotDecision, out: &mut Decision) -> bool {
    out.kind = d.kind;
    out.tier = d.tier;
    out.outcomes.clear();
    let valid = d.kind != crate::eval::DecisionKind::Invalid;
    out.score = valid.then_some(d.score);
    valid
}

impl SlotPlan {
    /// Fills `out`'s decision and outcomes from `d`, decided on `words`. The id and
    /// errors are the caller's.
    pub fn expand(&self, words: &[u64], d: &SlotDecision, out: &mut Decision) {
        if !start(d, out) {
            return;
        }
        out.outcomes.reserve(self.rules());
        for r in 0..self.rules() {
            out.outcomes.push(self.outcome(r, words, d));
        }
    }

    /// Like [`SlotPlan::expand`], but keeps only the outcomes a row without
    /// `--explain` shows: exclusions, reviews, unknowns and points. `out.outcomes` is
    /// then not every rule's outcome; only row writers may be given such a decision.
    pub fn expand_shown(&self, words: &[u64], d: &SlotDecision, out: &mut Decision) {
        if !start(d, out) {
            return;
        }
        let mut shown = d.excluded | d.review | d.unknown | (d.truth & self.may_add_points);
        while shown != 0 {
            let r = shown.trailing_zeros() as usize;
            shown &= shown - 1;
            let outcome = self.outcome(r, words, d);
            // Computed points may come to 0: a row does not show those.
            if outcome.points != 0.0 || outcome.effect.is_some() || d.unknown & (1 << r) != 0 {
                out.outcomes.push(outcome);
            }
        }
    }

    /// What rule `r` did in `d`, decided on `words`.
    #[inline]
    pub fn outcome(&self, r: usize, words: &[u64], d: &SlotDecision) -> RuleOutcome {
        // Indexed by the rule's (unknown, true) bits and (review, excluded) bits.
        const TRUTH: [Truth; 4] = [Truth::False, Truth::True, Truth::Unknown, Truth::Unknown];
        const EFFECT: [Option<MissingAction>; 4] = [
            None,
            Some(MissingAction::Exclude),
            Some(MissingAction::Review),
            Some(MissingAction::Exclude),
        ];
        let bit = |set: u64| ((set >> r) & 1) as usize;
        let (holds, unknown) = (bit(d.truth), bit(d.unknown));
        let points = match self.points_of.get(r) {
            Some(Some(Points::Constant(c))) if holds != 0 => *c,
            Some(Some(Points::Computed(i))) if holds != 0 => d.computed[*i as usize],
            _ => 0.0,
        };
        let mut missing = Missing::new();
        if unknown != 0 {
            match self.compound_of.get(r).copied().flatten() {
                None => {
                    if let LeafMissing::Field(f) = self.leaf_missing[r] {
                        missing.push(f as usize);
                    }
                }
                Some(i) => {
                    let mask = d.missing[i as usize];
                    if mask.count_ones() == 1 {
                        missing.push(mask.trailing_zeros() as usize);
                    } else if mask != 0 {
                        missing = self.missing_in_order(&self.compounds[i as usize], words, d);
                    }
                }
            }
        }
        RuleOutcome {
            rule: r,
            truth: TRUTH[holds | unknown << 1],
            points,
            missing,
            effect: EFFECT[bit(d.excluded) | bit(d.review) << 1],
        }
    }

    /// The missing fields behind a compound rule's unknown, in the order the reference
    /// evaluator reads them: left to right over the unknown parts only. Rare (several
    /// fields missing at once), so it may allocate.
    fn missing_in_order(&self, c: &Compound, words: &[u64], d: &SlotDecision) -> Missing {
        let present = words.first().copied().unwrap_or(0);
        let values = words.get(1..).unwrap_or(&[]);
        let mut stack: Vec<(Truth, Vec<usize>)> = Vec::new();
        for step in &c.steps {
            match *step {
                Step::Leaf(leaf) => {
                    let bit = 1u64 << leaf;
                    let truth = if d.leaf_truth & bit != 0 {
                        Truth::True
                    } else if d.leaf_unknown & bit != 0 {
                        Truth::Unknown
                    } else {
                        Truth::False
                    };
                    let mut fields = Vec::new();
                    if truth == Truth::Unknown {
                        match self.leaf_missing[leaf as usize] {
                            LeafMissing::Field(f) => fields.push(f as usize),
                            LeafMissing::Compare(k) => {
                                if let Some(cmp) = self.compares.get(k as usize) {
                                    cmp.left.missing_in_order(present, &mut fields);
                                    cmp.right.missing_in_order(present, &mut fields);
                                }
                            }
                            LeafMissing::None => {}
                        }
                    }
                    stack.push((truth, fields));
                }
                Step::Not => {
                    if let Some(top) = stack.last_mut() {
                        top.0 = top.0.not();
                    }
                }
                Step::And | Step::Or => {
                    let (Some((tb, mb)), Some((ta, ma))) = (stack.pop(), stack.pop()) else {
                        break;
                    };
                    let truth = if matches!(step, Step::And) {
                        ta.and(tb)
                    } else {
                        ta.or(tb)
                    };
                    let mut fields = Vec::new();
                    if truth == Truth::Unknown {
                        fields = ma;
                        for f in mb {
                            if !fields.contains(&f) {
                                fields.push(f);
                            }
                        }
                    }
                    stack.push((truth, fields));
                }
            }
        }
        let (truth, mut fields) = stack.pop().unwrap_or((Truth::True, Vec::new()));
        if let Some(p) = &c.points {
            if truth != Truth::False && p.value(present, values).is_err() {
                p.missing_in_order(present, &mut fields);
            }
        }
        Missing::from_vec(fields)
    }
}
