//! The contract's output row for one decision, as JSON.

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;

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

/// The JSON of what every row repeats (rule, field and tier names, the policy stamp),
/// encoded once per run instead of once per row.
#[derive(Debug, Clone)]
pub struct Preencoded {
    rules: Vec<Box<RawValue>>,
    fields: Vec<Box<RawValue>>,
    tiers: Vec<Box<RawValue>>,
    /// By rule: `{"rule":R,"missing":[F]}` for each field F the rule reads (an
    /// unknown almost always misses one field).
    unknowns: Vec<Vec<(usize, Box<RawValue>)>>,
    /// By rule: `{"rule":R,"points":P}` for a score rule whose points are a constant.
    contributions: Vec<Option<(f64, Box<RawValue>)>>,
    stamp: Box<RawValue>,
    /// By rule: where it stands (for `eval --explain`).
    locations: Vec<Box<RawValue>>,
    /// By rule: its usual `--explain` outcome entries (false; true with constant
    /// points; unknown for want of each field it reads), each with what it shows.
    outcomes: Vec<Vec<(OutcomeKey, Box<RawValue>)>>,
    /// The policy it was made for.
    hash: String,
}

impl Preencoded {
    /// Encodes the names of `policy`.
    pub fn new(policy: &Policy) -> Preencoded {
        let raw = |v: &dyn erased::Json| -> Box<RawValue> {
            RawValue::from_string(v.json()).unwrap_or_else(|_| empty_raw())
        };
        Preencoded {
            rules: policy.rules.iter().map(|r| raw(&r.name.as_str())).collect(),
            fields: policy
                .schema
                .fields
                .iter()
                .map(|f| raw(&f.name.as_str()))
                .collect(),
            tiers: policy.tiers.iter().map(|t| raw(&t.name.as_str())).collect(),
            unknowns: policy
                .rules
                .iter()
                .map(|r| {
                    fields_of(r)
                        .into_iter()
                        .map(|f| {
                            let missing = [policy.schema.fields[f].name.as_str()];
                            (
                                f,
                                raw(&Unknown {
                                    rule: NameRef::Text(&r.name),
                                    missing: missing.iter().map(|m| NameRef::Text(m)).collect(),
                                }),
                            )
                        })
                        .collect()
                })
                .collect(),
            contributions: policy
                .rules
                .iter()
                .map(|r| match &r.points {
                    Some(crate::check::TypedExpr::Number(n)) if *n != 0.0 => Some((
                        *n,
                        raw(&Contribution {
                            rule: NameRef::Text(&r.name),
                            points: Num(*n),
                        }),
                    )),
                    _ => None,
                })
                .collect(),
            stamp: raw(&PolicyStamp {
                name: &policy.name,
                version: policy.version,
                hash: &policy.hash,
            }),
            locations: rule_locations(policy).iter().map(|l| raw(l)).collect(),
            outcomes: usual_outcomes(policy)
                .into_iter()
                .map(|entries| {
                    entries
                        .into_iter()
                        .map(|(key, row)| (key, raw(&row)))
                        .collect()
                })
                .collect(),
            hash: policy.hash.clone(),
        }
    }

    /// Whether this was made for `policy` (the same text, so the same names).
    pub fn is_for(&self, policy: &Policy) -> bool {
        self.hash == policy.hash && self.rules.len() == policy.rules.len()
    }
}

fn empty_raw() -> Box<RawValue> {
    RawValue::from_string("null".to_string()).unwrap_or_else(|_| empty_raw())
}

mod erased {
    /// Anything serializable, as a JSON string.
    pub trait Json {
        fn json(&self) -> String;
    }
    impl<T: serde::Serialize> Json for T {
        fn json(&self) -> String {
            serde_json::to_string(self).unwrap_or_else(|_| "null".to_string())
        }
    }
}

