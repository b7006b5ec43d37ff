//! JSON and JSONL rows without `--explain`, written straight from a slot decision:
//! the decision's bit sets are walked in rule order for the exclusions, reviews,
//! contributions and unknowns a row shows, so no list of outcomes is built per row.
//!
//! What a rule shows comes from the slot plan's own helpers ([`SlotPlan::shown`],
//! [`SlotPlan::points`], [`SlotPlan::missing`]), the ones
//! [`SlotPlan::outcome`] is built from; the bytes come from the pieces
//! [`encode_row`](super::row_frame) writes a [`Decision`](crate::eval::Decision) with
//! (its module doc says what may be written as plain bytes: only constant punctuation
//! and pieces serde_json encoded once). The tests compare these rows with the
//! reference evaluator's, written the usual way, byte for byte.

use std::io;

use super::preencoded::Preencoded;
use super::row_frame::{contribution, name, unknown, RowFrame};
use super::write::OutputFormat;
use crate::eval::{DecisionKind, SlotDecision, SlotPlan};
use crate::record::Record;

/// Writes rows of one policy straight from its slot decisions. Made by
/// [`RowEncoder::slot_rows`](super::RowEncoder::slot_rows), for the rows it would
/// write the same way.
#[derive(Debug, Clone, Copy)]
pub struct SlotRows<'a> {
    pub(super) frame: &'a RowFrame,
    pub(super) pre: &'a Preencoded,
    pub(super) plan: &'a SlotPlan,
    /// JSON (rows after `,\n`, as in an array) or JSONL (rows ending in `\n`).
    pub(super) format: OutputFormat,
}

impl SlotRows<'_> {
    /// Encodes the row of `record` (only its id and errors are read: its values are
    /// `words`), decided as `d` on `words`, as
    /// [`RowEncoder::encode_many`](super::RowEncoder::encode_many) encodes its
    /// decision.
    pub fn encode(
        &self,
        record: &Record,
        words: &[u64],
        d: &SlotDecision,
        buf: &mut Vec<u8>,
    ) -> io::Result<()> {
        buf.extend_from_slice(self.format.before_row());
        let (frame, pre, plan) = (self.frame, self.pre, self.plan);
        // An invalid record has no score (and shows no rules).
        let score = (d.kind != DecisionKind::Invalid).then_some(d.score);
        frame.head(buf, &record.id, d.kind, d.tier, score)?;
        let shown = plan.shown(d);
        for (i, r) in rules(shown.exclusions).enumerate() {
            name(buf, pre, i, r)?;
        }
        buf.extend_from_slice(&frame.reviews);
        for (i, r) in rules(shown.reviews).enumerate() {
            name(buf, pre, i, r)?;
        }
        buf.extend_from_slice(&frame.contributions);
        let mut i = 0;
        for r in rules(shown.scored) {
            let points = plan.points(r, d);
            // Computed points may come to 0: a row shows only points that count.
            if points != 0.0 {
                contribution(buf, frame, pre, i, r, points)?;
                i += 1;
            }
        }
        buf.extend_from_slice(&frame.unknown);
        for (i, r) in rules(shown.unknown).enumerate() {
            unknown(buf, frame, pre, i, r, &plan.missing(r, words, d))?;
        }
        frame.tail(buf, &record.errors)?;
        buf.extend_from_slice(self.format.after_row());
        Ok(())
    }
}

/// The rules in a bit set, in policy order.
#[inline]
fn rules(mut set: u64) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        if set == 0 {
            return None;
        }
        let r = set.trailing_zeros() as usize;
        set &= set - 1;
        Some(r)
    })
}
