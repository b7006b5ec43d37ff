//! The checked policy: names resolved to slots, every expression typed.

use std::sync::Arc;

use indexmap::IndexMap;

use crate::source::{SourceMap, Span};
use crate::syntax::ast::{ArithOp, CompareOp, MissingAction, RuleKind};

/// Index of a field in the schema (its slot in a record).
pub type FieldId = usize;

/// An interned enum value: all enum value names of a policy share one table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EnumId(pub u32);

/// A field's type.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldType {
    /// `text`.
    Text,
    /// `number`.
    Number,
    /// `bool`.
    Bool,
    /// `one of (...)`: the values in declared order.
    Enum(Arc<[EnumId]>),
    /// `list of text`.
    TextList,
    /// `list of number`.
    NumberList,
}

impl FieldType {
    /// The type as written in a policy.
    pub fn describe(&self) -> &'static str {
        match self {
            FieldType::Text => "text",
            FieldType::Number => "number",
            FieldType::Bool => "bool",
            FieldType::Enum(_) => "one of (...)",
            FieldType::TextList => "list of text",
            FieldType::NumberList => "list of number",
        }
    }
}

/// A field of the record schema.
#[derive(Debug, Clone)]
pub struct Field {
    /// Its name.
    pub name: String,
    /// Its type.
    pub ty: FieldType,
    /// Marked `?`: may be missing.
    pub optional: bool,
    /// Where it is declared.
    pub span: Span,
}

/// The record schema.
#[derive(Debug, Clone, Default)]
pub struct Schema {
    /// Fields in declared order; a field's index is its slot.
    pub fields: Vec<Field>,
    /// Name → slot.
    pub index: IndexMap<String, FieldId>,
    /// The `key` field.
    pub key: Option<FieldId>,
    /// Enum value names by [`EnumId`].
    pub enum_names: Vec<String>,
}

impl Schema {
    /// The slot of a field by name.
    pub fn field_id(&self, name: &str) -> Option<FieldId> {
        self.index.get(name).copied()
    }

    /// The name of an interned enum value.
    pub fn enum_name(&self, id: EnumId) -> &str {
        self.enum_names
            .get(id.0 as usize)
            .map_or("", String::as_str)
    }

    /// The id of an enum value name, if any enum declares it.
    pub fn enum_id(&self, name: &str) -> Option<EnumId> {
        self.enum_names
            .iter()
            .position(|n| n == name)
            .map(|i| EnumId(i as u32))
    }
}

/// A named constant list after checking.
#[derive(Debug, Clone, PartialEq)]
pub enum ConstList {
    /// Numbers.
    Numbers(Vec<f64>),
    /// Strings.
    Texts(Vec<String>),
    /// Enum values.
    Enums(Vec<EnumId>),
}

impl ConstList {
    /// How many values it holds.
    pub fn len(&self) -> usize {
        match self {
            ConstList::Numbers(v) => v.len(),
            ConstList::Texts(v) => v.len(),
            ConstList::Enums(v) => v.len(),
        }
    }

    /// Whether it holds no value.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The list on the right of `in`.
#[derive(Debug, Clone, PartialEq)]
pub enum ListRef {
    /// A literal or named list (with its name, for explanations).
    Const(Arc<ConstList>, Option<String>),
    /// A `list of` field.
    Field(FieldId),
}

/// Built-in functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    /// `min(a, b)`.
    Min,
    /// `max(a, b)`.
    Max,
    /// `clamp(x, lo, hi)`.
    Clamp,
    /// `abs(x)`.
    Abs,
    /// `lower(text)`.
    Lower,
    /// `len(list)`.
    Len,
}

