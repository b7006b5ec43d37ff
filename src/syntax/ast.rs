//! The abstract syntax tree of one policy file. Every node carries a [`Span`];
//! names are not resolved and types are not checked yet (that is `check`'s job).

use crate::source::Span;

/// A name as written, with where it stands.
#[derive(Debug, Clone, PartialEq)]
pub struct Ident {
    /// The name.
    pub text: String,
    /// Where it stands.
    pub span: Span,
}

/// A string literal's decoded value, with where it stands.
#[derive(Debug, Clone, PartialEq)]
pub struct StringLit {
    /// The text with escapes decoded.
    pub value: String,
    /// Where the literal (with quotes) stands.
    pub span: Span,
}

/// One parsed file.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyFile {
    /// `policy "NAME" version N`; used files have none.
    pub header: Option<Header>,
    /// The items in source order.
    pub items: Vec<Item>,
}

/// `policy "NAME" version N`.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    /// The policy's name.
    pub name: StringLit,
    /// Its version number.
    pub version: u64,
    /// The whole header.
    pub span: Span,
}

/// A top-level item.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// `use "PATH"`.
    Use(StringLit, Span),
    /// `record { ... }`.
    Record(RecordDecl),
    /// `list NAME = [...]`.
    List(ListDecl),
    /// `exclude`, `review` or `score`.
    Rule(RuleDecl),
    /// `tier NAME when COND` / `tier NAME otherwise`.
    Tier(TierDecl),
    /// `example NAME { ... }`.
    Example(ExampleDecl),
    /// `test "TEXT" { ... }`.
    Test(TestDecl),
}

impl Item {
    /// The span of the whole item.
    pub fn span(&self) -> Span {
        match self {
            Item::Use(_, span) => *span,
            Item::Record(r) => r.span,
            Item::List(l) => l.span,
            Item::Rule(r) => r.span,
            Item::Tier(t) => t.span,
            Item::Example(e) => e.span,
            Item::Test(t) => t.span,
        }
    }
}

/// The record schema.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordDecl {
    /// Its fields in order.
    pub fields: Vec<FieldDecl>,
    /// The whole block.
    pub span: Span,
}

/// `NAME: TYPE [?] [key]`.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldDecl {
    /// The field's name.
    pub name: Ident,
    /// Its type.
    pub ty: TypeExpr,
    /// Marked `?`.
    pub optional: bool,
    /// Marked `key`.
    pub key: bool,
    /// The whole declaration.
    pub span: Span,
}

/// A field type as written.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeExpr {
    /// `text`.
    Text,
    /// `number`.
    Number,
    /// `bool`.
    Bool,
    /// `one of (a, b, ...)`.
    Enum(Vec<Ident>),
    /// `list of text`.
    TextList,
    /// `list of number`.
    NumberList,
}

/// `list NAME = [...]`.
#[derive(Debug, Clone, PartialEq)]
pub struct ListDecl {
    /// The list's name.
    pub name: Ident,
    /// Its values.
    pub values: Vec<Constant>,
    /// The whole item.
    pub span: Span,
}

/// A constant in a list literal, an example or a `with` block.
#[derive(Debug, Clone, PartialEq)]
pub enum ConstantKind {
    /// A number (negative ones written `-5`).
    Number(f64),
    /// A string.
    Text(String),
    /// `true` / `false`.
    Bool(bool),
    /// A bare name: an enum value.
    Name(String),
    /// A list literal (only in examples).
    List(Vec<Constant>),
}

/// A constant with its span.
#[derive(Debug, Clone, PartialEq)]
pub struct Constant {
    /// What it is.
    pub kind: ConstantKind,
    /// Where it stands.
    pub span: Span,
}

/// The three kinds of rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RuleKind {
    /// A hard no-go.
    Exclude,
    /// Needs a human decision.
    Review,
    /// A weighted preference.
    Score,
}

impl RuleKind {
    /// The keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            RuleKind::Exclude => "exclude",
            RuleKind::Review => "review",
            RuleKind::Score => "score",
        }
    }
}

/// What an unknown condition does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MissingAction {
    /// Exclude the record.
    Exclude,
    /// Send it to a person.
    Review,
    /// Nothing (a score rule adds 0).
    Ignore,
}

impl MissingAction {
    /// The keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            MissingAction::Exclude => "exclude",
            MissingAction::Review => "review",
            MissingAction::Ignore => "ignore",
        }
    }
}

/// `exclude|review|score NAME ...`.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleDecl {
    /// Its kind.
    pub kind: RuleKind,
    /// Its name.
    pub name: Ident,
    /// The points of a score rule.
    pub points: Option<Points>,
    /// `when COND`.
    pub when: Option<Expr>,
    /// `on missing ACTION`.
    pub on_missing: Option<(MissingAction, Span)>,
    /// `because "TEXT"`.
    pub because: Option<StringLit>,
    /// The whole item.
    pub span: Span,
}

