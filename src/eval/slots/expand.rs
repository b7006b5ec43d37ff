//! From a slot decision back to what each rule did: every rule's outcome (for
//! `--explain` and the API), and the per-rule pieces a row shows (effects, points,
//! missing fields) for writers that read the bit sets directly. Both are built from
//! the same helpers, so a rule's points and missing fields are worked out in one place.

use super::decide::SlotDecision;
use super::{Compound, LeafMissing, Points, SlotPlan, Step};
use crate::eval::decision::{Decision, DecisionKind, Missing, RuleOutcome};
use crate::eval::truth::Truth;
use crate::syntax::ast::MissingAction;

/// The outcomes a row without `--explain` shows, as bit sets over the rules (bit `r`:
/// rule `r`; walked from the lowest bit, in policy order). Empty for an invalid record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct ShownRules {
    /// Rules that excluded the record.
    pub(crate) exclusions: u64,
    /// Rules that sent it to review.
    pub(crate) reviews: u64,
    /// True score rules whose points may be other than 0. A row shows those whose
    /// [`SlotPlan::points`] are not 0 (computed points may come to 0).
    pub(crate) scored: u64,
    /// Rules that were unknown, shown with their [`SlotPlan::missing`] fields.
    pub(crate) unknown: u64,
}

impl SlotDecision {
    /// Rules whose effect is to exclude the record.
    #[inline]
    fn excluding(&self) -> u64 {
        self.excluded
    }

    /// Rules whose effect is to send it to review: an exclusion takes precedence.
    #[inline]
    fn reviewing(&self) -> u64 {
        self.review & !self.excluded
    }
}

impl SlotPlan {
    /// Fills `out`'s decision and outcomes from `d`, decided on `words`. The id and
    /// errors are the caller's.
    pub fn expand(&self, words: &[u64], d: &SlotDecision, out: &mut Decision) {
        out.kind = d.kind;
        out.tier = d.tier;
        out.outcomes.clear();
        if d.kind == DecisionKind::Invalid {
            // An invalid record has no score and no outcomes.
            out.score = None;
            return;
        }
        out.score = Some(d.score);
        out.outcomes
            .extend((0..self.rules()).map(|r| self.outcome(r, words, d)));
    }

    /// The rules a row without `--explain` shows, by what it shows them for.
    #[inline]
    pub(crate) fn shown(&self, d: &SlotDecision) -> ShownRules {
        if d.kind == DecisionKind::Invalid {
            return ShownRules::default();
        }
        ShownRules {
            exclusions: d.excluding(),
            reviews: d.reviewing(),
            scored: d.truth & self.may_add_points,
            unknown: d.unknown,
        }
    }

    /// What rule `r` did in `d`, decided on `words`.
    #[inline]
    pub fn outcome(&self, r: usize, words: &[u64], d: &SlotDecision) -> RuleOutcome {
        // Indexed by the rule's (unknown, true) bits.
        const TRUTH: [Truth; 4] = [Truth::False, Truth::True, Truth::Unknown, Truth::Unknown];
        let bit = |set: u64| (set >> r) & 1 != 0;
        let effect = if bit(d.excluding()) {
            Some(MissingAction::Exclude)
        } else if bit(d.reviewing()) {
            Some(MissingAction::Review)
        } else {
            None
        };
        RuleOutcome {
            rule: r,
            truth: TRUTH[usize::from(bit(d.truth)) | usize::from(bit(d.unknown)) << 1],
            points: self.points(r, d),
            missing: self.missing(r, words, d),
            effect,
        }
    }

    /// The points rule `r` added in `d`: its points where it is a true score rule,
    /// else 0.
    #[inline]
    pub(crate) fn points(&self, r: usize, d: &SlotDecision) -> f64 {
        if (d.truth >> r) & 1 == 0 {
            return 0.0;
        }
        match self.points_of.get(r) {
            Some(Some(Points::Constant(c))) => *c,
            Some(Some(Points::Computed(i))) => d.computed.get(*i as usize).copied().unwrap_or(0.0),
            _ => 0.0,
        }
    }

    /// The missing fields that left rule `r` unknown in `d`, decided on `words`, in
    /// the reference evaluator's order; none where it is not unknown.
    #[inline]
    pub(crate) fn missing(&self, r: usize, words: &[u64], d: &SlotDecision) -> Missing {
        let mut missing = Missing::new();
        if (d.unknown >> r) & 1 == 0 {
            return missing;
        }
        match self.compound_of.get(r).copied().flatten() {
            None => {
                if let Some(LeafMissing::Field(f)) = self.leaf_missing.get(r) {
                    missing.push(*f as usize);
                }
            }
            Some(i) => {
                let mask = d.missing.get(i as usize).copied().unwrap_or(0);
                if mask.count_ones() == 1 {
                    missing.push(mask.trailing_zeros() as usize);
                } else if mask != 0 {
                    if let Some(c) = self.compounds.get(i as usize) {
                        missing = self.missing_in_order(c, words, d);
                    }
                }
            }
        }
        missing
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
