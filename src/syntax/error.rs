//! Syntax errors: what the parser could not read, with human names for what it expected.

use std::sync::Arc;

use miette::{Diagnostic, NamedSource, SourceSpan};
use thiserror::Error;

use super::parser::Rule;

/// An error found while reading the text of a policy file.
#[derive(Debug, Error, Diagnostic)]
pub enum ParseError {
    /// The text does not follow the grammar.
    #[error("{message}")]
    #[diagnostic(code(sweetspot::syntax::invalid))]
    Invalid {
        /// What went wrong.
        message: String,
        /// The file.
        #[source_code]
        src: NamedSource<Arc<str>>,
        /// Where.
        #[label("{label}")]
        span: SourceSpan,
        /// The label text.
        label: String,
        /// A hint.
        #[help]
        help: Option<String>,
    },
    /// `a < b < c`.
    #[error("comparisons do not chain")]
    #[diagnostic(
        code(sweetspot::syntax::chained_comparison),
        help("compare two values at a time and join them with `and`, e.g. `a < b and b < c`")
    )]
    ChainedComparison {
        /// The file.
        #[source_code]
        src: NamedSource<Arc<str>>,
        /// The second comparison.
        #[label("a second comparison follows the first")]
        span: SourceSpan,
    },
    /// `is missing` / `is present` after something that is not a field name.
    #[error("`is {word}` takes a field name")]
    #[diagnostic(
        code(sweetspot::syntax::is_operand),
        help("write the field's name before `is {word}`, e.g. `nps is {word}`")
    )]
    IsOperand {
        /// `missing` or `present`.
        word: &'static str,
        /// The file.
        #[source_code]
        src: NamedSource<Arc<str>>,
        /// The operand.
        #[label("not a field name")]
        span: SourceSpan,
    },
    /// A number too large to represent.
    #[error("number `{text}` is out of range")]
    #[diagnostic(code(sweetspot::syntax::number_range))]
    NumberRange {
        /// The number as written.
        text: String,
        /// The file.
        #[source_code]
        src: NamedSource<Arc<str>>,
        /// Where.
        #[label("too large")]
        span: SourceSpan,
    },
    /// A policy file larger than [`super::limits::MAX_FILE_BYTES`].
    #[error("policy file `{name}` is larger than {limit} bytes (1 MiB), the limit")]
    #[diagnostic(
        code(sweetspot::syntax::too_large),
        help("split the policy into several files joined with `use`")
    )]
    TooLarge {
        /// The file's name.
        name: String,
        /// The limit in bytes.
        limit: usize,
    },
    /// An expression nested deeper than the parser, checker or evaluator allow.
    #[error("expression is nested too deeply: {what}")]
    #[diagnostic(
        code(sweetspot::syntax::too_deep),
        help("split the condition into several rules, or use a list with `in` instead of a long chain of `or`s")
    )]
    TooDeep {
        /// Which limit, in words.
        what: String,
        /// The file.
        #[source_code]
        src: NamedSource<Arc<str>>,
        /// Where the limit was passed.
        #[label("too deep here")]
        span: SourceSpan,
    },
}

/// A human name for what a grammar rule stands for, used in "expected ..." messages.
pub(crate) fn describe(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::EOI => "end of file",
        Rule::header => "`policy \"NAME\" version N`",
        Rule::use_item
        | Rule::record_item
        | Rule::list_item
        | Rule::rule_item
        | Rule::tier_item
        | Rule::example_item
        | Rule::test_item => {
            "an item (`use`, `record`, `list`, `exclude`, `review`, `score`, `tier`, `example`, `test`)"
        }
        Rule::field_decl => "a field declaration (`name: type`)",
        Rule::field_type => "a type (`text`, `number`, `bool`, `one of (...)`, `list of text`, `list of number`)",
        Rule::optional_mark => "`?`",
        Rule::key_mark | Rule::k_key => "`key`",
        Rule::name => "a name (lowercase letters, digits, `_`)",
        Rule::tier_name => "a tier name",
        Rule::number | Rule::integer => "a number",
        Rule::signed_number => "points (`+30`, `-20`, `5` or `(expression)`)",
        Rule::points => "points (`+30`, `-20`, `5` or `(expression)`)",
        Rule::string | Rule::string_body => "a string in double quotes",
        Rule::list_literal => "a list `[...]`",
        Rule::constant | Rule::value_literal | Rule::negative_number => {
            "a constant (number, string, `true`, `false` or enum value)"
        }
        Rule::record_literal => "`{`",
        Rule::field_value => "a field value (`name: value`)",
        Rule::when_clause | Rule::k_when => "`when`",
        Rule::missing_clause | Rule::k_on => "`on missing`",
        Rule::because_clause | Rule::k_because => "`because`",
        Rule::missing_action => "`exclude`, `review` or `ignore`",
        Rule::expectation | Rule::k_expect => "`expect`",
        Rule::expect_decision | Rule::decision_word => {
            "`qualified`, `review`, `excluded` or `invalid`"
        }
        Rule::expect_tier => "`tier`",
        Rule::expect_score => "`score`",
        Rule::given | Rule::k_given => "`given`",
        Rule::expr
        | Rule::or_expr
        | Rule::and_expr
        | Rule::not_expr
        | Rule::negation
        | Rule::comparison
        | Rule::sum
        | Rule::product
        | Rule::unary
        | Rule::primary
        | Rule::call
        | Rule::score_ref
        | Rule::minus => "an expression",
        Rule::compare_op | Rule::compare_op_tail => "a comparison (`==`, `<`, ...)",
        Rule::in_tail | Rule::k_in => "`in`",
        Rule::not_in_tail => "`not in`",
        Rule::between_tail | Rule::k_between => "`between`",
        Rule::is_tail | Rule::k_is => "`is`",
        Rule::add_op => "`+` or `-`",
        Rule::mul_op => "`*` or `/`",
        Rule::sign => "`+` or `-`",
        Rule::k_policy => "`policy`",
        Rule::k_version => "`version`",
        Rule::k_use => "`use`",
        Rule::k_record => "`record`",
        Rule::k_one => "`one of`",
        Rule::k_of => "`of`",
        Rule::k_list => "`list`",
        Rule::k_bool => "`bool`",
        Rule::k_text => "`text`",
        Rule::k_number => "`number`",
        Rule::k_exclude => "`exclude`",
        Rule::k_review => "`review`",
        Rule::k_score => "`score`",
        Rule::k_missing => "`missing`",
        Rule::k_ignore => "`ignore`",
        Rule::k_tier => "`tier`",
        Rule::k_otherwise => "`otherwise`",
        Rule::k_example => "`example`",
        Rule::k_test => "`test`",
        Rule::k_with => "`with`",
        Rule::k_by => "`by`",
        Rule::k_and => "`and`",
        Rule::k_or => "`or`",
        Rule::k_not => "`not`",
        Rule::k_present => "`present`",
        Rule::k_true | Rule::k_false => "`true` or `false`",
        _ => return None,
    })
}
