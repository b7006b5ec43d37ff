//! The fast path for JSON and JSONL rows (`eval`): each row is spliced from bytes
//! that serde_json encoded once per run, with only what varies from row to row
//! encoded per row.
//!
//! This is NOT a hand-written JSON encoder, on purpose: every string escape and every
//! number format comes from serde_json. Written as plain bytes here are only
//! - JSON punctuation that never changes: `{` `}` `[` `]` `,` and `:` between
//!   a key and its value, exactly where serde_json's compact formatter puts them;
//! - pieces that serde_json itself encoded once per run: the keys (`"decision"`),
//!   rule, field and tier names, the policy stamp, rule locations, the usual
//!   entries of [`Preencoded`] and the usual (small, whole) scores and points
//!   ([`WholeNumbers`]).
//!
//! Every value that varies per row (ids, scores, points, error messages, truths and
//! effects) goes through [`serde_json::to_writer`], but for a score or points that
//! is exactly one of the whole numbers serde_json encoded once. The reference is
//! [`DecisionRow`](super::DecisionRow) serialized without pre-encoded parts; the
//! tests compare both byte for byte.

use std::io;

use serde::Serialize;

use super::preencoded::Preencoded;
use super::row::{rule_locations, Num, PolicyStamp};
use super::whole_numbers::WholeNumbers;
use crate::check::Policy;
use crate::eval::{Decision, DecisionKind, RuleOutcome};
use crate::record::{FieldError, RecordId};

/// The constant bytes of a row, encoded once per run. `K:` stands for a key as
/// serde_json encodes it, followed by `:`.
#[derive(Debug, Clone)]
pub(super) struct RowFrame {
    /// `{"id":`
    open: Bytes,
    /// By `DecisionKind as usize`: `,"decision":"qualified","tier":`.
    decision: Vec<Bytes>,
    /// By tier: `"A","score":`.
    tier: Vec<Bytes>,
    /// `null,"score":`
    no_tier: Bytes,
    /// `,"exclusions":[`
    exclusions: Bytes,
    /// `],"reviews":[`
    pub(super) reviews: Bytes,
    /// `],"contributions":[`
    pub(super) contributions: Bytes,
    /// `],"unknown":[`
    pub(super) unknown: Bytes,
    /// The end of a row without errors or outcomes: `],"errors":[],"policy":{…}}`.
    end: Bytes,
    /// `],"errors":`
    errors: Bytes,
    /// `,"outcomes":[`
    outcomes: Bytes,
    /// The end of a row after its errors or outcomes: `,"policy":{…}}` (after `]`
    /// with outcomes).
    policy: Bytes,
    /// By rule: a `contributions` entry up to its points, `{"rule":R,"points":`.
    contribution: Vec<Bytes>,
    /// By rule: an `unknown` entry up to its fields, `{"rule":R,"missing":[`.
    unknown_entry: Vec<Bytes>,
    /// By rule: an `--explain` outcome up to its truth,
    /// `{"rule":R,"kind":K,"truth":`.
    outcome_head: Vec<Bytes>,
    /// `,"points":`
    outcome_points: Bytes,
    /// `,"effect":`
    outcome_effect: Bytes,
    /// `,"missing":[`
    outcome_missing: Bytes,
    /// By rule: the end of an outcome after its fields, `],"location":{…}}`.
    outcome_tail: Vec<Bytes>,
    /// The usual scores and points.
    numbers: WholeNumbers,
}

type Bytes = Box<[u8]>;

/// JSON as serde_json encodes it.
fn json<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    serde_json::to_string(value)
}

/// A key as serde_json encodes it, then `:`.
fn key(name: &str) -> serde_json::Result<String> {
    Ok(format!("{}:", json(name)?))
}

fn bytes(text: String) -> Bytes {
    text.into_bytes().into_boxed_slice()
}

