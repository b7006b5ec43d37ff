//! Canonical formatting of policy files (placeholder until the printer lands).

use crate::syntax::ParseError;

/// Formats a policy file's text.
pub fn format_source(_name: &str, text: &str) -> Result<String, Vec<ParseError>> {
    Ok(text.to_string())
}
