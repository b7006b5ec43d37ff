//! The impact of a policy change: every input is decided by the old and by the new policy,
//! record by record, and the two decisions are compared.
//!
//! Each input is read twice, once with each policy's schema (the two may differ), by two
//! threads in step: the old policy's pass hands its decisions to the new policy's pass
//! through a small bounded channel, so memory stays flat however large the input. Only the
//! records that change are kept. Records are paired by position.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::mpsc;

use super::ReportError;
use crate::check::Policy;
use crate::eval::{Decision, DecisionKind};
use crate::io::{id_text, read_records, InputError, InputOptions, InputSource};
use crate::record::FieldError;
use crate::syntax::ast::MissingAction;

/// A policy as a diff names it.
#[derive(Debug, Clone)]
pub struct PolicyInfo {
    /// The path it was loaded from, as given.
    pub path: String,
    /// Its name.
    pub name: String,
    /// Its version.
    pub version: u64,
    /// Its content hash.
    pub hash: String,
}

impl PolicyInfo {
    /// The info of a loaded policy.
    pub fn of(path: impl Into<String>, policy: &Policy) -> PolicyInfo {
        PolicyInfo {
            path: path.into(),
            name: policy.name.clone(),
            version: policy.version,
            hash: policy.hash.clone(),
        }
    }
}

/// Decision and tier: one cell of the transition matrix. States order by decision
/// (qualified, review, excluded, invalid), then tier name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct State {
    /// The decision.
    pub kind: DecisionKind,
    /// The tier's name.
    pub tier: Option<String>,
}

impl State {
    /// `qualified A`, `invalid`.
    pub fn label(&self) -> String {
        match &self.tier {
            Some(t) => format!("{} {t}", self.kind.as_str()),
            None => self.kind.as_str().to_string(),
        }
    }
}

impl PartialOrd for State {
    fn partial_cmp(&self, other: &State) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for State {
    fn cmp(&self, other: &State) -> std::cmp::Ordering {
        (self.kind as usize, &self.tier).cmp(&(other.kind as usize, &other.tier))
    }
}

/// One side of a changed record.
#[derive(Debug, Clone, PartialEq)]
pub struct Side {
    /// Decision and tier.
    pub state: State,
    /// The score (`None` for invalid records).
    pub score: Option<f64>,
}

/// What one rule did to a record under one policy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Effect {
    /// Excluded or sent to review (`None`: neither).
    pub effect: Option<MissingAction>,
    /// Points added.
    pub points: f64,
}

impl Effect {
    /// `exclude`, `review`, `+20`, `no effect`, or `not in policy` for `None`.
    pub fn describe(effect: Option<Effect>) -> String {
        match effect {
            None => "not in policy".to_string(),
            Some(Effect {
                effect: Some(MissingAction::Exclude),
                ..
            }) => "exclude".to_string(),
            Some(Effect {
                effect: Some(MissingAction::Review),
                ..
            }) => "review".to_string(),
            Some(e) if e.points != 0.0 => {
                let n = crate::io::format_number(e.points);
                if e.points > 0.0 {
                    format!("+{n}")
                } else {
                    n
                }
            }
            Some(_) => "no effect".to_string(),
        }
    }
}

/// A rule whose outcome differs between the two policies for one record.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleChange {
    /// The rule's name.
    pub rule: String,
    /// Under the old policy (`None`: the old policy has no such rule).
    pub old: Option<Effect>,
    /// Under the new policy.
    pub new: Option<Effect>,
}

/// A record whose decision, tier or score changes.
#[derive(Debug, Clone)]
pub struct ChangedRecord {
    /// Its id under the new policy.
    pub id: String,
    /// Its id under the old policy, when the two differ (different key fields).
    pub old_id: Option<String>,
    /// Index into [`Diff::inputs`].
    pub input: usize,
    /// The line it starts on.
    pub line: Option<u64>,
    /// Before.
    pub old: Side,
    /// After.
    pub new: Side,
    /// The rules responsible: those whose effect or points differ, old policy order first.
    pub rules: Vec<RuleChange>,
    /// Why a side is invalid, when one is.
    pub errors: Vec<(&'static str, FieldError)>,
}

impl ChangedRecord {
    /// Whether the decision changed.
    pub fn decision_changed(&self) -> bool {
        self.old.state.kind != self.new.state.kind
    }

    /// Whether the tier changed.
    pub fn tier_changed(&self) -> bool {
        self.old.state.tier != self.new.state.tier
    }