impl RowFrame {
    /// Encodes the keys, names, stamp and locations of `policy`.
    pub(super) fn new(policy: &Policy) -> serde_json::Result<RowFrame> {
        // In declaration order, so that `kind as usize` finds each.
        let kinds = [
            DecisionKind::Qualified,
            DecisionKind::Review,
            DecisionKind::Excluded,
            DecisionKind::Invalid,
        ];
        let tier_then_score = |name: Option<&str>| -> serde_json::Result<Bytes> {
            Ok(bytes(format!("{},{}", json(&name)?, key("score")?)))
        };
        let mut tier = Vec::new();
        for t in &policy.tiers {
            tier.push(tier_then_score(Some(&t.name))?);
        }
        let policy_end = format!(
            ",{}{}}}",
            key("policy")?,
            json(&PolicyStamp {
                name: &policy.name,
                version: policy.version,
                hash: &policy.hash,
            })?
        );
        let mut contribution = Vec::new();
        let mut unknown_entry = Vec::new();
        let mut outcome_head = Vec::new();
        for rule in &policy.rules {
            let name = json(&rule.name)?;
            contribution.push(bytes(format!(
                "{{{}{name},{}",
                key("rule")?,
                key("points")?
            )));
            unknown_entry.push(bytes(format!(
                "{{{}{name},{}[",
                key("rule")?,
                key("missing")?
            )));
            outcome_head.push(bytes(format!(
                "{{{}{name},{}{},{}",
                key("rule")?,
                key("kind")?,
                json(rule.kind.keyword())?,
                key("truth")?
            )));
        }
        let mut outcome_tail = Vec::new();
        for location in rule_locations(policy) {
            outcome_tail.push(bytes(format!(
                "],{}{}}}",
                key("location")?,
                json(&location)?
            )));
        }
        Ok(RowFrame {
            open: bytes(format!("{{{}", key("id")?)),
            decision: kinds
                .iter()
                .map(|kind| {
                    Ok(bytes(format!(
                        ",{}{},{}",
                        key("decision")?,
                        json(kind)?,
                        key("tier")?
                    )))
                })
                .collect::<serde_json::Result<_>>()?,
            tier,
            no_tier: tier_then_score(None)?,
            exclusions: bytes(format!(",{}[", key("exclusions")?)),
            reviews: bytes(format!("],{}[", key("reviews")?)),
            contributions: bytes(format!("],{}[", key("contributions")?)),
            unknown: bytes(format!("],{}[", key("unknown")?)),
            end: bytes(format!(
                "],{}{}{policy_end}",
                key("errors")?,
                json::<[FieldError]>(&[])?
            )),
            errors: bytes(format!("],{}", key("errors")?)),
            outcomes: bytes(format!(",{}[", key("outcomes")?)),
            policy: bytes(policy_end),
            contribution,
            unknown_entry,
            outcome_head,
            outcome_points: bytes(format!(",{}", key("points")?)),
            outcome_effect: bytes(format!(",{}", key("effect")?)),
            outcome_missing: bytes(format!(",{}[", key("missing")?)),
            outcome_tail,
            numbers: WholeNumbers::new()?,
        })
    }
}

/// Writes one decision of the policy `pre` was made for as the contract's JSON
/// object, byte for byte as serde_json writes [`DecisionRow`](super::DecisionRow);
/// with `explain`, with every rule's outcome.
pub(super) fn encode_row(
    frame: &RowFrame,
    pre: &Preencoded,
    d: &Decision,
    explain: bool,
    buf: &mut Vec<u8>,
) -> io::Result<()> {
    frame.head(buf, &d.id, d.kind, d.tier, d.score)?;
    for (i, o) in d.exclusions().enumerate() {
        name(buf, pre, i, o.rule)?;
    }
    buf.extend_from_slice(&frame.reviews);
    for (i, o) in d.reviews().enumerate() {
        name(buf, pre, i, o.rule)?;
    }
    buf.extend_from_slice(&frame.contributions);
    for (i, o) in d.contributions().enumerate() {
        contribution(buf, frame, pre, i, o.rule, o.points)?;
    }
    buf.extend_from_slice(&frame.unknown);
    for (i, o) in d.unknowns().enumerate() {
        unknown(buf, frame, pre, i, o.rule, &o.missing)?;
    }
    if !explain {
        return frame.tail(buf, &d.errors);
    }
    buf.extend_from_slice(&frame.errors);
    value(buf, &d.errors)?;
    buf.extend_from_slice(&frame.outcomes);
    for (i, o) in d.outcomes.iter().enumerate() {
        comma(buf, i);
        outcome(buf, frame, pre, o)?;
    }
    buf.push(b']');
    buf.extend_from_slice(&frame.policy);
    Ok(())
}

impl RowFrame {
    /// A row up to its first exclusion: `{"id":…,"decision":…,"tier":…,"score":…,
    /// "exclusions":[`. The sections after it start with `reviews`,
    /// `contributions` and `unknown`, and [`RowFrame::tail`] ends it.
    pub(super) fn head(
        &self,
        buf: &mut Vec<u8>,
        id: &RecordId,
        kind: DecisionKind,
        tier: Option<usize>,
        score: Option<f64>,
    ) -> io::Result<()> {
        buf.extend_from_slice(&self.open);
        value(buf, id)?;
        buf.extend_from_slice(at(&self.decision, kind as usize)?);
        match tier {
            Some(t) => buf.extend_from_slice(at(&self.tier, t)?),
            None => buf.extend_from_slice(&self.no_tier),
        }
        match score {
            Some(n) => self.number(buf, n)?,
            None => value(buf, &None::<Num>)?,
        }
        buf.extend_from_slice(&self.exclusions);
        Ok(())
    }

