//! Phase 1, syntax: text → pest pairs → AST with spans.
//!
//! Pest's generated `Rule` enum and its pairs never leave this module.

pub mod ast;
mod error;
mod lower;
mod parser;

pub use error::ParseError;

use crate::source::SourceFile;

/// Parses one policy file into its AST, or every syntax error found.
pub fn parse(source: &SourceFile) -> Result<ast::PolicyFile, Vec<ParseError>> {
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
