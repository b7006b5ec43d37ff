//! The checker: declarations, names and structure of a loaded policy. Expressions
//! are typed in `typing.rs`; example values in `values.rs`.

use std::collections::HashSet;
use std::sync::Arc;

use indexmap::IndexMap;

use super::error::{did_you_mean, CheckError, CheckErrorKind};
use super::load::{Loaded, PolicyError};
use super::policy::*;
use super::typing::Ctx;
use crate::source::{SourceMap, Span};
use crate::syntax::ast::{
    Constant, ConstantKind, ExpectationKind, Item, MissingAction, Points, RuleKind, TypeExpr,
};

/// A declared list before it is typed by its use.
#[derive(Debug, Clone)]
pub(crate) enum RawList {
    Empty,
    Numbers(Vec<f64>),
    Texts(Vec<String>),
    /// Enum value names with their spans: typed where the list is used.
    Names(Vec<(String, Span)>),
}

impl RawList {
    pub(crate) fn len(&self) -> usize {
        match self {
            RawList::Empty => 0,
            RawList::Numbers(v) => v.len(),
            RawList::Texts(v) => v.len(),
            RawList::Names(v) => v.len(),
        }
    }
}

pub(crate) struct Checker<'a> {
    pub(crate) sources: &'a SourceMap,
    pub(crate) schema: Schema,
    pub(crate) lists: IndexMap<String, RawList>,
    pub(crate) used_lists: HashSet<String>,
    errors: Vec<PolicyError>,
    pub(crate) warnings: Vec<CheckError>,
}

impl<'a> Checker<'a> {
    pub(crate) fn report(&mut self, err: CheckError) {
        if err.kind.is_warning() {
            self.warnings.push(err);
        } else {
            self.errors.push(err.into());
        }
    }

    fn err(&self, kind: CheckErrorKind, span: Span, message: String, label: &str) -> CheckError {
        CheckError::new(self.sources, kind, span, message, label)
    }

    /// Reports `what NAME` declared again at `span`, first declared at `first`.
    fn duplicate(&mut self, what: &str, name: &str, span: Span, first: Span) {
        let first_at = self.sources.location(first);
        let err = self
            .err(
                CheckErrorKind::DuplicateName,
                span,
                format!("{what} `{name}` is declared twice"),
                "declared again here",
            )
            .with_help(format!(
                "{what} names are unique; first declared at {first_at}"
            ));
        self.report(err);
    }

    /// Reports a test naming an example, rule or tier that does not exist.
    fn unknown_reference<'c>(
        &mut self,
        what: &str,
        name: &crate::syntax::ast::Ident,
        candidates: impl IntoIterator<Item = &'c str>,
    ) {
        let err = self
            .err(
                CheckErrorKind::UnknownReference,
                name.span,
                format!("unknown {what} `{}`", name.text),
                &format!("no {what} of this name"),
            )
            .with_help_opt(did_you_mean(&name.text, candidates));
        self.report(err);
    }
}

