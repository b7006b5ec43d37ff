//! The canonical layout: prints a parsed file as lines, each anchored at the source
//! offset it came from so that comments can be put back next to it.

use crate::syntax::ast::*;

/// One printed line.
#[derive(Debug, Clone)]
pub(crate) struct Line {
    /// Indentation in spaces.
    pub indent: usize,
    /// The text, without indentation.
    pub text: String,
    /// Source offset of the construct this line prints; `None` for blank lines.
    pub anchor: Option<usize>,
    /// Indentation for a standalone comment placed before this line.
    pub comment_indent: usize,
}

pub(crate) struct Printer<'s> {
    source: &'s str,
    pub lines: Vec<Line>,
}

fn prec(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Logic(LogicOp::Or, ..) => 1,
        ExprKind::Logic(LogicOp::And, ..) => 2,
        ExprKind::Not(_) => 3,
        ExprKind::Compare(..)
        | ExprKind::In { .. }
        | ExprKind::Between(..)
        | ExprKind::Is { .. } => 4,
        ExprKind::Arith(ArithOp::Add | ArithOp::Sub, ..) => 5,
        ExprKind::Arith(ArithOp::Mul | ArithOp::Div, ..) => 6,
        ExprKind::Neg(_) => 7,
        _ => 8,
    }
}

/// A string literal with escapes.
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

