//! Phase 3, eval: deciding records with a checked policy. Three-valued logic; every
//! rule's outcome is kept so that decisions can be explained.

mod decision;
mod expr;
mod numeric;
mod plan;
mod slots;
mod truth;

pub use decision::{decide, Decision, DecisionKind, RuleOutcome};
pub use expr::{eval, truth, Out, Val};
pub use plan::Plan;
pub(crate) use slots::INVALID as SLOT_INVALID;
pub use slots::{SlotDecision, SlotPlan};
pub use truth::Truth;
