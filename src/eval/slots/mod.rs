//! Typed-slot evaluation: the fast path of the compiled plan.
//!
//! A record is held as `1 + fields` words of 8 bytes. Word 0 is the presence mask
//! (bit `f`: field `f` is present; bit 63: the record is invalid). Word `1 + f` holds
//! field `f`:
//! - a number as its `f64` bits, a bool as 0 or 1;
//! - an enum value one-hot, by its position among the field's declared values;
//! - a text one-hot, by its position among the policy's text constants (0 when it is
//!   none of them: no condition can tell such texts apart);
//! - a list of text as the OR of its items.
//!
//! So every categorical test (`==`, `in`, a bool field, `"x" in list`) is one
//! `word & mask`, and every `field OP constant` or `between` one range check. These
//! tests (the "leaves") run in branch-free loops, one per shape, and set bits in two
//! bit sets: true and unknown. A rule whose condition is one such test takes its bits
//! directly; other rules combine their leaves with a small postfix program. The
//! decision is a handful of bit sets ([`SlotDecision`]). JSON rows without
//! `--explain` are written straight from it (`io/slot_rows.rs`); the full outcome
//! list is built from it only for other rows.
//!
//! Policies with shapes not listed in `shape.rs`, or beyond the limits below, get
//! no slot plan and are decided by the compiled tree of [`super::Plan`].

mod compile;
mod decide;
mod encode;
mod expand;
mod number;
mod shape;
mod text_index;

pub use decide::SlotDecision;

use crate::syntax::ast::CompareOp;
use number::SlotNum;
use text_index::TextIndex;

/// Missing fields as a bit set.
type Mask = u64;

/// Bit 63 of the presence word: the record is invalid.
pub(crate) const INVALID: u64 = 1 << 63;
/// Fields one presence word can hold.
const MAX_FIELDS: usize = 63;
/// Rules plus the extra leaves of compound rules.
const MAX_LEAVES: usize = 64;
/// Comparisons of computed numbers (each keeps its own missing fields).
const MAX_COMPARES: usize = 8;
/// Compound rules: conditions of several leaves, or computed points.
const MAX_COMPOUNDS: usize = 16;
/// How deep a compound rule's condition may nest.
const MAX_DEPTH: usize = 16;

/// `word & mask != 0`, negated or not.
#[derive(Debug, Clone, Copy)]
struct BitLeaf {
    leaf: u8,
    field: u8,
    negated: bool,
    mask: u64,
}

/// `lo <= value <= hi`, negated or not.
#[derive(Debug, Clone, Copy)]
struct RangeLeaf {
    leaf: u8,
    field: u8,
    negated: bool,
    lo: f64,
    hi: f64,
}

/// `field is present` (or `is missing`): never unknown.
#[derive(Debug, Clone, Copy)]
struct PresenceLeaf {
    leaf: u8,
    field: u8,
    present: bool,
}

/// A comparison of two computed numbers.
#[derive(Debug, Clone)]
struct CompareLeaf {
    leaf: u8,
    op: CompareOp,
    left: SlotNum,
    right: SlotNum,
}

/// Where a leaf's missing fields come from when it is unknown.
#[derive(Debug, Clone, Copy, PartialEq)]
enum LeafMissing {
    /// Not used by any rule.
    None,
    /// One field.
    Field(u8),
    /// The comparison with this index.
    Compare(u8),
}

/// One step of a compound rule's postfix program.
#[derive(Debug, Clone, Copy)]
enum Step {
    Leaf(u8),
    Not,
    And,
    Or,
}

/// A rule that is not one leaf.
#[derive(Debug, Clone)]
struct Compound {
    rule: u8,
    /// The condition, in postfix; empty: always true.
    steps: Vec<Step>,
    /// Computed points of a score rule.
    points: Option<SlotNum>,
}

/// A score rule's points.
#[derive(Debug, Clone, Copy)]
enum Points {
    Constant(f64),
    /// Computed, at this index among the compounds.
    Computed(u8),
}

/// A tier condition.
#[derive(Debug, Clone, Copy)]
enum TierTest {
    Always,
    /// `lo <= score <= hi`, negated or not.
    Score {
        lo: f64,
        hi: f64,
        negated: bool,
    },
}

/// How a field is stored in its word.
#[derive(Debug, Clone)]
enum Encoding {
    Number,
    Bool,
    /// One-hot by position among the declared values.
    Enum(std::sync::Arc<[crate::check::EnumId]>),
    /// One-hot among the text constants.
    Text,
    /// The OR of the items' one-hot bits.
    TextList,
    /// Only its presence matters.
    PresenceOnly,
}

/// What a non-empty cell of a field turns into: worked out once per plan from the
/// field's type and encoding, so that reading a cell is one match and, for an enum
/// or a text, one lookup (see [`SlotPlan::cell_word`]).
#[derive(Debug, Clone)]
enum CellRead {
    /// A text or list of texts no test reads: the word is 0, whatever the text.
    Zero,
    /// A text: the bit of its text constant (0: none of them).
    Text,
    /// A list of texts, `;` between items: the OR of the items' bits.
    TextList,
    Number,
    Bool,
    /// An enum: the word of each declared value (one-hot, or 0 when no test reads
    /// the field); any other text is not a value of the field.
    Enum(TextIndex),
    /// Read the usual way: a list of numbers (no test reads it).
    Usual,
}

/// A policy compiled for records in slot form.
#[derive(Debug, Clone)]
pub struct SlotPlan {
    encodings: Vec<Encoding>,
    /// Fields not marked optional, as a presence mask.
    required: u64,
    /// The policy's text constants: text `i` has the word `1 << i`.
    texts: TextIndex,
    /// Per field: what a cell of it turns into.
    cells: Vec<CellRead>,
    bits: Vec<BitLeaf>,
    ranges: Vec<RangeLeaf>,
    presences: Vec<PresenceLeaf>,
    compares: Vec<CompareLeaf>,
    compounds: Vec<Compound>,
    /// Per leaf: what makes it unknown.
    leaf_missing: [LeafMissing; MAX_LEAVES],
    /// Per rule: its index among the compounds, if it is one.
    compound_of: Vec<Option<u8>>,
    /// Score rules in policy order.
    score_terms: Vec<(u8, Points)>,
    /// Score rules whose points may be other than 0.
    may_add_points: u64,
    /// Per rule: its points, if it is a score rule.
    points_of: Vec<Option<Points>>,
    /// Whether the points could add up beyond the largest number (then the sum
    /// saturates, as in the reference evaluator).
    score_may_overflow: bool,
    rule_mask: u64,
    exclude_if_true: u64,
    review_if_true: u64,
    exclude_if_unknown: u64,
    review_if_unknown: u64,
    tiers: Vec<TierTest>,
}

impl SlotPlan {
    /// Words per record: the presence mask, then one per field.
    pub fn words_per_record(&self) -> usize {
        1 + self.encodings.len()
    }

    /// The fields a record must have, as a presence mask.
    pub(crate) fn required_fields(&self) -> u64 {
        self.required
    }

    /// Number of rules.
    fn rules(&self) -> usize {
        self.compound_of.len()
    }
}