    /// Whether the score changed.
    pub fn score_changed(&self) -> bool {
        self.old.score != self.new.score
    }
}

/// An input with its record count.
#[derive(Debug, Clone)]
pub struct DiffInput {
    /// The path.
    pub path: String,
    /// Records in it.
    pub records: u64,
}

/// The whole comparison.
#[derive(Debug, Clone)]
pub struct Diff {
    /// The old policy.
    pub old: PolicyInfo,
    /// The new policy.
    pub new: PolicyInfo,
    /// The inputs, in order.
    pub inputs: Vec<DiffInput>,
    /// Decisions per kind under the old policy.
    pub old_counts: [u64; 4],
    /// Decisions per kind under the new policy.
    pub new_counts: [u64; 4],
    /// (old state, new state) → records; every record is in exactly one cell.
    pub transitions: BTreeMap<(State, State), u64>,
    /// The records that change, in input order.
    pub changed: Vec<ChangedRecord>,
    /// Input warnings of both passes (each once).
    pub warnings: Vec<String>,
    /// Tier names for display order: the old policy's, then those only the new one has.
    pub tier_order: Vec<String>,
}

impl Diff {
    /// All records.
    pub fn total(&self) -> u64 {
        self.old_counts.iter().sum()
    }

    /// Whether any record changed.
    pub fn has_changes(&self) -> bool {
        !self.changed.is_empty()
    }

    /// The display order of a state: decision, then tier in policy order.
    pub fn state_key(&self, state: &State) -> (usize, usize) {
        let tier = state.tier.as_ref().map_or(usize::MAX, |t| {
            self.tier_order
                .iter()
                .position(|x| x == t)
                .unwrap_or(usize::MAX - 1)
        });
        (state.kind as usize, tier)
    }

    /// The states seen on the old and on the new side, in display order.
    pub fn states(&self) -> (Vec<State>, Vec<State>) {
        let mut old: Vec<State> = self.transitions.keys().map(|(o, _)| o.clone()).collect();
        let mut new: Vec<State> = self.transitions.keys().map(|(_, n)| n.clone()).collect();
        for list in [&mut old, &mut new] {
            list.sort_by_key(|s| self.state_key(s));
            list.dedup();
        }
        (old, new)
    }

