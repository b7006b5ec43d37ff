//! The contract's output row for one decision, as JSON.

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;

use super::preencoded::Preencoded;
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

/// One decision serialized as the contract's JSON object.
pub struct DecisionRow<'a> {
    /// The policy that decided.
    pub policy: &'a Policy,
    /// The decision.
    pub decision: &'a Decision,
    /// With `eval --explain`: every rule's outcome, with where each rule stands.
    pub outcomes: Option<&'a [RuleLocation]>,
    /// Names and the policy stamp already encoded, for writing many rows fast.
    pub pre: Option<&'a Preencoded>,
}

/// A name as JSON: pre-encoded when there is a table, else encoded now.
#[derive(Serialize)]
#[serde(untagged)]
pub(super) enum NameRef<'a> {
    Raw(&'a RawValue),
    Text(&'a str),
}

pub(super) fn rule_name<'a>(
    p: &'a Policy,
    pre: Option<&'a Preencoded>,
    rule: usize,
) -> NameRef<'a> {
    match pre.and_then(|pre| pre.rules.get(rule)) {
        Some(raw) => NameRef::Raw(raw),
        None => NameRef::Text(&p.rules[rule].name),
    }
}

pub(super) fn field_name<'a>(
    p: &'a Policy,
    pre: Option<&'a Preencoded>,
    field: usize,
) -> NameRef<'a> {
    match pre.and_then(|pre| pre.fields.get(field)) {
        Some(raw) => NameRef::Raw(raw),
        None => NameRef::Text(&p.schema.fields[field].name),
    }
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

struct Outcomes<'a>(
    &'a Policy,
    &'a Decision,
    &'a [RuleLocation],
    Option<&'a Preencoded>,
);

#[derive(Serialize)]
pub(super) struct OutcomeRow<'a> {
    pub(super) rule: NameRef<'a>,
    pub(super) kind: &'static str,
    pub(super) truth: crate::eval::Truth,
    pub(super) points: Num,
    pub(super) effect: Option<crate::syntax::ast::MissingAction>,
    pub(super) missing: smallvec::SmallVec<[NameRef<'a>; 2]>,
    pub(super) location: Option<Location<'a>>,
}

/// Where a rule stands: pre-encoded when there is a table.
#[derive(Serialize)]
#[serde(untagged)]
pub(super) enum Location<'a> {
    Raw(&'a RawValue),
    Value(&'a RuleLocation),
    Owned(RuleLocation),
}

impl Serialize for Outcomes<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.1.outcomes.len()))?;
        for o in &self.1.outcomes {
            let rule = &self.0.rules[o.rule];
            let pre = self.3;
            if let Some(raw) = pre.and_then(|pre| pre.usual_outcome(o)) {
                seq.serialize_element(raw)?;
                continue;
            }
            let location = match pre.and_then(|pre| pre.locations.get(o.rule)) {
                Some(raw) => Some(Location::Raw(raw)),
                None => self.2.get(o.rule).map(Location::Value),
            };
            seq.serialize_element(&OutcomeRow {
                rule: rule_name(self.0, pre, o.rule),
                kind: rule.kind.keyword(),
                truth: o.truth,
                points: Num(o.points),
                effect: o.effect,
                missing: o
                    .missing
                    .iter()
                    .map(|f| field_name(self.0, pre, *f))
                    .collect(),
                location,
            })?;
        }
        seq.end()
    }
}

struct Names<'a, I>(
    &'a Policy,
    Option<&'a Preencoded>,
    std::cell::RefCell<Option<I>>,
);

impl<'a, I: Iterator<Item = &'a RuleOutcome>> Serialize for Names<'a, I> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        if let Some(iter) = self.2.borrow_mut().take() {
            for o in iter {
                seq.serialize_element(&rule_name(self.0, self.1, o.rule))?;
            }
        }
        seq.end()
    }
}

struct Contributions<'a>(&'a Policy, Option<&'a Preencoded>, &'a Decision);

impl Serialize for Contributions<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        for o in self.2.contributions() {
            if let Some(raw) = self
                .1
                .and_then(|pre| pre.usual_contribution(o.rule, o.points))
            {
                seq.serialize_element(raw)?;
                continue;
            }
            seq.serialize_element(&Contribution {
                rule: rule_name(self.0, self.1, o.rule),
                points: Num(o.points),
            })?;
        }
        seq.end()
    }
}

#[derive(Serialize)]
pub(super) struct Contribution<'a> {
    pub(super) rule: NameRef<'a>,
    pub(super) points: Num,
}

struct Unknowns<'a>(&'a Policy, Option<&'a Preencoded>, &'a Decision);

impl Serialize for Unknowns<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        for o in self.2.unknowns() {
            if let Some(raw) = self.1.and_then(|pre| pre.usual_unknown(o.rule, &o.missing)) {
                seq.serialize_element(raw)?;
                continue;
            }
            let missing: smallvec::SmallVec<[NameRef<'_>; 2]> = o
                .missing
                .iter()
                .map(|f| field_name(self.0, self.1, *f))
                .collect();
            seq.serialize_element(&Unknown {
                rule: rule_name(self.0, self.1, o.rule),
                missing,
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
    pub(super) rule: NameRef<'a>,
    pub(super) missing: smallvec::SmallVec<[NameRef<'a>; 2]>,
}

impl Serialize for DecisionRow<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (p, d, pre) = (self.policy, self.decision, self.pre);
        let mut map = s.serialize_map(Some(10 + usize::from(self.outcomes.is_some())))?;
        map.serialize_entry("id", &d.id)?;
        match pre.and_then(|pre| pre.decisions.get(d.kind as usize)) {
            Some(raw) => map.serialize_entry("decision", raw)?,
            None => map.serialize_entry("decision", &d.kind)?,
        }
        let tier = d.tier.map(|t| match pre.and_then(|pre| pre.tiers.get(t)) {
            Some(raw) => NameRef::Raw(raw),
            None => NameRef::Text(&p.tiers[t].name),
        });
        map.serialize_entry("tier", &tier)?;
        map.serialize_entry("score", &d.score.map(Num))?;
        map.serialize_entry(
            "exclusions",
            &Names(p, pre, std::cell::RefCell::new(Some(d.exclusions()))),
        )?;
        map.serialize_entry(
            "reviews",
            &Names(p, pre, std::cell::RefCell::new(Some(d.reviews()))),
        )?;
        map.serialize_entry("contributions", &Contributions(p, pre, d))?;
        map.serialize_entry("unknown", &Unknowns(p, pre, d))?;
        map.serialize_entry("errors", &d.errors)?;
        if let Some(locations) = self.outcomes {
            map.serialize_entry("outcomes", &Outcomes(p, d, locations, pre))?;
        }
        // The audit trail: which policy, in which exact text, made this decision.
        match pre {
            Some(pre) => map.serialize_entry("policy", &pre.stamp)?,
            None => map.serialize_entry(
                "policy",
                &PolicyStamp {
                    name: &p.name,
                    version: p.version,
                    hash: &p.hash,
                },
            )?,
        }
        map.end()
    }
}