/// Checks a loaded policy. Returns the policy and its warnings, or every error.
pub(crate) fn check(loaded: Loaded) -> Result<(Policy, Vec<CheckError>), Vec<PolicyError>> {
    let Loaded {
        sources,
        header,
        items,
        used_files,
    } = loaded;
    let mut checker = Checker {
        sources: &sources,
        schema: Schema::default(),
        lists: IndexMap::new(),
        used_lists: HashSet::new(),
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    let (name, version) = match &header {
        Some(h) => (h.name.value.clone(), h.version),
        None => {
            let err = checker
                .err(
                    CheckErrorKind::Header,
                    Span::default(),
                    "a policy file starts with `policy \"NAME\" version N`".to_string(),
                    "no header",
                )
                .with_help("add a first line such as `policy \"ICP FY2027\" version 1`; files without a header can only be `use`d");
            checker.report(err);
            (String::new(), 0)
        }
    };

    checker.schema_from(&items, header.as_ref().map(|h| h.span));
    checker.declare_lists(&items);
    let rules = checker.rules(&items);
    let tiers = checker.tiers(&items, &used_files);
    let examples = checker.examples(&items);
    let tests = checker.tests(&items, &rules, &tiers, &examples);

    let mut lists = IndexMap::new();
    for (name, raw) in &checker.lists {
        let list = match raw {
            RawList::Empty => ConstList::Texts(Vec::new()),
            RawList::Numbers(v) => ConstList::Numbers(v.clone()),
            RawList::Texts(v) => ConstList::Texts(v.clone()),
            RawList::Names(v) => ConstList::Enums(
                v.iter()
                    .filter_map(|(n, _)| checker.schema.enum_id(n))
                    .collect(),
            ),
        };
        lists.insert(name.clone(), Arc::new(list));
    }
    checker.lint_unused_lists(&items);

    if !checker.errors.is_empty() {
        return Err(checker.errors);
    }
    let warnings = std::mem::take(&mut checker.warnings);
    let schema = std::mem::take(&mut checker.schema);
    drop(checker);
    let hash = crate::report::hash::policy_hash(&sources);
    Ok((
        Policy {
            name,
            version,
            sources,
            schema,
            lists,
            rules,
            tiers,
            examples,
            tests,
            hash,
            plan: std::sync::OnceLock::new(),
        },
        warnings,
    ))
}

impl Checker<'_> {
    fn schema_from(&mut self, items: &[Item], header: Option<Span>) {
        let records: Vec<_> = items
            .iter()
            .filter_map(|i| match i {
                Item::Record(r) => Some(r),
                _ => None,
            })
            .collect();
        if records.is_empty() {
            let err = self
                .err(
                    CheckErrorKind::RecordCount,
                    header.unwrap_or_default(),
                    "the policy has no `record` block".to_string(),
                    "policy without a schema",
                )
                .with_help("declare the fields of a record: `record { id: text key, ... }`");
            self.report(err);
            return;
        }
        for extra in records.iter().skip(1) {
            let err = self
                .err(
                    CheckErrorKind::RecordCount,
                    extra.span,
                    "a policy has exactly one `record` block".to_string(),
                    "second record block",
                )
                .with_help("merge the fields into the first `record` block");
            self.report(err);
        }
        let record = records[0];
        for decl in &record.fields {
            if let Some(&first) = self.schema.index.get(&decl.name.text) {
                let first_at = self.sources.location(self.schema.fields[first].span);
                let err = self
                    .err(
                        CheckErrorKind::DuplicateName,
                        decl.name.span,
                        format!("field `{}` is declared twice", decl.name.text),
                        "declared again here",
                    )
                    .with_help(format!("first declared at {first_at}"));
                self.report(err);
                continue;
            }
            let ty = match &decl.ty {
                TypeExpr::Text => FieldType::Text,
                TypeExpr::Number => FieldType::Number,
                TypeExpr::Bool => FieldType::Bool,
                TypeExpr::TextList => FieldType::TextList,
                TypeExpr::NumberList => FieldType::NumberList,
                TypeExpr::Enum(values) => {
                    let mut ids: Vec<EnumId> = Vec::new();
                    for v in values {
                        let id = self.intern(&v.text);
                        if ids.contains(&id) {
                            let err = self.err(
                                CheckErrorKind::DuplicateName,
                                v.span,
                                format!("enum value `{}` is listed twice", v.text),
                                "listed again here",
                            );
                            self.report(err);
                        } else {
                            ids.push(id);
                        }
                    }
                    FieldType::Enum(ids.into())
                }
            };
            if decl.key {
                if decl.optional {
                    let err = self
                        .err(
                            CheckErrorKind::KeyField,
                            decl.span,
                            format!("the key field `{}` must not be optional", decl.name.text),
                            "optional key",
                        )
                        .with_help("remove the `?`: every record needs its key");
                    self.report(err);
                }
                if self.schema.key.is_some() {
                    let err = self
                        .err(
                            CheckErrorKind::KeyField,
                            decl.span,
                            "a record has at most one `key` field".to_string(),
                            "second key",
                        )
                        .with_help("keep `key` on the one field that identifies a record");
                    self.report(err);
                }
            }
            let id = self.schema.fields.len();
            if decl.key && self.schema.key.is_none() {
                self.schema.key = Some(id);
            }
            self.schema.fields.push(Field {
                name: decl.name.text.clone(),
                ty,
                optional: decl.optional,
                span: decl.span,
            });
            self.schema.index.insert(decl.name.text.clone(), id);
        }
    }

    fn intern(&mut self, name: &str) -> EnumId {
        match self.schema.enum_id(name) {
            Some(id) => id,
            None => {
                self.schema.enum_names.push(name.to_string());
                EnumId(self.schema.enum_names.len() as u32 - 1)
            }
        }
    }

    fn declare_lists(&mut self, items: &[Item]) {
        let mut spans: IndexMap<String, Span> = IndexMap::new();
        for item in items {
            let Item::List(list) = item else { continue };
            let name = &list.name.text;
            if let Some(first) = spans.get(name) {
                self.duplicate("list", name, list.name.span, *first);
                continue;
            }
            if self.schema.field_id(name).is_some() {
                let err = self
                    .err(
                        CheckErrorKind::DuplicateName,
                        list.name.span,
                        format!("list `{name}` has the name of a field"),
                        "same name as a field",
                    )
                    .with_help("rename the list, e.g. `".to_string() + name + "_list`");
                self.report(err);
                continue;
            }
            spans.insert(name.clone(), list.name.span);
            if let Some(raw) = self.classify_list(&list.values) {
                self.lists.insert(name.clone(), raw);
            }
        }
    }

    /// Sorts a list literal's constants into one kind, or reports mixed kinds.
    pub(crate) fn classify_list(&mut self, values: &[Constant]) -> Option<RawList> {
        let Some(first) = values.first() else {
            return Some(RawList::Empty);
        };
        let kind_name = |k: &ConstantKind| match k {
            ConstantKind::Number(_) => "a number",
            ConstantKind::Text(_) => "text",
            ConstantKind::Bool(_) => "a bool",
            ConstantKind::Name(_) => "an enum value",
            ConstantKind::List(_) => "a list",
        };
        let first_kind = std::mem::discriminant(&first.kind);
        for v in values {
            if matches!(v.kind, ConstantKind::Bool(_) | ConstantKind::List(_)) {
                let err = self.err(
                    CheckErrorKind::MixedList,
                    v.span,
                    format!(
                        "a list holds strings, numbers or enum values, not {}",
                        kind_name(&v.kind)
                    ),
                    "not allowed in a list",
                );
                self.report(err);
                return None;
            }
            if std::mem::discriminant(&v.kind) != first_kind {
                let err = self
                    .err(
                        CheckErrorKind::MixedList,
                        v.span,
                        format!(
                            "a list holds values of one type: this is {}, the first is {}",
                            kind_name(&v.kind),
                            kind_name(&first.kind)
                        ),
                        "different type",
                    )
                    .with_help("enum values are written without quotes, text with quotes");
                self.report(err);
                return None;
            }
        }
        Some(match &first.kind {
            ConstantKind::Number(_) => RawList::Numbers(
                values
                    .iter()
                    .filter_map(|v| match v.kind {
                        ConstantKind::Number(n) => Some(n),
                        _ => None,
                    })
                    .collect(),
            ),
            ConstantKind::Text(_) => RawList::Texts(
                values
                    .iter()
                    .filter_map(|v| match &v.kind {
                        ConstantKind::Text(t) => Some(t.clone()),
                        _ => None,
                    })
                    .collect(),
            ),
            _ => RawList::Names(
                values
                    .iter()
                    .filter_map(|v| match &v.kind {
                        ConstantKind::Name(n) => Some((n.clone(), v.span)),
                        _ => None,
                    })
                    .collect(),
            ),
        })
    }

    fn rules(&mut self, items: &[Item]) -> Vec<Rule> {
        let mut rules: Vec<Rule> = Vec::new();
        let mut seen: IndexMap<String, Span> = IndexMap::new();
        let ctx = Ctx { allow_score: false };
        for item in items {
            let Item::Rule(decl) = item else { continue };
            let name = &decl.name.text;
            if let Some(first) = seen.get(name) {
                self.duplicate("rule", name, decl.name.span, *first);
            } else {
                seen.insert(name.clone(), decl.name.span);
            }
            if decl.because.is_none() && decl.kind != RuleKind::Score {
                let err = self
                    .err(
                        CheckErrorKind::MissingBecause,
                        decl.name.span,
                        format!("{} rule `{name}` has no `because`", decl.kind.keyword()),
                        "reason missing",
                    )
                    .with_help("say why, for the people who read the decision: `because \"...\"`");
                self.report(err);
            }
            let when = decl.when.as_ref().and_then(|w| self.condition(w, ctx));
            let points = match &decl.points {
                Some(Points::Fixed(_, n, _)) => Some(TypedExpr::Number(*n)),
                Some(Points::Computed(e)) => self.number(e, ctx, "points"),
                None => None,
            };
            let on_missing = decl.on_missing.map(|(a, _)| a).unwrap_or(match decl.kind {
                RuleKind::Exclude | RuleKind::Review => MissingAction::Review,
                RuleKind::Score => MissingAction::Ignore,
            });
            rules.push(Rule {
                name: name.clone(),
                kind: decl.kind,
                points,
                when,
                on_missing,
                because: decl.because.as_ref().map(|b| b.value.clone()),
                span: decl.span,
                when_span: decl.when.as_ref().map(|w| w.span),
            });
        }
        rules
    }

    fn tiers(&mut self, items: &[Item], used_files: &[crate::source::FileId]) -> Vec<Tier> {
        let decls: Vec<_> = items
            .iter()
            .filter_map(|i| match i {
                Item::Tier(t) => Some(t),
                _ => None,
            })
            .collect();
        let mut tiers = Vec::new();
        let mut seen: IndexMap<String, Span> = IndexMap::new();
        let ctx = Ctx { allow_score: true };
        for (i, decl) in decls.iter().enumerate() {
            if used_files.contains(&decl.span.file) {
                let err = self
                    .err(
                        CheckErrorKind::TierInUsedFile,
                        decl.span,
                        "a used file has no tiers".to_string(),
                        "tier in a used file",
                    )
                    .with_help("tiers belong to the main policy file");
                self.report(err);
            }
            let name = &decl.name.text;
            if let Some(first) = seen.get(name) {
                self.duplicate("tier", name, decl.name.span, *first);
            } else {
                seen.insert(name.clone(), decl.name.span);
            }
            let last = i + 1 == decls.len();
            match (&decl.when, last) {
                (Some(_), true) => {
                    let err = self
                        .err(
                            CheckErrorKind::TierOtherwise,
                            decl.span,
                            "the last tier must be `otherwise`".to_string(),
                            "last tier has a condition",
                        )
                        .with_help("add a final tier for everything else, e.g. `tier C otherwise`");
                    self.report(err);
                }
                (None, false) => {
                    let err = self
                        .err(
                            CheckErrorKind::TierOtherwise,
                            decl.span,
                            "only the last tier can be `otherwise`".to_string(),
                            "tiers after this one could never be reached",
                        )
                        .with_help("move this tier to the end, or give it a `when` condition");
                    self.report(err);
                }
                _ => {}
            }
            let when = decl.when.as_ref().and_then(|w| self.condition(w, ctx));
            tiers.push(Tier {
                name: name.clone(),
                when,
                span: decl.span,
            });
        }
        tiers
    }

    fn examples(&mut self, items: &[Item]) -> IndexMap<String, Example> {
        let mut examples: IndexMap<String, Example> = IndexMap::new();
        for item in items {
            let Item::Example(decl) = item else { continue };
            let name = &decl.name.text;
            if let Some(first) = examples.get(name) {
                self.duplicate("example", name, decl.name.span, first.span);
                continue;
            }
            let values = self.field_values(&decl.fields);
            examples.insert(
                name.clone(),
                Example {
                    name: name.clone(),
                    values,
                    span: decl.span,
                },
            );
        }
        examples
    }

    fn tests(
        &mut self,
        items: &[Item],
        rules: &[Rule],
        tiers: &[Tier],
        examples: &IndexMap<String, Example>,
    ) -> Vec<Test> {
        let mut tests = Vec::new();
        for item in items {
            let Item::Test(decl) = item else { continue };
            if !examples.contains_key(&decl.given.text) {
                self.unknown_reference("example", &decl.given, examples.keys().map(String::as_str));
            }
            let with = decl
                .with
                .as_ref()
                .map(|fields| self.field_values(fields))
                .unwrap_or_default();
            let mut expectations = Vec::new();
            for exp in &decl.expectations {
                let expect = match &exp.kind {
                    ExpectationKind::Decision(word, by) => {
                        for rule in by {
                            if !rules.iter().any(|r| r.name == rule.text) {
                                self.unknown_reference(
                                    "rule",
                                    rule,
                                    rules.iter().map(|r| r.name.as_str()),
                                );
                            }
                        }
                        Expect::Decision(word.clone(), by.iter().map(|r| r.text.clone()).collect())
                    }
                    ExpectationKind::Tier(name) => {
                        if !tiers.iter().any(|t| t.name == name.text) {
                            self.unknown_reference(
                                "tier",
                                name,
                                tiers.iter().map(|t| t.name.as_str()),
                            );
                        }
                        Expect::Tier(name.text.clone())
                    }
                    ExpectationKind::Score(n) => Expect::Score(*n),
                };
                expectations.push((expect, exp.span));
            }
            tests.push(Test {
                title: decl.title.value.clone(),
                given: decl.given.text.clone(),
                with,
                expectations,
                span: decl.span,
            });
        }
        tests
    }

    fn lint_unused_lists(&mut self, items: &[Item]) {
        for item in items {
            let Item::List(list) = item else { continue };
            if !self.used_lists.contains(&list.name.text)
                && self.lists.contains_key(&list.name.text)
            {
                let err = self
                    .err(
                        CheckErrorKind::UnusedList,
                        list.name.span,
                        format!("list `{}` is never used", list.name.text),
                        "unused",
                    )
                    .with_help("use it in a rule (`x in list`) or remove it");
                self.report(err);
            }
        }
    }
}