    /// The transitions in display order (old state, then new state).
    pub fn transitions_in_order(&self) -> Vec<(&State, &State, u64)> {
        let mut list: Vec<(&State, &State, u64)> = self
            .transitions
            .iter()
            .map(|((a, b), n)| (a, b, *n))
            .collect();
        list.sort_by_key(|(a, b, _)| (self.state_key(a), self.state_key(b)));
        list
    }
}

/// Decides every record of `inputs` with both policies and compares.
pub fn diff(
    old: (&str, &Policy),
    new: (&str, &Policy),
    inputs: &[PathBuf],
    options: &InputOptions,
) -> Result<Diff, ReportError> {
    let mut out = Diff {
        old: PolicyInfo::of(old.0, old.1),
        new: PolicyInfo::of(new.0, new.1),
        inputs: Vec::new(),
        old_counts: [0; 4],
        new_counts: [0; 4],
        transitions: BTreeMap::new(),
        changed: Vec::new(),
        warnings: Vec::new(),
        tier_order: old.1.tiers.iter().map(|t| t.name.clone()).collect(),
    };
    for tier in &new.1.tiers {
        if !out.tier_order.contains(&tier.name) {
            out.tier_order.push(tier.name.clone());
        }
    }
    for path in inputs {
        let source = InputSource::File(path.clone());
        out.inputs.push(DiffInput {
            path: source.name(),
            records: 0,
        });
        diff_input(old.1, new.1, &source, options, &mut out)?;
    }
    Ok(out)
}

fn diff_input(
    old: &Policy,
    new: &Policy,
    source: &InputSource,
    options: &InputOptions,
    out: &mut Diff,
) -> Result<(), ReportError> {
    let input = out.inputs.len() - 1;
    let (tx, rx) = mpsc::sync_channel::<Decision>(256);
    std::thread::scope(|scope| {
        let old_pass = scope.spawn(move || {
            let mut sent = 0u64;
            let mut sink = |record: crate::Record| {
                sent += 1;
                tx.send(old.evaluate(&record))
                    .map_err(|_| InputError::Write {
                        message: "the new policy's pass stopped".to_string(),
                    })
            };
            read_records(source, &old.schema, options, &mut sink).map(|s| (s, sent))
        });
        let mut mismatch = false;
        let mut sink = |record: crate::Record| {
            let new_decision = new.evaluate(&record);
            let Ok(old_decision) = rx.recv() else {
                mismatch = true;
                return Err(InputError::Write {
                    message: "the old policy's pass stopped".to_string(),
                });
            };
            compare(
                old,
                new,
                &old_decision,
                &new_decision,
                record.line,
                input,
                out,
            );
            Ok(())
        };
        let new_result = read_records(source, &new.schema, options, &mut sink);
        // Let the old pass finish (or fail on its next send) and count what it had left.
        let mut old_extra = 0u64;
        if new_result.is_ok() {
            while rx.recv().is_ok() {
                old_extra += 1;
            }
        }
        drop(rx);
        let old_result = old_pass.join().map_err(|_| InputError::Write {
            message: "the old policy's pass failed".to_string(),
        })?;
        let (old_summary, old_records) = match (old_result, &new_result) {
            (Ok(done), _) => done,
            // The new pass failed first: that error is the one to report.
            (Err(_), Err(_)) if !mismatch => return new_result.map(|_| ()).map_err(Into::into),
            (Err(e), _) => return Err(ReportError::from(e)),
        };
        let new_summary = new_result?;
        if mismatch || old_extra > 0 || old_records != new_summary.records {
            return Err(ReportError::DiffRecordCount {
                file: source.name(),
                old: old_records,
                new: new_summary.records,
            });
        }
        for w in old_summary.warnings.into_iter().chain(new_summary.warnings) {
            if !out.warnings.contains(&w) {
                out.warnings.push(w);
            }
        }
        Ok(())
    })
}

fn state(policy: &Policy, d: &Decision) -> State {
    State {
        kind: d.kind,
        tier: d.tier.map(|t| policy.tiers[t].name.clone()),
    }
}

fn compare(
    old: &Policy,
    new: &Policy,
    od: &Decision,
    nd: &Decision,
    line: Option<u64>,
    input: usize,
    out: &mut Diff,
) {
    out.inputs[input].records += 1;
    out.old_counts[od.kind as usize] += 1;
    out.new_counts[nd.kind as usize] += 1;
    let before = Side {
        state: state(old, od),
        score: od.score,
    };
    let after = Side {
        state: state(new, nd),
        score: nd.score,
    };
    *out.transitions
        .entry((before.state.clone(), after.state.clone()))
        .or_default() += 1;
    if before == after {
        return;
    }
    let (id, old_id) = (id_text(&nd.id), id_text(&od.id));
    let mut errors = Vec::new();
    for (side, d) in [("old", od), ("new", nd)] {
        errors.extend(d.errors.iter().map(|e| (side, e.clone())));
    }
    out.changed.push(ChangedRecord {
        old_id: (old_id != id).then_some(old_id),
        id,
        input,
        line,
        old: before,
        new: after,
        rules: rule_changes(old, new, od, nd),
        errors,
    });
}

/// Rules whose effect or points differ, by name: the old policy's rules in its order,
/// then the rules only the new policy has. An invalid side has no rule outcomes; its
/// rules are then not compared (the errors say why).
pub fn rule_changes(old: &Policy, new: &Policy, od: &Decision, nd: &Decision) -> Vec<RuleChange> {
    if od.kind == DecisionKind::Invalid || nd.kind == DecisionKind::Invalid {
        return Vec::new();
    }
    let effect_in = |policy: &Policy, d: &Decision, name: &str| -> Option<Effect> {
        let index = policy.rules.iter().position(|r| r.name == name)?;
        let o = d.outcomes.iter().find(|o| o.rule == index)?;
        Some(Effect {
            effect: o.effect,
            points: o.points,
        })
    };
    let names = old.rules.iter().map(|r| r.name.as_str()).chain(
        new.rules
            .iter()
            .map(|r| r.name.as_str())
            .filter(|n| !old.rules.iter().any(|r| r.name == *n)),
    );
    let none = Effect {
        effect: None,
        points: 0.0,
    };
    names
        .filter_map(|name| {
            let (a, b) = (effect_in(old, od, name), effect_in(new, nd, name));
            // A rule that is missing on one side and does nothing on the other is no cause.
            (a.unwrap_or(none) != b.unwrap_or(none)).then(|| RuleChange {
                rule: name.to_string(),
                old: a,
                new: b,
            })
        })
        .collect()
}