/// A score rule's points.
#[derive(Debug, Clone, PartialEq)]
pub enum Points {
    /// `+30`, `-20`, `5`: the sign as written (`None` without one) and the value.
    Fixed(Option<char>, f64, Span),
    /// `(EXPR)`.
    Computed(Expr),
}

/// A tier.
#[derive(Debug, Clone, PartialEq)]
pub struct TierDecl {
    /// Its name.
    pub name: Ident,
    /// `when COND`; `None` for `otherwise`.
    pub when: Option<Expr>,
    /// The whole item.
    pub span: Span,
}

/// `example NAME { ... }`.
#[derive(Debug, Clone, PartialEq)]
pub struct ExampleDecl {
    /// Its name.
    pub name: Ident,
    /// Its fields.
    pub fields: Vec<FieldValue>,
    /// The whole item.
    pub span: Span,
}

/// `FIELD: VALUE` in an example or a `with` block.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldValue {
    /// The field's name.
    pub name: Ident,
    /// The value.
    pub value: Constant,
    /// The whole pair.
    pub span: Span,
}

/// `test "TEXT" { ... }`.
#[derive(Debug, Clone, PartialEq)]
pub struct TestDecl {
    /// The test's description.
    pub title: StringLit,
    /// `given NAME`.
    pub given: Ident,
    /// `with { ... }`, if any.
    pub with: Option<Vec<FieldValue>>,
    /// Span of the `given ... [with {...}]` line.
    pub given_span: Span,
    /// The expectations in order.
    pub expectations: Vec<Expectation>,
    /// The whole item.
    pub span: Span,
}

/// One `expect ...`.
#[derive(Debug, Clone, PartialEq)]
pub enum ExpectationKind {
    /// `expect qualified|review|excluded|invalid [by RULE, ...]`.
    Decision(String, Vec<Ident>),
    /// `expect tier NAME`.
    Tier(Ident),
    /// `expect score N`.
    Score(f64),
}

/// An expectation with its span.
#[derive(Debug, Clone, PartialEq)]
pub struct Expectation {
    /// What is expected.
    pub kind: ExpectationKind,
    /// Where it stands.
    pub span: Span,
}

/// An expression with its span.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where it stands.
    pub span: Span,
}

/// Arithmetic operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArithOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
}

impl ArithOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
            ArithOp::Mul => "*",
            ArithOp::Div => "/",
        }
    }
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CompareOp {
    /// The operator that compares the same two operands the other way round
    /// (`a < b` is `b > a`).
    pub fn flipped(self) -> CompareOp {
        match self {
            CompareOp::Lt => CompareOp::Gt,
            CompareOp::Le => CompareOp::Ge,
            CompareOp::Gt => CompareOp::Lt,
            CompareOp::Ge => CompareOp::Le,
            same => same,
        }
    }

    /// Whether `a OP b` holds for two numbers.
    pub fn holds(self, a: f64, b: f64) -> bool {
        match self {
            CompareOp::Eq => a == b,
            CompareOp::Ne => a != b,
            CompareOp::Lt => a < b,
            CompareOp::Le => a <= b,
            CompareOp::Gt => a > b,
            CompareOp::Ge => a >= b,
        }
    }

    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            CompareOp::Eq => "==",
            CompareOp::Ne => "!=",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
        }
    }
}

/// Logical connectives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogicOp {
    /// `and`
    And,
    /// `or`
    Or,
}

/// The kinds of expression.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A number literal.
    Number(f64),
    /// A string literal.
    Text(String),
    /// `true` / `false`.
    Bool(bool),
    /// A bare name: a field, a list or an enum value.
    Name(String),
    /// `score`, the running total.
    Score,
    /// `[a, b, ...]`.
    List(Vec<Expr>),
    /// Unary minus.
    Neg(Box<Expr>),
    /// `not`.
    Not(Box<Expr>),
    /// `+ - * /`.
    Arith(ArithOp, Box<Expr>, Box<Expr>),
    /// `and` / `or`.
    Logic(LogicOp, Box<Expr>, Box<Expr>),
    /// `== != < <= > >=`.
    Compare(CompareOp, Box<Expr>, Box<Expr>),
    /// `X in L` / `X not in L`.
    In {
        /// The value looked for.
        item: Box<Expr>,
        /// The list.
        list: Box<Expr>,
        /// `not in`.
        negated: bool,
    },
    /// `X between A and B`.
    Between(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `F is missing` (`present: false`) / `F is present`.
    Is {
        /// The field.
        field: Ident,
        /// `is present`.
        present: bool,
    },
    /// `f(a, ...)`.
    Call(Ident, Vec<Expr>),
}
