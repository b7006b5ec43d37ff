//! Lowering: pest pairs to the AST, one function per grammar rule.

use pest::iterators::Pair;

use super::ast::*;
use super::error::ParseError;
use super::limits::MAX_EXPR_DEPTH;
use super::parser::Rule;
use crate::source::{FileId, SourceFile, Span};

/// Converts pairs of one file into AST nodes, collecting every lowering error.
pub(crate) struct Lowerer<'s> {
    source: &'s SourceFile,
    pub(crate) errors: Vec<ParseError>,
    /// Whether the current expression's depth error was reported already.
    reported_deep: bool,
}

type P<'i> = Pair<'i, Rule>;

fn is_keyword(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::k_policy
            | Rule::k_version
            | Rule::k_use
            | Rule::k_record
            | Rule::k_one
            | Rule::k_of
            | Rule::k_list
            | Rule::k_exclude
            | Rule::k_review
            | Rule::k_score
            | Rule::k_when
            | Rule::k_because
            | Rule::k_on
            | Rule::k_missing
            | Rule::k_tier
            | Rule::k_example
            | Rule::k_test
            | Rule::k_given
            | Rule::k_with
            | Rule::k_expect
            | Rule::k_by
            | Rule::k_and
            | Rule::k_or
            | Rule::k_not
            | Rule::k_in
            | Rule::k_between
            | Rule::k_is
    )
}