/// A name as JSON: pre-encoded when there is a table, else encoded now.
#[derive(Serialize)]
#[serde(untagged)]
enum NameRef<'a> {
    Raw(&'a RawValue),
    Text(&'a str),
}

fn rule_name<'a>(p: &'a Policy, pre: Option<&'a Preencoded>, rule: usize) -> NameRef<'a> {
    match pre.and_then(|pre| pre.rules.get(rule)) {
        Some(raw) => NameRef::Raw(raw),
        None => NameRef::Text(&p.rules[rule].name),
    }
}

fn field_name<'a>(p: &'a Policy, pre: Option<&'a Preencoded>, field: usize) -> NameRef<'a> {
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

/// What an `--explain` outcome entry shows besides its rule: truth, effect, points
/// and the one missing field (if any).
type OutcomeKey = (
    crate::eval::Truth,
    Option<crate::syntax::ast::MissingAction>,
    f64,
    Option<usize>,
);

/// The fields a rule reads (condition, then points), each once: one of them is what
/// an unknown outcome of the rule almost always misses.
fn fields_of(rule: &crate::check::Rule) -> Vec<usize> {
    let mut fields = Vec::new();
    for e in rule.when.iter().chain(&rule.points) {
        for f in crate::explain::describe::fields_read(e) {
            if !fields.contains(&f) {
                fields.push(f);
            }
        }
    }
    fields
}

/// By rule, the outcome entries most records get, to be encoded once per run.
fn usual_outcomes(policy: &Policy) -> Vec<Vec<(OutcomeKey, OutcomeRow<'_>)>> {
    use crate::eval::Truth;
    use crate::syntax::ast::{MissingAction, RuleKind};
    let locations = rule_locations(policy);
    policy
        .rules
        .iter()
        .enumerate()
        .map(|(index, rule)| {
            let row = |truth, effect, points, missing: Option<usize>| OutcomeRow {
                rule: NameRef::Text(&rule.name),
                kind: rule.kind.keyword(),
                truth,
                points: Num(points),
                effect,
                missing: missing
                    .map(|f| NameRef::Text(&policy.schema.fields[f].name))
                    .into_iter()
                    .collect(),
                location: locations.get(index).cloned().map(Location::Owned),
            };
            let mut entries = vec![(
                (Truth::False, None, 0.0, None),
                row(Truth::False, None, 0.0, None),
            )];
            let when_true = match (rule.kind, &rule.points) {
                (RuleKind::Exclude, _) => Some((Some(MissingAction::Exclude), 0.0)),
                (RuleKind::Review, _) => Some((Some(MissingAction::Review), 0.0)),
                (RuleKind::Score, None) => Some((None, 0.0)),
                (RuleKind::Score, Some(crate::check::TypedExpr::Number(n))) => Some((None, *n)),
                (RuleKind::Score, Some(_)) => None,
            };
            if let Some((effect, points)) = when_true {
                entries.push((
                    (Truth::True, effect, points, None),
                    row(Truth::True, effect, points, None),
                ));
            }
            let if_unknown = match rule.on_missing {
                MissingAction::Ignore => None,
                action => Some(action),
            };
            for f in fields_of(rule) {
                entries.push((
                    (Truth::Unknown, if_unknown, 0.0, Some(f)),
                    row(Truth::Unknown, if_unknown, 0.0, Some(f)),
                ));
            }
            entries
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
struct OutcomeRow<'a> {
    rule: NameRef<'a>,
    kind: &'static str,
    truth: crate::eval::Truth,
    points: Num,
    effect: Option<crate::syntax::ast::MissingAction>,
    missing: smallvec::SmallVec<[NameRef<'a>; 2]>,
    location: Option<Location<'a>>,
}

/// Where a rule stands: pre-encoded when there is a table.
#[derive(Serialize)]
#[serde(untagged)]
enum Location<'a> {
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
            let key: OutcomeKey = (o.truth, o.effect, o.points, o.missing.first().copied());
            let usual = pre
                .and_then(|pre| pre.outcomes.get(o.rule))
                .and_then(|entries| {
                    entries
                        .iter()
                        .find(|(k, _)| *k == key && o.missing.len() <= 1)
                        .map(|(_, raw)| raw)
                });
            if let Some(raw) = usual {
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
            let whole = self
                .1
                .and_then(|pre| pre.contributions.get(o.rule))
                .and_then(Option::as_ref);
            if let Some((_, raw)) = whole.filter(|(points, _)| *points == o.points) {
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
struct Contribution<'a> {
    rule: NameRef<'a>,
    points: Num,
}

struct Unknowns<'a>(&'a Policy, Option<&'a Preencoded>, &'a Decision);

impl Serialize for Unknowns<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        for o in self.2.unknowns() {
            if let ([field], Some(pre)) = (o.missing.as_slice(), self.1) {
                let whole = pre.unknowns.get(o.rule).and_then(|entries| {
                    entries.iter().find(|(f, _)| f == field).map(|(_, raw)| raw)
                });
                if let Some(raw) = whole {
                    seq.serialize_element(raw)?;
                    continue;
                }
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
struct PolicyStamp<'a> {
    name: &'a str,
    version: u64,
    hash: &'a str,
}

#[derive(Serialize)]
struct Unknown<'a> {
    rule: NameRef<'a>,
    missing: smallvec::SmallVec<[NameRef<'a>; 2]>,
}

impl Serialize for DecisionRow<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (p, d, pre) = (self.policy, self.decision, self.pre);
        let mut map = s.serialize_map(Some(10 + usize::from(self.outcomes.is_some())))?;
        map.serialize_entry("id", &d.id)?;
        map.serialize_entry("decision", &d.kind)?;
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
