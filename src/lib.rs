//! sweetspot: a small policy language for deciding who a B2B company wants as a
//! customer, and an engine that applies it to every record and explains each decision.
//!
//! The pipeline runs in phases, one module each: [`syntax`] (text → AST with spans),
//! [`check`] (names, types, lints → a checked [`Policy`]), [`eval`] (decisions) and
//! [`io`] (records in, decisions out).
//!
//! # Quickstart
//!
//! ```
//! use sweetspot::Policy;
//!
//! let policy = Policy::parse("quick.icp", r#"
//!     policy "Quick" version 1
//!     record {
//!       id: text key
//!       country: text
//!       employees: number
//!     }
//!     exclude embargo when country in ["IR", "KP"] because "Embargoed country"
//!     score mid_market +10 when employees between 200 and 5000
//!     tier A when score >= 10
//!     tier B otherwise
//! "#).map_err(|errors| errors.len())?;
//!
//! let record = policy.record_from_json(&serde_json::json!(
//!     {"id": "p1", "country": "DE", "employees": 800}
//! ));
//! let decision = policy.evaluate(&record);
//! assert_eq!(decision.kind, sweetspot::DecisionKind::Qualified);
//! assert_eq!(decision.score, Some(10.0));
//! assert_eq!(policy.tier_name(&decision), Some("A"));
//! # Ok::<(), usize>(())
//! ```
#![forbid(unsafe_code)]

pub mod check;
pub mod diagnostics;
pub mod eval;
pub mod explain;
pub mod format;
pub mod io;
pub mod record;
pub mod report;
pub mod run;
pub mod source;
pub mod syntax;
pub mod testing;

use std::path::Path;

pub use check::{CheckError, Policy, PolicyError};
pub use eval::{Decision, DecisionKind, RuleOutcome, Truth};
pub use record::{FieldError, Record, RecordId};

impl Policy {
    /// Loads and checks the policy at `path` (and every file it `use`s).
    pub fn load(path: impl AsRef<Path>) -> Result<Policy, Vec<PolicyError>> {
        check::check_path(path.as_ref()).map(|c| c.policy)
    }

    /// Parses and checks a policy given as text; `name` is shown in diagnostics.
    pub fn parse(name: &str, source: &str) -> Result<Policy, Vec<PolicyError>> {
        check::check_source(name, source).map(|c| c.policy)
    }

    /// Decides one record (with the compiled plan; see [`eval::decide`] for the
    /// straightforward reference evaluator).
    pub fn evaluate(&self, record: &Record) -> Decision {
        let mut decision = Decision::empty();
        self.evaluate_into(record, &mut decision);
        decision
    }

    /// Decides one record into `decision`, reusing its buffers: the fast path for
    /// many records.
    pub fn evaluate_into(&self, record: &Record, decision: &mut Decision) {
        self.plan().decide_into(&self.rules, record, decision);
    }

    /// The compiled plan (built once, on first use).
    pub fn plan(&self) -> &eval::Plan {
        self.plan.get_or_init(|| eval::Plan::compile(self))
    }

    /// Builds a record from a JSON object (`null` or an absent key is missing).
    pub fn record_from_json(&self, value: &serde_json::Value) -> Record {
        io::record_from_json(&self.schema, value, 1, None, io::ReadOptions::default())
    }

    /// Builds a record from CSV-style cells: `(column, cell)` pairs, an empty cell missing.
    pub fn record_from_cells<'a>(
        &self,
        cells: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Record {
        let mut builder = io::RecordBuilder::new(&self.schema, 1, None);
        for (column, cell) in cells {
            if let Some(id) = self.schema.field_id(column) {
                builder.set_text(id, cell);
            }
        }
        builder.finish()
    }

    /// The name of a decision's tier.
    pub fn tier_name(&self, decision: &Decision) -> Option<&str> {
        decision.tier.map(|t| self.tiers[t].name.as_str())
    }

    /// The decision as the contract's JSON object.
    pub fn decision_json(&self, decision: &Decision) -> serde_json::Value {
        serde_json::to_value(io::DecisionRow {
            policy: self,
            decision,
            outcomes: None,
        })
        .unwrap_or(serde_json::Value::Null)
    }
}