/// The children of a pair without the punctuation keywords.
fn parts(pair: P<'_>) -> impl Iterator<Item = P<'_>> {
    pair.into_inner().filter(|p| !is_keyword(p.as_rule()))
}

impl<'s> Lowerer<'s> {
    pub(crate) fn new(source: &'s SourceFile) -> Lowerer<'s> {
        Lowerer {
            source,
            errors: Vec::new(),
            reported_deep: false,
        }
    }

    fn file_id(&self) -> FileId {
        self.source.id
    }

    fn span(&self, pair: &P<'_>) -> Span {
        let s = pair.as_span();
        // Pest may count the white space after a rule's last token as part of it.
        let end = s.start() + s.as_str().trim_end().len();
        Span::new(self.file_id(), s.start(), end)
    }

    fn ident(&self, pair: P<'_>) -> Ident {
        Ident {
            text: pair.as_str().to_string(),
            span: self.span(&pair),
        }
    }

    pub(crate) fn file(&mut self, pair: P<'_>) -> PolicyFile {
        let mut header = None;
        let mut items = Vec::new();
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::header => header = Some(self.header(part)),
                Rule::EOI => {}
                _ => items.push(self.item(part)),
            }
        }
        PolicyFile { header, items }
    }

    fn header(&mut self, pair: P<'_>) -> Header {
        let span = self.span(&pair);
        let mut name = None;
        let mut version = 0;
        for part in parts(pair) {
            match part.as_rule() {
                Rule::string => name = Some(self.string(part)),
                _ => {
                    let text = part.as_str();
                    version = text.parse().unwrap_or_else(|_| {
                        self.errors.push(ParseError::NumberRange {
                            text: shorten(text),
                            src: self.source.named_source(),
                            span: self.span(&part).into(),
                        });
                        0
                    });
                }
            }
        }
        Header {
            name: name.unwrap_or(StringLit {
                value: String::new(),
                span,
            }),
            version,
            span,
        }
    }

    fn item(&mut self, pair: P<'_>) -> Item {
        let span = self.span(&pair);
        match pair.as_rule() {
            Rule::use_item => {
                let string = parts(pair).next().map(|p| self.string(p));
                Item::Use(
                    string.unwrap_or(StringLit {
                        value: String::new(),
                        span,
                    }),
                    span,
                )
            }
            Rule::record_item => Item::Record(RecordDecl {
                fields: parts(pair).map(|p| self.field_decl(p)).collect(),
                span,
            }),
            Rule::list_item => {
                let mut it = parts(pair);
                let name = it.next().map(|p| self.ident(p));
                let values = it.next().map(|p| self.list_literal(p)).unwrap_or_default();
                Item::List(ListDecl {
                    name: name.unwrap_or_else(|| self.missing_ident(span)),
                    values,
                    span,
                })
            }
            Rule::rule_item => Item::Rule(self.rule(pair)),
            Rule::tier_item => {
                let mut name = None;
                let mut when = None;
                for part in parts(pair) {
                    match part.as_rule() {
                        Rule::tier_name => name = Some(self.ident(part)),
                        Rule::when_clause => when = self.when_clause(part),
                        _ => {}
                    }
                }
                Item::Tier(TierDecl {
                    name: name.unwrap_or_else(|| self.missing_ident(span)),
                    when,
                    span,
                })
            }
            Rule::example_item => {
                let mut it = parts(pair);
                let name = it.next().map(|p| self.ident(p));
                let fields = it
                    .next()
                    .map(|p| self.record_literal(p))
                    .unwrap_or_default();
                Item::Example(ExampleDecl {
                    name: name.unwrap_or_else(|| self.missing_ident(span)),
                    fields,
                    span,
                })
            }
            _ => Item::Test(self.test(pair)),
        }
    }

    fn missing_ident(&self, span: Span) -> Ident {
        Ident {
            text: String::new(),
            span,
        }
    }

    fn field_decl(&mut self, pair: P<'_>) -> FieldDecl {
        let span = self.span(&pair);
        let mut name = None;
        let mut ty = TypeExpr::Text;
        let mut optional = false;
        let mut key = false;
        for part in parts(pair) {
            match part.as_rule() {
                Rule::name => name = Some(self.ident(part)),
                Rule::field_type => ty = self.field_type(part),
                Rule::optional_mark => optional = true,
                Rule::key_mark => key = true,
                _ => {}
            }
        }
        FieldDecl {
            name: name.unwrap_or_else(|| self.missing_ident(span)),
            ty,
            optional,
            key,
            span,
        }
    }

    fn field_type(&mut self, pair: P<'_>) -> TypeExpr {
        let Some(inner) = parts(pair).next() else {
            return TypeExpr::Text;
        };
        match inner.as_rule() {
            Rule::k_number => TypeExpr::Number,
            Rule::k_bool => TypeExpr::Bool,
            Rule::enum_type => TypeExpr::Enum(parts(inner).map(|p| self.ident(p)).collect()),
            Rule::list_type => {
                if parts(inner).any(|p| p.as_rule() == Rule::k_number) {
                    TypeExpr::NumberList
                } else {
                    TypeExpr::TextList
                }
            }
            _ => TypeExpr::Text,
        }
    }

    fn rule(&mut self, pair: P<'_>) -> RuleDecl {
        let span = self.span(&pair);
        let mut kind = RuleKind::Exclude;
        let mut name = None;
        let mut points = None;
        let mut when = None;
        let mut on_missing = None;
        let mut because = None;
        for part in parts(pair) {
            match part.as_rule() {
                Rule::exclude_head | Rule::review_head | Rule::score_head => {
                    kind = match part.as_rule() {
                        Rule::exclude_head => RuleKind::Exclude,
                        Rule::review_head => RuleKind::Review,
                        _ => RuleKind::Score,
                    };
                    for head in parts(part) {
                        match head.as_rule() {
                            Rule::name => name = Some(self.ident(head)),
                            Rule::points => points = Some(self.points(head)),
                            _ => {}
                        }
                    }
                }
                Rule::when_clause => when = self.when_clause(part),
                Rule::missing_clause => {
                    let clause_span = self.span(&part);
                    let action = parts(part)
                        .find(|p| p.as_rule() == Rule::missing_action)
                        .map(|p| match p.as_str() {
                            "exclude" => MissingAction::Exclude,
                            "review" => MissingAction::Review,
                            _ => MissingAction::Ignore,
                        });
                    on_missing = action.map(|a| (a, clause_span));
                }
                Rule::because_clause => because = parts(part).next().map(|p| self.string(p)),
                _ => {}
            }
        }
        RuleDecl {
            kind,
            name: name.unwrap_or_else(|| self.missing_ident(span)),
            points,
            when,
            on_missing,
            because,
            span,
        }
    }

    fn points(&mut self, pair: P<'_>) -> Points {
        let Some(inner) = parts(pair).next() else {
            return Points::Fixed(None, 0.0, Span::default());
        };
        if inner.as_rule() == Rule::signed_number {
            let span = self.span(&inner);
            let mut sign = None;
            let mut value = 0.0;
            for part in parts(inner) {
                match part.as_rule() {
                    Rule::sign => sign = part.as_str().chars().next(),
                    _ => value = self.number(&part),
                }
            }
            if sign == Some('-') {
                value = -value;
            }
            Points::Fixed(sign, value, span)
        } else {
            Points::Computed(self.expr(inner))
        }
    }

    fn when_clause(&mut self, pair: P<'_>) -> Option<Expr> {
        parts(pair).next().map(|p| self.expr(p))
    }

    fn test(&mut self, pair: P<'_>) -> TestDecl {
        let span = self.span(&pair);
        let mut title = None;
        let mut given = None;
        let mut with = None;
        let mut given_span = span;
        let mut expectations = Vec::new();
        for part in parts(pair) {
            match part.as_rule() {
                Rule::string => title = Some(self.string(part)),
                Rule::given => {
                    given_span = self.span(&part);
                    for g in parts(part) {
                        match g.as_rule() {
                            Rule::name => given = Some(self.ident(g)),
                            Rule::record_literal => with = Some(self.record_literal(g)),
                            _ => {}
                        }
                    }
                }
                Rule::expectation => expectations.push(self.expectation(part)),
                _ => {}
            }
        }
        TestDecl {
            title: title.unwrap_or(StringLit {
                value: String::new(),
                span,
            }),
            given: given.unwrap_or_else(|| self.missing_ident(span)),
            with,
            given_span,
            expectations,
            span,
        }
    }

    fn expectation(&mut self, pair: P<'_>) -> Expectation {
        let span = self.span(&pair);
        let kind = match parts(pair).next() {
            Some(inner) if inner.as_rule() == Rule::expect_tier => {
                let name = parts(inner).find(|p| p.as_rule() == Rule::tier_name);
                ExpectationKind::Tier(
                    name.map(|p| self.ident(p))
                        .unwrap_or_else(|| self.missing_ident(span)),
                )
            }
            Some(inner) if inner.as_rule() == Rule::expect_score => {
                let value = parts(inner)
                    .find(|p| p.as_rule() == Rule::signed_number)
                    .map(|p| self.signed_number(p))
                    .unwrap_or(0.0);
                ExpectationKind::Score(value)
            }
            Some(inner) => {
                let mut word = String::new();
                let mut rules = Vec::new();
                for part in parts(inner) {
                    match part.as_rule() {
                        Rule::decision_word => word = part.as_str().to_string(),
                        Rule::name => rules.push(self.ident(part)),
                        _ => {}
                    }
                }
                ExpectationKind::Decision(word, rules)
            }
            None => ExpectationKind::Decision(String::new(), Vec::new()),
        };
        Expectation { kind, span }
    }

    fn signed_number(&mut self, pair: P<'_>) -> f64 {
        let mut negative = false;
        let mut value = 0.0;
        for part in parts(pair) {
            match part.as_rule() {
                Rule::sign => negative = part.as_str() == "-",
                _ => value = self.number(&part),
            }
        }
        if negative {
            -value
        } else {
            value
        }
    }

    fn record_literal(&mut self, pair: P<'_>) -> Vec<FieldValue> {
        parts(pair)
            .map(|field| {
                let span = self.span(&field);
                let mut it = parts(field);
                let name = it.next().map(|p| self.ident(p));
                let value = it
                    .next()
                    .and_then(|p| parts(p).next())
                    .map(|p| self.value_literal(p));
                FieldValue {
                    name: name.unwrap_or_else(|| self.missing_ident(span)),
                    value: value.unwrap_or(Constant {
                        kind: ConstantKind::Bool(false),
                        span,
                    }),
                    span,
                }
            })
            .collect()
    }

    fn value_literal(&mut self, pair: P<'_>) -> Constant {
        if pair.as_rule() == Rule::list_literal {
            let span = self.span(&pair);
            Constant {
                kind: ConstantKind::List(self.list_literal(pair)),
                span,
            }
        } else {
            self.constant(pair)
        }
    }

    fn list_literal(&mut self, pair: P<'_>) -> Vec<Constant> {
        parts(pair).map(|p| self.constant(p)).collect()
    }

    fn constant(&mut self, pair: P<'_>) -> Constant {
        let span = self.span(&pair);
        let inner = if pair.as_rule() == Rule::constant {
            match parts(pair).next() {
                Some(inner) => inner,
                None => {
                    return Constant {
                        kind: ConstantKind::Bool(false),
                        span,
                    }
                }
            }
        } else {
            pair
        };
        let kind = match inner.as_rule() {
            Rule::negative_number => {
                let n = parts(inner).next().map(|p| self.number(&p)).unwrap_or(0.0);
                ConstantKind::Number(-n)
            }
            Rule::number => ConstantKind::Number(self.number(&inner)),
            Rule::string => ConstantKind::Text(self.string(inner).value),
            Rule::k_true => ConstantKind::Bool(true),
            Rule::k_false => ConstantKind::Bool(false),
            _ => ConstantKind::Name(inner.as_str().to_string()),
        };
        Constant { kind, span }
    }

    fn number(&mut self, pair: &P<'_>) -> f64 {
        let cleaned: String = pair.as_str().chars().filter(|c| *c != '_').collect();
        match cleaned.parse::<f64>() {
            Ok(n) if n.is_finite() => n,
            _ => {
                self.errors.push(ParseError::NumberRange {
                    text: shorten(pair.as_str()),
                    src: self.source.named_source(),
                    span: self.span(pair).into(),
                });
                0.0
            }
        }
    }

    fn string(&mut self, pair: P<'_>) -> StringLit {
        let span = self.span(&pair);
        let body = pair.into_inner().next().map_or("", |p| p.as_str());
        let mut value = String::with_capacity(body.len());
        let mut chars = body.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some('n') => value.push('\n'),
                    Some(other) => value.push(other),
                    None => {}
                }
            } else {
                value.push(c);
            }
        }
        StringLit { value, span }
    }

    // ------------------------------------------------------------ expressions

    /// Lowers a whole expression (a `when`, computed points, a call argument ...).
    pub(crate) fn expr(&mut self, pair: P<'_>) -> Expr {
        self.reported_deep = false;
        self.lower(pair).0
    }

    /// Builds a node whose deepest child is `child_depth` deep. A node past
    /// [`MAX_EXPR_DEPTH`] is reported (once per expression, pointing at `label`, the
    /// operator or operand that went too deep) and replaced by a placeholder, so no tree
    /// deeper than the limit is ever built.
    fn node(
        &mut self,
        kind: ExprKind,
        span: Span,
        label: Span,
        child_depth: usize,
    ) -> (Expr, usize) {
        let depth = child_depth + 1;
        if depth <= MAX_EXPR_DEPTH {
            return (Expr { kind, span }, depth);
        }
        if !self.reported_deep {
            self.reported_deep = true;
            self.errors.push(ParseError::TooDeep {
                what: format!(
                    "more than {MAX_EXPR_DEPTH} operators and nesting levels in one expression"
                ),
                src: self.source.named_source(),
                span: label.into(),
            });
        }
        (self.error_expr(span), 1)
    }

    /// Lowers an expression pair and returns it with its depth.
    fn lower(&mut self, pair: P<'_>) -> (Expr, usize) {
        let span = self.span(&pair);
        match pair.as_rule() {
            Rule::expr | Rule::not_expr => match parts(pair).next() {
                Some(inner) => self.lower(inner),
                None => (self.error_expr(span), 1),
            },
            Rule::or_expr | Rule::and_expr => {
                let op = if pair.as_rule() == Rule::or_expr {
                    LogicOp::Or
                } else {
                    LogicOp::And
                };
                self.left_fold(pair, |_, lhs, rhs| {
                    ExprKind::Logic(op, Box::new(lhs), Box::new(rhs))
                })
            }
            Rule::negation => {
                let (inner, depth) = match parts(pair).next() {
                    Some(p) => self.lower(p),
                    None => (self.error_expr(span), 1),
                };
                let label = Span::new(span.file, span.start, span.start + 3);
                self.node(ExprKind::Not(Box::new(inner)), span, label, depth)
            }
            Rule::comparison => self.comparison(pair),
            Rule::sum | Rule::product => self.arith(pair),
            Rule::unary => self.unary(pair),
            Rule::primary => self.primary(pair),
            _ => self.primary_inner(pair),
        }
    }

    fn lower_or_error(&mut self, pair: Option<P<'_>>, span: Span) -> (Expr, usize) {
        match pair {
            Some(p) => self.lower(p),
            None => (self.error_expr(span), 1),
        }
    }

    fn error_expr(&self, span: Span) -> Expr {
        Expr {
            kind: ExprKind::Bool(false),
            span,
        }
    }

    /// `a OP b OP c` as `(a OP b) OP c`, with the operator pair handed to `make`.
    fn left_fold(
        &mut self,
        pair: P<'_>,
        make: impl Fn(Option<&str>, Expr, Expr) -> ExprKind,
    ) -> (Expr, usize) {
        let mut it = parts(pair);
        let Some(first) = it.next() else {
            return (self.error_expr(Span::default()), 1);
        };
        let (mut acc, mut depth) = self.lower(first);
        let mut op: Option<String> = None;
        for part in it {
            match part.as_rule() {
                Rule::add_op | Rule::mul_op => op = Some(part.as_str().to_string()),
                _ => {
                    let (rhs, rhs_depth) = self.lower(part);
                    let (span, label) = (acc.span.to(rhs.span), rhs.span);
                    let kind = make(op.as_deref(), acc, rhs);
                    (acc, depth) = self.node(kind, span, label, depth.max(rhs_depth));
                }
            }
        }
        (acc, depth)
    }

    fn arith(&mut self, pair: P<'_>) -> (Expr, usize) {
        self.left_fold(pair, |op, lhs, rhs| {
            let op = match op {
                Some("+") => ArithOp::Add,
                Some("-") => ArithOp::Sub,
                Some("*") => ArithOp::Mul,
                _ => ArithOp::Div,
            };
            ExprKind::Arith(op, Box::new(lhs), Box::new(rhs))
        })
    }

    fn comparison(&mut self, pair: P<'_>) -> (Expr, usize) {
        let mut it = parts(pair);
        let Some(first) = it.next() else {
            return (self.error_expr(Span::default()), 1);
        };
        let (mut acc, mut depth) = self.lower(first);
        let mut count = 0;
        for tail in it {
            count += 1;
            let tail_span = self.span(&tail);
            if count == 2 {
                self.errors.push(ParseError::ChainedComparison {
                    src: self.source.named_source(),
                    span: tail_span.into(),
                });
            }
            let span = acc.span.to(tail_span);
            let (kind, child_depth) = match tail.as_rule() {
                Rule::compare_op_tail => {
                    let mut t = parts(tail);
                    let op = match t.next().map(|p| p.as_str()) {
                        Some("==") => CompareOp::Eq,
                        Some("!=") => CompareOp::Ne,
                        Some("<") => CompareOp::Lt,
                        Some("<=") => CompareOp::Le,
                        Some(">") => CompareOp::Gt,
                        _ => CompareOp::Ge,
                    };
                    let (rhs, d) = self.lower_or_error(t.next(), span);
                    (
                        ExprKind::Compare(op, Box::new(acc), Box::new(rhs)),
                        depth.max(d),
                    )
                }
                Rule::in_tail | Rule::not_in_tail => {
                    let negated = tail.as_rule() == Rule::not_in_tail;
                    let (list, d) = self.lower_or_error(parts(tail).next(), span);
                    (
                        ExprKind::In {
                            item: Box::new(acc),
                            list: Box::new(list),
                            negated,
                        },
                        depth.max(d),
                    )
                }
                Rule::between_tail => {
                    let mut t = parts(tail);
                    let (lo, d1) = self.lower_or_error(t.next(), span);
                    let (hi, d2) = self.lower_or_error(t.next(), span);
                    (
                        ExprKind::Between(Box::new(acc), Box::new(lo), Box::new(hi)),
                        depth.max(d1).max(d2),
                    )
                }
                _ => {
                    let present = parts(tail).any(|p| p.as_rule() == Rule::k_present);
                    let word = if present { "present" } else { "missing" };
                    let kind = match acc.kind {
                        ExprKind::Name(ref text) => ExprKind::Is {
                            field: Ident {
                                text: text.clone(),
                                span: acc.span,
                            },
                            present,
                        },
                        _ => {
                            self.errors.push(ParseError::IsOperand {
                                word,
                                src: self.source.named_source(),
                                span: acc.span.into(),
                            });
                            ExprKind::Bool(false)
                        }
                    };
                    (kind, 0)
                }
            };
            (acc, depth) = self.node(kind, span, tail_span, child_depth);
        }
        (acc, depth)
    }

    fn unary(&mut self, pair: P<'_>) -> (Expr, usize) {
        let span = self.span(&pair);
        let mut minuses = Vec::new();
        let mut primary = None;
        for part in parts(pair) {
            match part.as_rule() {
                Rule::minus => minuses.push(self.span(&part)),
                _ => primary = Some(self.lower(part)),
            }
        }
        let (mut expr, mut depth) = primary.unwrap_or_else(|| (self.error_expr(span), 1));
        for minus in minuses.into_iter().rev() {
            let span = minus.to(expr.span);
            (expr, depth) = self.node(ExprKind::Neg(Box::new(expr)), span, minus, depth);
        }
        (expr, depth)
    }

    fn primary(&mut self, pair: P<'_>) -> (Expr, usize) {
        let span = self.span(&pair);
        match parts(pair).next() {
            Some(inner) => self.primary_inner(inner),
            None => (self.error_expr(span), 1),
        }
    }

    fn primary_inner(&mut self, pair: P<'_>) -> (Expr, usize) {
        let span = self.span(&pair);
        let (kind, child_depth) = match pair.as_rule() {
            Rule::expr => return self.lower(pair),
            Rule::call => {
                let mut it = parts(pair);
                let name = it
                    .next()
                    .map(|p| self.ident(p))
                    .unwrap_or_else(|| self.missing_ident(span));
                let mut depth = 0;
                let args = it
                    .map(|p| {
                        let (arg, d) = self.lower(p);
                        depth = depth.max(d);
                        arg
                    })
                    .collect();
                (ExprKind::Call(name, args), depth)
            }
            Rule::list_literal => (
                ExprKind::List(parts(pair).map(|p| self.constant_expr(p)).collect()),
                1,
            ),
            Rule::number => (ExprKind::Number(self.number(&pair)), 0),
            Rule::string => (ExprKind::Text(self.string(pair).value), 0),
            Rule::k_true => (ExprKind::Bool(true), 0),
            Rule::k_false => (ExprKind::Bool(false), 0),
            Rule::score_ref => (ExprKind::Score, 0),
            _ => (ExprKind::Name(pair.as_str().to_string()), 0),
        };
        self.node(kind, span, span, child_depth)
    }

    /// A list literal's element, as an expression.
    fn constant_expr(&mut self, pair: P<'_>) -> Expr {
        let constant = self.constant(pair);
        let kind = match constant.kind {
            ConstantKind::Number(n) => ExprKind::Number(n),
            ConstantKind::Text(t) => ExprKind::Text(t),
            ConstantKind::Bool(b) => ExprKind::Bool(b),
            ConstantKind::Name(n) => ExprKind::Name(n),
            ConstantKind::List(_) => ExprKind::Bool(false),
        };
        Expr {
            kind,
            span: constant.span,
        }
    }
}

/// A long literal cut down for a message.
fn shorten(text: &str) -> String {
    if text.chars().count() > 24 {
        format!("{}…", text.chars().take(20).collect::<String>())
    } else {
        text.to_string()
    }
}