impl<'s> Printer<'s> {
    pub(crate) fn new(source: &'s str) -> Printer<'s> {
        Printer {
            source,
            lines: Vec::new(),
        }
    }

    fn line(&mut self, indent: usize, text: String, anchor: usize) {
        self.lines.push(Line {
            indent,
            text,
            anchor: Some(anchor),
            comment_indent: indent,
        });
    }

    fn closing(&mut self, text: &str, anchor: usize) {
        self.lines.push(Line {
            indent: 0,
            text: text.to_string(),
            anchor: Some(anchor),
            comment_indent: 2,
        });
    }

    fn blank(&mut self) {
        self.lines.push(Line {
            indent: 0,
            text: String::new(),
            anchor: None,
            comment_indent: 0,
        });
    }

    /// Source text of a span (numbers keep their written form, e.g. `10_000`).
    fn snippet(&self, start: usize, end: usize) -> &str {
        self.source.get(start..end).unwrap_or("")
    }

    pub(crate) fn file(&mut self, file: &PolicyFile) {
        if let Some(h) = &file.header {
            self.line(
                0,
                format!("policy {} version {}", quote(&h.name.value), h.version),
                h.span.start,
            );
        }
        let mut prev: Option<&Item> = None;
        let items = &file.items;
        for (i, item) in items.iter().enumerate() {
            let separate = match prev {
                None => file.header.is_some(),
                Some(p) => !same_group(p, item),
            };
            if separate {
                self.blank();
            }
            match item {
                Item::Use(path, span) => {
                    self.line(0, format!("use {}", quote(&path.value)), span.start)
                }
                Item::Record(r) => self.record(r),
                Item::List(l) => {
                    let values: Vec<String> = l.values.iter().map(|c| self.constant(c)).collect();
                    self.line(
                        0,
                        format!("list {} = [{}]", l.name.text, values.join(", ")),
                        l.span.start,
                    );
                }
                Item::Rule(r) if r.kind == RuleKind::Score => {
                    let group = score_group(items, i);
                    self.score(r, &group);
                }
                Item::Rule(r) => self.rule(r),
                Item::Tier(t) => {
                    let text = match &t.when {
                        Some(cond) => format!("tier {} when {}", t.name.text, self.expr(cond, 0)),
                        None => format!("tier {} otherwise", t.name.text),
                    };
                    self.line(0, text, t.span.start);
                }
                Item::Example(e) => {
                    self.line(0, format!("example {} {{", e.name.text), e.span.start);
                    for f in &e.fields {
                        let text = format!("{}: {}", f.name.text, self.constant(&f.value));
                        self.line(2, text, f.span.start);
                    }
                    self.closing("}", e.span.end.saturating_sub(1));
                }
                Item::Test(t) => self.test(t),
            }
            prev = Some(item);
        }
    }

    fn record(&mut self, r: &RecordDecl) {
        self.line(0, "record {".to_string(), r.span.start);
        for f in &r.fields {
            let ty = match &f.ty {
                TypeExpr::Text => "text".to_string(),
                TypeExpr::Number => "number".to_string(),
                TypeExpr::Bool => "bool".to_string(),
                TypeExpr::TextList => "list of text".to_string(),
                TypeExpr::NumberList => "list of number".to_string(),
                TypeExpr::Enum(values) => {
                    let names: Vec<&str> = values.iter().map(|v| v.text.as_str()).collect();
                    wrap_enum(&f.name.text, &names)
                }
            };
            let text = format!(
                "{}: {ty}{}{}",
                f.name.text,
                if f.optional { "?" } else { "" },
                if f.key { " key" } else { "" }
            );
            self.line(2, text, f.span.start);
        }
        self.closing("}", r.span.end.saturating_sub(1));
    }

    fn clauses(&mut self, r: &RuleDecl) -> Vec<(String, usize)> {
        let mut out = Vec::new();
        if let Some(w) = &r.when {
            out.push((format!("when {}", self.expr(w, 0)), w.span.start));
        }
        if let Some((action, span)) = &r.on_missing {
            out.push((format!("on missing {}", action.keyword()), span.start));
        }
        if let Some(b) = &r.because {
            out.push((format!("because {}", quote(&b.value)), b.span.start));
        }
        out
    }

    fn rule(&mut self, r: &RuleDecl) {
        self.line(
            0,
            format!("{} {}", r.kind.keyword(), r.name.text),
            r.span.start,
        );
        for (text, anchor) in self.clauses(r) {
            self.line(2, text, anchor);
        }
    }

    fn points_text(&self, p: &Points) -> String {
        match p {
            Points::Fixed(_, _, span) => self
                .snippet(span.start, span.end)
                .split_whitespace()
                .collect(),
            Points::Computed(e) => format!("({})", self.expr(e, 0)),
        }
    }

    fn score(&mut self, r: &RuleDecl, group: &[&RuleDecl]) {
        let name_width = group.iter().map(|g| g.name.text.len()).max().unwrap_or(0);
        let points_width = group
            .iter()
            .filter_map(|g| match &g.points {
                Some(p @ Points::Fixed(..)) => Some(self.points_text(p).len()),
                _ => None,
            })
            .max()
            .unwrap_or(0);
        let points = match &r.points {
            Some(p @ Points::Fixed(..)) => format!("{:>points_width$}", self.points_text(p)),
            Some(p) => self.points_text(p),
            None => String::new(),
        };
        let mut head = format!("score {:<name_width$} {points}", r.name.text);
        let mut rest = Vec::new();
        for (text, anchor) in self.clauses(r) {
            if text.starts_with("because") {
                rest.push((text, anchor));
            } else {
                head.push(' ');
                head.push_str(&text);
            }
        }
        self.line(0, head, r.span.start);
        for (text, anchor) in rest {
            self.line(2, text, anchor);
        }
    }

    fn test(&mut self, t: &TestDecl) {
        self.line(
            0,
            format!("test {} {{", quote(&t.title.value)),
            t.span.start,
        );
        let mut given = format!("given {}", t.given.text);
        if let Some(with) = &t.with {
            let fields: Vec<String> = with
                .iter()
                .map(|f| format!("{}: {}", f.name.text, self.constant(&f.value)))
                .collect();
            given.push_str(&format!(" with {{ {} }}", fields.join(", ")));
        }
        self.line(2, given, t.given_span.start);
        for e in &t.expectations {
            let text = match &e.kind {
                ExpectationKind::Decision(word, by) if by.is_empty() => format!("expect {word}"),
                ExpectationKind::Decision(word, by) => format!(
                    "expect {word} by {}",
                    by.iter()
                        .map(|r| r.text.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                ExpectationKind::Tier(name) => format!("expect tier {}", name.text),
                ExpectationKind::Score(_) => {
                    let text = self.snippet(e.span.start, e.span.end);
                    let value = text.trim_start_matches("expect").trim_start();
                    let value = value.trim_start_matches("score").trim();
                    format!(
                        "expect score {}",
                        value.split_whitespace().collect::<String>()
                    )
                }
            };
            self.line(2, text, e.span.start);
        }
        self.closing("}", t.span.end.saturating_sub(1));
    }

    fn constant(&self, c: &Constant) -> String {
        match &c.kind {
            ConstantKind::Number(_) => self
                .snippet(c.span.start, c.span.end)
                .split_whitespace()
                .collect(),
            ConstantKind::Text(t) => quote(t),
            ConstantKind::Bool(b) => b.to_string(),
            ConstantKind::Name(n) => n.clone(),
            ConstantKind::List(items) => format!(
                "[{}]",
                items
                    .iter()
                    .map(|i| self.constant(i))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    /// Prints an expression, in parentheses when its precedence is below `min`.
    pub(crate) fn expr(&self, e: &Expr, min: u8) -> String {
        let p = prec(e);
        let text = match &e.kind {
            ExprKind::Number(_) => self.snippet(e.span.start, e.span.end).to_string(),
            ExprKind::Text(t) => quote(t),
            ExprKind::Bool(b) => b.to_string(),
            ExprKind::Name(n) => n.clone(),
            ExprKind::Score => "score".to_string(),
            ExprKind::List(items) => format!(
                "[{}]",
                items
                    .iter()
                    .map(|i| self.expr(i, 0))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            ExprKind::Neg(x) => format!("-{}", self.expr(x, 7)),
            ExprKind::Not(x) => format!("not {}", self.expr(x, 3)),
            ExprKind::Arith(op, l, r) => {
                format!(
                    "{} {} {}",
                    self.expr(l, p),
                    op.symbol(),
                    self.expr(r, p + 1)
                )
            }
            ExprKind::Logic(op, l, r) => format!(
                "{} {} {}",
                self.expr(l, p),
                if *op == LogicOp::And { "and" } else { "or" },
                self.expr(r, p + 1)
            ),
            ExprKind::Compare(op, l, r) => {
                format!("{} {} {}", self.expr(l, 5), op.symbol(), self.expr(r, 5))
            }
            ExprKind::In {
                item,
                list,
                negated,
            } => format!(
                "{} {}in {}",
                self.expr(item, 5),
                if *negated { "not " } else { "" },
                self.expr(list, 5)
            ),
            ExprKind::Between(x, lo, hi) => format!(
                "{} between {} and {}",
                self.expr(x, 5),
                self.expr(lo, 5),
                self.expr(hi, 5)
            ),
            ExprKind::Is { field, present } => format!(
                "{} is {}",
                field.text,
                if *present { "present" } else { "missing" }
            ),
            ExprKind::Call(name, args) => format!(
                "{}({})",
                name.text,
                args.iter()
                    .map(|a| self.expr(a, 0))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        if p < min {
            format!("({text})")
        } else {
            text
        }
    }
}

/// Width at which a long `one of (...)` continues on the next line.
const ENUM_WIDTH: usize = 88;

/// `one of (a, b, ...)`, continued under the first value when the line gets long.
fn wrap_enum(field: &str, names: &[&str]) -> String {
    let start = "one of (".to_string();
    let hang = 2 + field.len() + 2 + start.len();
    let mut out = start;
    let mut column = hang;
    for (i, name) in names.iter().enumerate() {
        let last = i + 1 == names.len();
        let piece = format!("{name}{}", if last { ")" } else { "," });
        if i > 0 {
            if column + 1 + piece.len() > ENUM_WIDTH {
                out.push('\n');
                out.extend(std::iter::repeat_n(' ', hang));
                column = hang;
            } else {
                out.push(' ');
                column += 1;
            }
        }
        out.push_str(&piece);
        column += piece.len();
    }
    out
}

fn kind_of(item: &Item) -> u8 {
    match item {
        Item::Use(..) => 0,
        Item::Record(_) => 1,
        Item::List(_) => 2,
        Item::Rule(r) if r.kind == RuleKind::Score => 3,
        Item::Rule(_) => 4,
        Item::Tier(_) => 5,
        Item::Example(_) => 6,
        Item::Test(_) => 7,
    }
}

/// Items printed without a blank line between them: runs of uses, lists, score rules,
/// tiers and tests.
fn same_group(a: &Item, b: &Item) -> bool {
    let (ka, kb) = (kind_of(a), kind_of(b));
    ka == kb && matches!(ka, 0 | 2 | 3 | 5 | 7)
}

/// The run of consecutive score rules around item `i`, aligned together.
fn score_group(items: &[Item], i: usize) -> Vec<&RuleDecl> {
    let is_score = |item: &Item| matches!(item, Item::Rule(r) if r.kind == RuleKind::Score);
    let mut start = i;
    while start > 0 && is_score(&items[start - 1]) {
        start -= 1;
    }
    let mut end = i;
    while end + 1 < items.len() && is_score(&items[end + 1]) {
        end += 1;
    }
    items[start..=end]
        .iter()
        .filter_map(|item| match item {
            Item::Rule(r) => Some(r),
            _ => None,
        })
        .collect()
}