    /// A score or points, as serde_json writes [`Num`]: copied when pre-encoded.
    #[inline]
    fn number(&self, buf: &mut Vec<u8>, n: f64) -> io::Result<()> {
        match self.numbers.get(n) {
            Some(json) => buf.extend_from_slice(json),
            None => value(buf, &Num(n))?,
        }
        Ok(())
    }

    /// The end of a row without `--explain` after its last unknown: the errors and
    /// the policy stamp.
    pub(super) fn tail(&self, buf: &mut Vec<u8>, errors: &[FieldError]) -> io::Result<()> {
        if errors.is_empty() {
            buf.extend_from_slice(&self.end);
        } else {
            buf.extend_from_slice(&self.errors);
            value(buf, errors)?;
            buf.extend_from_slice(&self.policy);
        }
        Ok(())
    }
}

// `name`, `contribution` and `unknown` write one list entry each and are inlined
// into the loops over a row's rules: as calls, their prologues and returns cost
// about a tenth of a row's encoding.

/// The `index`th entry of `exclusions` or `reviews`: the pre-encoded name of `rule`.
#[inline(always)]
pub(super) fn name(
    buf: &mut Vec<u8>,
    pre: &Preencoded,
    index: usize,
    rule: usize,
) -> io::Result<()> {
    comma(buf, index);
    buf.extend_from_slice(at(&pre.rules, rule)?.get().as_bytes());
    Ok(())
}

/// The `index`th `contributions` entry: `rule` added `points` (not 0).
#[inline(always)]
pub(super) fn contribution(
    buf: &mut Vec<u8>,
    frame: &RowFrame,
    pre: &Preencoded,
    index: usize,
    rule: usize,
    points: f64,
) -> io::Result<()> {
    comma(buf, index);
    match pre.usual_contribution(rule, points) {
        Some(raw) => buf.extend_from_slice(raw.get().as_bytes()),
        None => {
            buf.extend_from_slice(at(&frame.contribution, rule)?);
            frame.number(buf, points)?;
            buf.push(b'}');
        }
    }
    Ok(())
}

/// The `index`th `unknown` entry: `rule` was unknown for want of `missing`.
#[inline(always)]
pub(super) fn unknown(
    buf: &mut Vec<u8>,
    frame: &RowFrame,
    pre: &Preencoded,
    index: usize,
    rule: usize,
    missing: &[usize],
) -> io::Result<()> {
    comma(buf, index);
    match pre.usual_unknown(rule, missing) {
        Some(raw) => buf.extend_from_slice(raw.get().as_bytes()),
        None => {
            buf.extend_from_slice(at(&frame.unknown_entry, rule)?);
            fields(buf, pre, missing)?;
            buf.extend_from_slice(b"]}");
        }
    }
    Ok(())
}

/// One `--explain` outcome entry.
fn outcome(
    buf: &mut Vec<u8>,
    frame: &RowFrame,
    pre: &Preencoded,
    o: &RuleOutcome,
) -> io::Result<()> {
    if let Some(raw) = pre.usual_outcome(o) {
        buf.extend_from_slice(raw.get().as_bytes());
        return Ok(());
    }
    buf.extend_from_slice(at(&frame.outcome_head, o.rule)?);
    value(buf, &o.truth)?;
    buf.extend_from_slice(&frame.outcome_points);
    frame.number(buf, o.points)?;
    buf.extend_from_slice(&frame.outcome_effect);
    value(buf, &o.effect)?;
    buf.extend_from_slice(&frame.outcome_missing);
    fields(buf, pre, &o.missing)?;
    buf.extend_from_slice(at(&frame.outcome_tail, o.rule)?);
    Ok(())
}

/// A value as serde_json writes it.
fn value<T: Serialize + ?Sized>(buf: &mut Vec<u8>, value: &T) -> io::Result<()> {
    Ok(serde_json::to_writer(&mut *buf, value)?)
}

/// The separator before every array element but the first.
fn comma(buf: &mut Vec<u8>, index: usize) {
    if index > 0 {
        buf.push(b',');
    }
}

/// The pre-encoded names of the `missing` fields, separated by commas.
fn fields(buf: &mut Vec<u8>, pre: &Preencoded, missing: &[usize]) -> io::Result<()> {
    for (i, f) in missing.iter().enumerate() {
        comma(buf, i);
        buf.extend_from_slice(at(&pre.fields, *f)?.get().as_bytes());
    }
    Ok(())
}

/// A piece by index: out of range only for a decision of another policy.
fn at<T>(pieces: &[T], index: usize) -> io::Result<&T> {
    pieces.get(index).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "a decision refers to a rule, field or tier its policy does not have",
        )
    })
}
