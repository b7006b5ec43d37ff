//! The contract's output row for one decision, as JSON.

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

use crate::check::Policy;
use crate::eval::{Decision, RuleOutcome};

/// A number that prints as an integer when whole (and `-0` as `0`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Num(pub f64);

impl Serialize for Num {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let n = self.0;
        if is_whole(n) {
            // Most scores and points fit 64 bits, which print faster than 128.
            if n.abs() < 9.2e18 {
                s.serialize_i64(n as i64)
            } else {
                s.serialize_i128(n as i128)
            }
        } else {
            s.serialize_f64(n)
        }
    }
}

/// Formats a number for text outputs the same way.
pub fn format_number(n: f64) -> String {
    if is_whole(n) {
        format!("{}", n as i128)
    } else {
        format!("{n}")
    }
}

/// Whole, and small enough (below 2^126) to be written exactly as an integer; larger
/// whole numbers are written in exponent form.
fn is_whole(n: f64) -> bool {
    n.fract() == 0.0 && n.abs() < 8.5e37
}

/// One decision serialized as the contract's JSON object: the reference form of a
/// row (`eval` splices the same bytes faster, see `row_frame.rs`).
pub struct DecisionRow<'a> {
    /// The policy that decided.
    pub policy: &'a Policy,
    /// The decision.
    pub decision: &'a Decision,
    /// With `eval --explain`: every rule's outcome, with where each rule stands.
    pub outcomes: Option<&'a [RuleLocation]>,
}

/// Where a rule stands in the policy files (for rows with outcomes).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleLocation {
    /// The file as named in diagnostics.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

/// The location of every rule, in policy order (computed once per run).
pub fn rule_locations(policy: &Policy) -> Vec<RuleLocation> {
    policy
        .rules
        .iter()
        .map(|r| {
            let file = policy.sources.file(r.span.file);
            let (line, column) = file.line_col(r.span.start);
            RuleLocation {
                file: file.name.clone(),
                line,
                column,
            }
        })
        .collect()
}

struct Outcomes<'a>(&'a Policy, &'a Decision, &'a [RuleLocation]);

#[derive(Serialize)]
pub(super) struct OutcomeRow<'a> {
    pub(super) rule: &'a str,
    pub(super) kind: &'static str,
    pub(super) truth: crate::eval::Truth,
    pub(super) points: Num,
    pub(super) effect: Option<crate::syntax::ast::MissingAction>,
    pub(super) missing: smallvec::SmallVec<[&'a str; 2]>,
    pub(super) location: Option<&'a RuleLocation>,
}

impl Serialize for Outcomes<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let Outcomes(p, d, locations) = *self;
        let mut seq = s.serialize_seq(Some(d.outcomes.len()))?;
        for o in &d.outcomes {
            let rule = &p.rules[o.rule];
            seq.serialize_element(&OutcomeRow {
                rule: &rule.name,
                kind: rule.kind.keyword(),
                truth: o.truth,
                points: Num(o.points),
                effect: o.effect,
                missing: o.missing.iter().map(|f| field_name(p, *f)).collect(),
                location: locations.get(o.rule),
            })?;
        }
        seq.end()
    }
}

fn field_name(p: &Policy, field: usize) -> &str {
    &p.schema.fields[field].name
}

struct Names<'a, I>(&'a Policy, std::cell::RefCell<Option<I>>);

impl<'a, I: Iterator<Item = &'a RuleOutcome>> Serialize for Names<'a, I> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        if let Some(iter) = self.1.borrow_mut().take() {
            for o in iter {
                seq.serialize_element(&self.0.rules[o.rule].name)?;
            }
        }
        seq.end()
    }
}

struct Contributions<'a>(&'a Policy, &'a Decision);

impl Serialize for Contributions<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        for o in self.1.contributions() {
            seq.serialize_element(&Contribution {
                rule: &self.0.rules[o.rule].name,
                points: Num(o.points),
            })?;
        }
        seq.end()
    }
}

#[derive(Serialize)]
pub(super) struct Contribution<'a> {
    pub(super) rule: &'a str,
    pub(super) points: Num,
}

struct Unknowns<'a>(&'a Policy, &'a Decision);

impl Serialize for Unknowns<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        for o in self.1.unknowns() {
            seq.serialize_element(&Unknown {
                rule: &self.0.rules[o.rule].name,
                missing: o.missing.iter().map(|f| field_name(self.0, *f)).collect(),
            })?;
        }
        seq.end()
    }
}

/// The policy that made a decision: `{"name", "version", "hash"}` in every output row.
#[derive(Serialize)]
pub(super) struct PolicyStamp<'a> {
    pub(super) name: &'a str,
    pub(super) version: u64,
    pub(super) hash: &'a str,
}

#[derive(Serialize)]
pub(super) struct Unknown<'a> {
    pub(super) rule: &'a str,
    pub(super) missing: smallvec::SmallVec<[&'a str; 2]>,
}

impl Serialize for DecisionRow<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (p, d) = (self.policy, self.decision);
        let mut map = s.serialize_map(Some(10 + usize::from(self.outcomes.is_some())))?;
        map.serialize_entry("id", &d.id)?;
        map.serialize_entry("decision", &d.kind)?;
        map.serialize_entry("tier", &d.tier.map(|t| p.tiers[t].name.as_str()))?;
        map.serialize_entry("score", &d.score.map(Num))?;
        map.serialize_entry(
            "exclusions",
            &Names(p, std::cell::RefCell::new(Some(d.exclusions()))),
        )?;
        map.serialize_entry(
            "reviews",
            &Names(p, std::cell::RefCell::new(Some(d.reviews()))),
        )?;
        map.serialize_entry("contributions", &Contributions(p, d))?;
        map.serialize_entry("unknown", &Unknowns(p, d))?;
        map.serialize_entry("errors", &d.errors)?;
        if let Some(locations) = self.outcomes {
            map.serialize_entry("outcomes", &Outcomes(p, d, locations))?;
        }
        // The audit trail: which policy, in which exact text, made this decision.
        map.serialize_entry(
            "policy",
            &PolicyStamp {
                name: &p.name,
                version: p.version,
                hash: &p.hash,
            },
        )?;
        map.end()
    }
}