/// A checked, typed expression. Fields are slots; names are gone.
#[derive(Debug, Clone, PartialEq)]
pub enum TypedExpr {
    /// A number constant.
    Number(f64),
    /// A text constant.
    Text(Arc<str>),
    /// A bool constant.
    Bool(bool),
    /// An enum value.
    Enum(EnumId),
    /// A field's value.
    Field(FieldId),
    /// The running score (tier conditions only).
    Score,
    /// Unary minus.
    Neg(Box<TypedExpr>),
    /// Arithmetic on numbers.
    Arith(ArithOp, Box<TypedExpr>, Box<TypedExpr>),
    /// `not`.
    Not(Box<TypedExpr>),
    /// `and`.
    And(Box<TypedExpr>, Box<TypedExpr>),
    /// `or`.
    Or(Box<TypedExpr>, Box<TypedExpr>),
    /// A comparison of two values of one type.
    Compare(CompareOp, Box<TypedExpr>, Box<TypedExpr>),
    /// `in` / `not in`.
    In {
        /// The value looked for.
        item: Box<TypedExpr>,
        /// The list.
        list: ListRef,
        /// `not in`.
        negated: bool,
    },
    /// `x between lo and hi`.
    Between(Box<TypedExpr>, Box<TypedExpr>, Box<TypedExpr>),
    /// `is missing` / `is present`.
    Is {
        /// The field.
        field: FieldId,
        /// `is present`.
        present: bool,
    },
    /// A function call.
    Call(Func, Vec<TypedExpr>),
    /// `len` of a constant list (folded).
    ConstLen(usize),
    /// `len` of a `list of` field.
    FieldLen(FieldId),
}

/// A checked rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Its name.
    pub name: String,
    /// Its kind.
    pub kind: RuleKind,
    /// The points of a score rule.
    pub points: Option<TypedExpr>,
    /// The condition; `None` always applies.
    pub when: Option<TypedExpr>,
    /// What an unknown condition does (the default filled in).
    pub on_missing: MissingAction,
    /// The reason.
    pub because: Option<String>,
    /// The whole rule.
    pub span: Span,
    /// The `when` condition, if any.
    pub when_span: Option<Span>,
}

/// A checked tier.
#[derive(Debug, Clone)]
pub struct Tier {
    /// Its name.
    pub name: String,
    /// Its condition; `None` for `otherwise`.
    pub when: Option<TypedExpr>,
    /// Where it is declared.
    pub span: Span,
}

/// A typed field value (in examples, tests and records).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A number.
    Number(f64),
    /// A text.
    Text(String),
    /// A bool.
    Bool(bool),
    /// An enum value.
    Enum(EnumId),
    /// A list of texts.
    TextList(Vec<String>),
    /// A list of numbers.
    NumberList(Vec<f64>),
}

/// A named example record.
#[derive(Debug, Clone)]
pub struct Example {
    /// Its name.
    pub name: String,
    /// Its values by field.
    pub values: Vec<(FieldId, Value)>,
    /// Where it is declared.
    pub span: Span,
}

/// What a test expects.
#[derive(Debug, Clone, PartialEq)]
pub enum Expect {
    /// The decision, and rules that must be among its exclusions/reviews.
    Decision(String, Vec<String>),
    /// The tier.
    Tier(String),
    /// The score.
    Score(f64),
}

/// A checked test.
#[derive(Debug, Clone)]
pub struct Test {
    /// Its description.
    pub title: String,
    /// The example it starts from.
    pub given: String,
    /// Overrides from `with { ... }`.
    pub with: Vec<(FieldId, Value)>,
    /// Expectations with their spans.
    pub expectations: Vec<(Expect, Span)>,
    /// The whole test.
    pub span: Span,
}

/// A policy that parsed and checked: ready to evaluate.
#[derive(Debug, Clone)]
pub struct Policy {
    /// `policy "NAME"`.
    pub name: String,
    /// `version N`.
    pub version: u64,
    /// The main file and every used file.
    pub sources: SourceMap,
    /// The record schema.
    pub schema: Schema,
    /// Named lists.
    pub lists: IndexMap<String, Arc<ConstList>>,
    /// Rules in policy order.
    pub rules: Vec<Rule>,
    /// Tiers in order.
    pub tiers: Vec<Tier>,
    /// Examples by name.
    pub examples: IndexMap<String, Example>,
    /// Tests in policy order.
    pub tests: Vec<Test>,
    /// SHA-256 over the policy's files, computed once at load (see [`crate::report::hash`]).
    pub hash: String,
    /// The compiled evaluation plan, built on first use.
    pub(crate) plan: std::sync::OnceLock<crate::eval::Plan>,
}
