//! Phase 1, syntax: text → pest pairs → AST with spans.
//!
//! Pest's generated `Rule` enum and its pairs never leave this module.

pub mod ast;
mod error;
pub mod limits;
mod lower;
mod parser;

pub use error::ParseError;

use crate::source::SourceFile;

/// Parses one policy file into its AST, or every syntax error found.
///
/// The [`limits`] hold: a file over 1 MiB or an expression nested too deeply is an
/// error, so that no text can exhaust the stack. A byte-order mark at the start is
/// ignored.
pub fn parse(source: &SourceFile) -> Result<ast::PolicyFile, Vec<ParseError>> {
    if source.text.len() > limits::MAX_FILE_BYTES {
        return Err(vec![ParseError::TooLarge {
            name: source.name.clone(),
            limit: limits::MAX_FILE_BYTES,
        }]);
    }
    if let Some((offset, len)) = limits::too_deep_nesting(&source.text) {
        return Err(vec![ParseError::TooDeep {
            what: format!(
                "more than {} levels of parentheses and `not`",
                limits::MAX_NESTING
            ),
            src: source.named_source(),
            span: (offset, len).into(),
        }]);
    }
    let mut pairs = parser::parse_pairs(source).map_err(|e| vec![e])?;
    let mut lowerer = lower::Lowerer::new(source);
    let file = match pairs.next() {
        Some(pair) => lowerer.file(pair),
        None => ast::PolicyFile {
            header: None,
            items: Vec::new(),
        },
    };
    if lowerer.errors.is_empty() {
        Ok(file)
    } else {
        Err(lowerer.errors)
    }
}
