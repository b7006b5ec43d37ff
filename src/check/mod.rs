//! Phase 2, check: loads a policy and its used files, resolves names, types every
//! expression and runs the lints. The result is a [`Policy`] ready to evaluate.

mod checker;
mod error;
mod load;
mod policy;
mod typing;
mod values;

pub use error::{did_you_mean, edit_distance, CheckError, CheckErrorKind};
pub use load::{LoadError, PolicyError};
pub use policy::*;

use std::path::Path;

/// A checked policy with the warnings found on the way.
#[derive(Debug)]
pub struct Checked {
    /// The policy.
    pub policy: Policy,
    /// Lint warnings (they do not stop the policy from loading).
    pub warnings: Vec<CheckError>,
}

/// Loads, parses and checks the policy at `path` and every file it uses.
pub fn check_path(path: &Path) -> Result<Checked, Vec<PolicyError>> {
    check_origin(load::Origin::Path(path))
}

/// Parses and checks a policy given as text; `use` paths resolve from the working folder.
pub fn check_source(name: &str, text: &str) -> Result<Checked, Vec<PolicyError>> {
    check_origin(load::Origin::Text { name, text })
}

fn check_origin(origin: load::Origin<'_>) -> Result<Checked, Vec<PolicyError>> {
    let mut errors = Vec::new();
    let loaded = load::load(origin, &mut errors);
    match loaded {
        Some(loaded) if errors.is_empty() => {
            let (policy, warnings) = checker::check(loaded)?;
            Ok(Checked { policy, warnings })
        }
        _ => Err(errors),
    }
}
