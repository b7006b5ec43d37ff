//! Check errors and lints: names, types and structure of a parsed policy.

use std::fmt;
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, NamedSource, Severity, SourceCode};

use crate::source::{SourceMap, Span};

/// The kinds of problem the checker reports; each has a stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckErrorKind {
    /// A name that is no field, list or enum value here.
    UnknownField,
    /// An enum value that the field does not declare.
    UnknownEnumValue,
    /// Operand types that do not fit the operator.
    TypeMismatch,
    /// A name declared twice.
    DuplicateName,
    /// `exclude`/`review` without `because`.
    MissingBecause,
    /// Tiers whose last is not `otherwise`, or `otherwise` before the end.
    TierOtherwise,
    /// `score` outside a tier condition.
    ScoreOutsideTier,
    /// A `use` that leads back to a file being loaded.
    UseCycle,
    /// A `use` of a file that cannot be read.
    UseMissing,
    /// More used files than the limit.
    TooManyFiles,
    /// No `record`, or more than one.
    RecordCount,
    /// `key` on an optional field, or more than one key.
    KeyField,
    /// A main file without `policy` header, or a used file with one.
    Header,
    /// Tiers in a used file.
    TierInUsedFile,
    /// A test naming an unknown example, rule or tier.
    UnknownReference,
    /// A list literal holding values of different types.
    MixedList,
    /// A call of an unknown function or with the wrong number of arguments.
    BadCall,
    /// Lint: a list no rule uses.
    UnusedList,
}

impl CheckErrorKind {
    /// The stable diagnostic code.
    pub fn code(self) -> &'static str {
        match self {
            CheckErrorKind::UnknownField => "sweetspot::check::unknown_field",
            CheckErrorKind::UnknownEnumValue => "sweetspot::check::unknown_enum_value",
            CheckErrorKind::TypeMismatch => "sweetspot::check::type_mismatch",
            CheckErrorKind::DuplicateName => "sweetspot::check::duplicate_name",
            CheckErrorKind::MissingBecause => "sweetspot::check::missing_because",
            CheckErrorKind::TierOtherwise => "sweetspot::check::tier_otherwise",
            CheckErrorKind::ScoreOutsideTier => "sweetspot::check::score_outside_tier",
            CheckErrorKind::UseCycle => "sweetspot::check::use_cycle",
            CheckErrorKind::UseMissing => "sweetspot::check::use_missing",
            CheckErrorKind::TooManyFiles => "sweetspot::check::too_many_files",
            CheckErrorKind::RecordCount => "sweetspot::check::record_count",
            CheckErrorKind::KeyField => "sweetspot::check::key_optional",
            CheckErrorKind::Header => "sweetspot::check::header",
            CheckErrorKind::TierInUsedFile => "sweetspot::check::tier_in_used_file",
            CheckErrorKind::UnknownReference => "sweetspot::check::unknown_reference",
            CheckErrorKind::MixedList => "sweetspot::check::mixed_list",
            CheckErrorKind::BadCall => "sweetspot::check::bad_call",
            CheckErrorKind::UnusedList => "sweetspot::lint::unused_list",
        }
    }

    /// Whether this is a warning (a lint) rather than an error.
    pub fn is_warning(self) -> bool {
        matches!(self, CheckErrorKind::UnusedList)
    }
}

/// One problem found by the checker, with the source it points into.
#[derive(Debug, Clone)]
pub struct CheckError {
    /// What kind of problem.
    pub kind: CheckErrorKind,
    /// The message (lowercase, no final period).
    pub message: String,
    /// The label under the offending source.
    pub label: String,
    /// A hint at the fix.
    pub help: Option<String>,
    /// Where (file and bytes).
    pub span: Span,
    src: NamedSource<Arc<str>>,
}

impl CheckError {
    /// A new problem at `span`.
    pub fn new(
        sources: &SourceMap,
        kind: CheckErrorKind,
        span: Span,
        message: impl Into<String>,
        label: impl Into<String>,
    ) -> CheckError {
        CheckError {
            kind,
            message: message.into(),
            label: label.into(),
            help: None,
            span,
            src: sources.file(span.file).named_source(),
        }
    }

    /// Adds a help line.
    pub fn with_help(mut self, help: impl Into<String>) -> CheckError {
        self.help = Some(help.into());
        self
    }

    /// Adds a help line if there is one.
    pub fn with_help_opt(mut self, help: Option<String>) -> CheckError {
        self.help = help;
        self
    }
}

impl fmt::Display for CheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CheckError {}

impl Diagnostic for CheckError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.kind.code()))
    }

    fn severity(&self) -> Option<Severity> {
        Some(if self.kind.is_warning() {
            Severity::Warning
        } else {
            Severity::Error
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.src)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some(self.label.clone()),
            self.span,
        ))))
    }
}

/// "did you mean `x`?" for the closest candidate by edit distance, if close enough.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let limit = (name.chars().count() / 3).max(1) + 1;
    candidates
        .into_iter()
        .map(|c| (edit_distance(name, c), c))
        .filter(|(d, c)| {
            *d <= limit || (name.len() >= 3 && (c.starts_with(name) || name.starts_with(c)))
        })
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| format!("did you mean `{c}`?"))
}

/// Levenshtein distance over chars.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}
