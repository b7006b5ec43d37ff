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
        if n.fract() == 0.0 && n.abs() < 9.0e15 {
            s.serialize_i64(n as i64)
        } else {
            s.serialize_f64(n)
        }
    }
}

/// Formats a number for text outputs the same way.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// One decision serialized as the contract's JSON object.
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
struct OutcomeRow<'a> {
    rule: &'a str,
    kind: &'static str,
    truth: crate::eval::Truth,
    points: Num,
    effect: Option<crate::syntax::ast::MissingAction>,
    missing: Vec<&'a str>,
    location: Option<&'a RuleLocation>,
}

impl Serialize for Outcomes<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.1.outcomes.len()))?;
        for o in &self.1.outcomes {
            let rule = &self.0.rules[o.rule];
            seq.serialize_element(&OutcomeRow {
                rule: &rule.name,
                kind: rule.kind.keyword(),
                truth: o.truth,
                points: Num(o.points),
                effect: o.effect,
                missing: o
                    .missing
                    .iter()
                    .map(|f| self.0.schema.fields[*f].name.as_str())
                    .collect(),
                location: self.2.get(o.rule),
            })?;
        }
        seq.end()
    }
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
struct Contribution<'a> {
    rule: &'a str,
    points: Num,
}

struct Unknowns<'a>(&'a Policy, &'a Decision);

impl Serialize for Unknowns<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        for o in self.1.unknowns() {
            let missing: Vec<&str> = o
                .missing
                .iter()
                .map(|f| self.0.schema.fields[*f].name.as_str())
                .collect();
            seq.serialize_element(&Unknown {
                rule: &self.0.rules[o.rule].name,
                missing,
            })?;
        }
        seq.end()
    }
}

/// The policy that made a decision: `{"name", "version", "hash"}` in every output row.
#[derive(Serialize)]
struct PolicyStamp<'a> {
    name: &'a str,
    version: u64,
    hash: &'a str,
}

#[derive(Serialize)]
struct Unknown<'a> {
    rule: &'a str,
    missing: Vec<&'a str>,
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
