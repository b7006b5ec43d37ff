//! Typing of expressions: resolves bare names (field, list or enum value) and checks
//! that every operator gets the types it takes.

use std::sync::Arc;

use super::checker::{Checker, RawList};
use super::error::{did_you_mean, CheckError, CheckErrorKind};
use super::policy::{ConstList, EnumId, FieldType, Func, ListRef, TypedExpr};
use crate::syntax::ast::{CompareOp, Expr, ExprKind, LogicOp};

/// The type of an expression while checking.
#[derive(Debug, Clone)]
pub(crate) enum Ty {
    Number,
    Text,
    Bool,
    /// An enum: its values, and the field it comes from (for messages).
    Enum(Arc<[EnumId]>, String),
    TextList,
    NumberList,
}

impl Ty {
    pub(crate) fn from_field(ty: &FieldType, field: &str) -> Ty {
        match ty {
            FieldType::Text => Ty::Text,
            FieldType::Number => Ty::Number,
            FieldType::Bool => Ty::Bool,
            FieldType::Enum(values) => Ty::Enum(Arc::clone(values), field.to_string()),
            FieldType::TextList => Ty::TextList,
            FieldType::NumberList => Ty::NumberList,
        }
    }

    fn describe(&self) -> String {
        match self {
            Ty::Number => "a number".to_string(),
            Ty::Text => "text".to_string(),
            Ty::Bool => "a condition (true or false)".to_string(),
            Ty::Enum(_, field) => format!("a value of `{field}`"),
            Ty::TextList => "a list of text".to_string(),
            Ty::NumberList => "a list of numbers".to_string(),
        }
    }

    fn same(&self, other: &Ty) -> bool {
        match (self, other) {
            (Ty::Enum(a, _), Ty::Enum(b, _)) => {
                let mut a = a.to_vec();
                let mut b = b.to_vec();
                a.sort();
                b.sort();
                a == b
            }
            _ => std::mem::discriminant(self) == std::mem::discriminant(other),
        }
    }
}

/// Where an expression stands: only tier conditions may read `score`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ctx {
    pub allow_score: bool,
}

type Typed = Option<(TypedExpr, Ty)>;

impl Checker<'_> {
    fn error(
        &mut self,
        kind: CheckErrorKind,
        expr: &Expr,
        message: String,
        label: &str,
    ) -> CheckError {
        CheckError::new(self.sources, kind, expr.span, message, label)
    }

    fn mismatch(&mut self, expr: &Expr, message: String, label: &str, help: Option<String>) {
        let err = self
            .error(CheckErrorKind::TypeMismatch, expr, message, label)
            .with_help_opt(help);
        self.report(err);
    }

    /// Checks an expression that must be a condition.
    pub(crate) fn condition(&mut self, expr: &Expr, ctx: Ctx) -> Option<TypedExpr> {
        let (typed, ty) = self.expr(expr, None, ctx)?;
        if matches!(ty, Ty::Bool) {
            Some(typed)
        } else {
            self.mismatch(
                expr,
                format!(
                    "a condition must be true or false, but this is {}",
                    ty.describe()
                ),
                "not a condition",
                Some("compare it with something, e.g. `employees > 100`".to_string()),
            );
            None
        }
    }

    /// Checks an expression that must be a number.
    pub(crate) fn number(&mut self, expr: &Expr, ctx: Ctx, what: &str) -> Option<TypedExpr> {
        let (typed, ty) = self.expr(expr, None, ctx)?;
        if matches!(ty, Ty::Number) {
            Some(typed)
        } else {
            self.mismatch(
                expr,
                format!("{what} must be a number, but this is {}", ty.describe()),
                "not a number",
                None,
            );
            None
        }
    }

    /// Whether `name` is a value of the enum field that `expr` names.
    fn is_value_of_enum_field(&self, name: &str, expr: &Expr) -> bool {
        let ExprKind::Name(field) = &expr.kind else {
            return false;
        };
        let Some(id) = self.schema.field_id(field) else {
            return false;
        };
        match (&self.schema.fields[id].ty, self.schema.enum_id(name)) {
            (FieldType::Enum(values), Some(value)) => values.contains(&value),
            _ => false,
        }
    }

    fn is_bare_non_field(&self, expr: &Expr) -> bool {
        matches!(&expr.kind, ExprKind::Name(n) if self.schema.field_id(n).is_none() && !self.lists.contains_key(n))
    }

    pub(crate) fn expr(&mut self, expr: &Expr, hint: Option<&Ty>, ctx: Ctx) -> Typed {
        match &expr.kind {
            ExprKind::Number(n) => Some((TypedExpr::Number(*n), Ty::Number)),
            ExprKind::Text(t) => Some((TypedExpr::Text(Arc::from(t.as_str())), Ty::Text)),
            ExprKind::Bool(b) => Some((TypedExpr::Bool(*b), Ty::Bool)),
            ExprKind::Name(name) => self.name(expr, name, hint),
            ExprKind::Score => {
                if ctx.allow_score {
                    Some((TypedExpr::Score, Ty::Number))
                } else {
                    let err = self
                        .error(
                            CheckErrorKind::ScoreOutsideTier,
                            expr,
                            "`score` can only be used in a tier condition".to_string(),
                            "the total is not known yet here",
                        )
                        .with_help(
                            "rules add to the score; read the total in `tier NAME when score >= N`",
                        );
                    self.report(err);
                    None
                }
            }
            ExprKind::List(_) => {
                self.mismatch(
                    expr,
                    "a list can only be used with `in`, `not in` or `len`".to_string(),
                    "list here",
                    None,
                );
                None
            }
            ExprKind::Neg(inner) => {
                let typed = self.arith_operand(inner, ctx)?;
                Some((TypedExpr::Neg(Box::new(typed)), Ty::Number))
            }
            ExprKind::Arith(op, lhs, rhs) => {
                let l = self.arith_operand(lhs, ctx);
                let r = self.arith_operand(rhs, ctx);
                Some((
                    TypedExpr::Arith(*op, Box::new(l?), Box::new(r?)),
                    Ty::Number,
                ))
            }
            ExprKind::Not(inner) => {
                let typed = self.condition(inner, ctx)?;
                Some((TypedExpr::Not(Box::new(typed)), Ty::Bool))
            }
            ExprKind::Logic(op, lhs, rhs) => {
                let l = self.condition(lhs, ctx);
                let r = self.condition(rhs, ctx);
                let (l, r) = (Box::new(l?), Box::new(r?));
                let typed = match op {
                    LogicOp::And => TypedExpr::And(l, r),
                    LogicOp::Or => TypedExpr::Or(l, r),
                };
                Some((typed, Ty::Bool))
            }
            ExprKind::Compare(op, lhs, rhs) => self.compare(expr, *op, lhs, rhs, ctx),
            ExprKind::In {
                item,
                list,
                negated,
            } => {
                let (item_typed, item_ty) = self.expr(item, None, ctx)?;
                let list = self.list_operand(list, &item_ty)?;
                Some((
                    TypedExpr::In {
                        item: Box::new(item_typed),
                        list,
                        negated: *negated,
                    },
                    Ty::Bool,
                ))
            }
            ExprKind::Between(x, lo, hi) => {
                let x = self.arith_operand(x, ctx);
                let lo = self.arith_operand(lo, ctx);
                let hi = self.arith_operand(hi, ctx);
                Some((
                    TypedExpr::Between(Box::new(x?), Box::new(lo?), Box::new(hi?)),
                    Ty::Bool,
                ))
            }
            ExprKind::Is { field, present } => match self.schema.field_id(&field.text) {
                Some(id) => Some((
                    TypedExpr::Is {
                        field: id,
                        present: *present,
                    },
                    Ty::Bool,
                )),
                None => {
                    self.unknown_field(&field.text, expr);
                    None
                }
            },
            ExprKind::Call(func, args) => self.call(expr, &func.text, args, ctx),
        }
    }

    fn arith_operand(&mut self, expr: &Expr, ctx: Ctx) -> Option<TypedExpr> {
        let (typed, ty) = self.expr(expr, None, ctx)?;
        if matches!(ty, Ty::Number) {
            Some(typed)
        } else {
            self.mismatch(
                expr,
                format!(
                    "arithmetic and `between` take numbers, but this is {}",
                    ty.describe()
                ),
                "not a number",
                None,
            );
            None
        }
    }

    fn name(&mut self, expr: &Expr, name: &str, hint: Option<&Ty>) -> Typed {
        if let Some(Ty::Enum(values, field)) = hint {
            if let Some(id) = self.schema.enum_id(name).filter(|id| values.contains(id)) {
                return Some((
                    TypedExpr::Enum(id),
                    Ty::Enum(Arc::clone(values), field.clone()),
                ));
            }
            if self.schema.field_id(name).is_none() && !self.lists.contains_key(name) {
                let names: Vec<String> = values
                    .iter()
                    .map(|v| self.schema.enum_name(*v).to_string())
                    .collect();
                let err = self
                    .error(
                        CheckErrorKind::UnknownEnumValue,
                        expr,
                        format!("`{name}` is not a value of `{field}`"),
                        "unknown value",
                    )
                    .with_help(
                        did_you_mean(name, names.iter().map(String::as_str)).unwrap_or_else(|| {
                            format!("`{field}` is one of: {}", names.join(", "))
                        }),
                    );
                self.report(err);
                return None;
            }
        }
        if let Some(id) = self.schema.field_id(name) {
            let field = &self.schema.fields[id];
            return Some((TypedExpr::Field(id), Ty::from_field(&field.ty, &field.name)));
        }
        if self.lists.contains_key(name) {
            self.mismatch(
                expr,
                format!("list `{name}` can only be used with `in`, `not in` or `len`"),
                "list here",
                None,
            );
            return None;
        }
        if self.schema.enum_id(name).is_some() {
            self.mismatch(
                expr,
                format!(
                    "`{name}` is an enum value; it can only be compared with a field of that enum"
                ),
                "enum value here",
                Some(format!("compare it with the field, e.g. `field == {name}`")),
            );
            return None;
        }
        self.unknown_field(name, expr);
        None
    }

    fn unknown_field(&mut self, name: &str, expr: &Expr) {
        let candidates: Vec<String> = self
            .schema
            .index
            .keys()
            .cloned()
            .chain(self.lists.keys().cloned())
            .collect();
        let err = self
            .error(
                CheckErrorKind::UnknownField,
                expr,
                format!("unknown field or list `{name}`"),
                "not declared",
            )
            .with_help(
                did_you_mean(name, candidates.iter().map(String::as_str)).unwrap_or_else(|| {
                    "declare it in the `record` block or as a `list`".to_string()
                }),
            );
        self.report(err);
    }

    fn compare(&mut self, expr: &Expr, op: CompareOp, lhs: &Expr, rhs: &Expr, ctx: Ctx) -> Typed {
        // A bare name on the left that is a value of the right side's enum field means the
        // value, even where a field has that name (LANGUAGE.md, names and types).
        let value_of_right =
            matches!(&lhs.kind, ExprKind::Name(n) if self.is_value_of_enum_field(n, rhs));
        let ((l, lt), (r, rt)) =
            if value_of_right || (self.is_bare_non_field(lhs) && !self.is_bare_non_field(rhs)) {
                let right = self.expr(rhs, None, ctx)?;
                let left = self.expr(lhs, Some(&right.1), ctx)?;
                (left, right)
            } else {
                let left = self.expr(lhs, None, ctx)?;
                let right = self.expr(rhs, Some(&left.1), ctx)?;
                (left, right)
            };
        let ordering = !matches!(op, CompareOp::Eq | CompareOp::Ne);
        let ok = if ordering {
            matches!((&lt, &rt), (Ty::Number, Ty::Number))
        } else {
            lt.same(&rt) && !matches!(lt, Ty::TextList | Ty::NumberList)
        };
        if !ok {
            let help = match (&lt, &rt, &rhs.kind, &lhs.kind) {
                (Ty::Enum(..), Ty::Text, ExprKind::Text(t), _)
                | (Ty::Text, Ty::Enum(..), _, ExprKind::Text(t)) => {
                    Some(format!("enum values are names: drop the quotes, `{t}`"))
                }
                _ if ordering => Some(format!("`{}` compares numbers only", op.symbol())),
                _ => None,
            };
            self.mismatch(
                expr,
                format!(
                    "cannot compare {} with {} using `{}`",
                    lt.describe(),
                    rt.describe(),
                    op.symbol()
                ),
                "types do not match",
                help,
            );
            return None;
        }
        Some((TypedExpr::Compare(op, Box::new(l), Box::new(r)), Ty::Bool))
    }

    /// The right side of `in`: a literal list, a named list or a `list of` field.
    fn list_operand(&mut self, list: &Expr, item_ty: &Ty) -> Option<ListRef> {
        match &list.kind {
            ExprKind::Name(name) if self.lists.contains_key(name) => {
                self.used_lists.insert(name.clone());
                let raw = self.lists.get(name).cloned()?;
                let resolved = self.resolve_list(&raw, item_ty, list)?;
                Some(ListRef::Const(Arc::new(resolved), Some(name.clone())))
            }
            ExprKind::List(elements) => {
                let raw = self.raw_list_from_exprs(elements)?;
                let resolved = self.resolve_list(&raw, item_ty, list)?;
                Some(ListRef::Const(Arc::new(resolved), None))
            }
            ExprKind::Name(name) if self.schema.field_id(name).is_some() => {
                let id = self.schema.field_id(name)?;
                let field_ty = self.schema.fields[id].ty.clone();
                let fits = matches!(
                    (&field_ty, item_ty),
                    (FieldType::TextList, Ty::Text) | (FieldType::NumberList, Ty::Number)
                );
                if !fits {
                    let message = if matches!(field_ty, FieldType::TextList | FieldType::NumberList)
                    {
                        format!(
                            "cannot look for {} in `{name}`, a {}",
                            item_ty.describe(),
                            field_ty.describe()
                        )
                    } else {
                        format!("`in` needs a list, but `{name}` is {}", field_ty.describe())
                    };
                    self.mismatch(list, message, "not a fitting list", None);
                    return None;
                }
                Some(ListRef::Field(id))
            }
            _ => {
                let _ = self.expr(list, None, Ctx { allow_score: false });
                self.mismatch(
                    list,
                    "`in` needs a list: `[...]`, a named list or a `list of` field".to_string(),
                    "not a list",
                    None,
                );
                None
            }
        }
    }

    fn raw_list_from_exprs(&mut self, elements: &[Expr]) -> Option<RawList> {
        let constants: Vec<_> = elements
            .iter()
            .map(|e| {
                let kind = match &e.kind {
                    ExprKind::Number(n) => crate::syntax::ast::ConstantKind::Number(*n),
                    ExprKind::Text(t) => crate::syntax::ast::ConstantKind::Text(t.clone()),
                    ExprKind::Bool(b) => crate::syntax::ast::ConstantKind::Bool(*b),
                    ExprKind::Name(n) => crate::syntax::ast::ConstantKind::Name(n.clone()),
                    _ => crate::syntax::ast::ConstantKind::Bool(false),
                };
                crate::syntax::ast::Constant { kind, span: e.span }
            })
            .collect();
        self.classify_list(&constants)
    }

    /// Gives a list its type from the item it is used with.
    fn resolve_list(&mut self, raw: &RawList, item_ty: &Ty, at: &Expr) -> Option<ConstList> {
        match (raw, item_ty) {
            (RawList::Empty, Ty::Number) => Some(ConstList::Numbers(Vec::new())),
            (RawList::Empty, Ty::Enum(..)) => Some(ConstList::Enums(Vec::new())),
            (RawList::Empty, Ty::Text) => Some(ConstList::Texts(Vec::new())),
            (RawList::Numbers(v), Ty::Number) => Some(ConstList::Numbers(v.clone())),
            (RawList::Texts(v), Ty::Text) => Some(ConstList::Texts(v.clone())),
            (RawList::Names(names), Ty::Enum(values, field)) => {
                let mut ids = Vec::with_capacity(names.len());
                let mut ok = true;
                for (name, span) in names {
                    match self.schema.enum_id(name).filter(|id| values.contains(id)) {
                        Some(id) => ids.push(id),
                        None => {
                            ok = false;
                            let options: Vec<String> = values
                                .iter()
                                .map(|v| self.schema.enum_name(*v).to_string())
                                .collect();
                            let err = CheckError::new(
                                self.sources,
                                CheckErrorKind::UnknownEnumValue,
                                *span,
                                format!("`{name}` is not a value of `{field}`"),
                                "unknown value",
                            )
                            .with_help(
                                did_you_mean(name, options.iter().map(String::as_str))
                                    .unwrap_or_else(|| {
                                        format!("`{field}` is one of: {}", options.join(", "))
                                    }),
                            );
                            self.report(err);
                        }
                    }
                }
                ok.then_some(ConstList::Enums(ids))
            }
            (RawList::Texts(_), Ty::Enum(..)) => {
                self.mismatch(
                    at,
                    format!("cannot look for {} in a list of text", item_ty.describe()),
                    "list of text",
                    Some("enum values are names: drop the quotes in the list".to_string()),
                );
                None
            }
            (raw, _) => {
                let what = match raw {
                    RawList::Numbers(_) => "a list of numbers",
                    RawList::Texts(_) => "a list of text",
                    RawList::Names(_) => "a list of enum values",
                    RawList::Empty => "an empty list",
                };
                self.mismatch(
                    at,
                    format!("cannot look for {} in {what}", item_ty.describe()),
                    "list of another type",
                    None,
                );
                None
            }
        }
    }

    fn call(&mut self, expr: &Expr, name: &str, args: &[Expr], ctx: Ctx) -> Typed {
        let (func, arity) = match name {
            "min" => (Func::Min, 2),
            "max" => (Func::Max, 2),
            "clamp" => (Func::Clamp, 3),
            "abs" => (Func::Abs, 1),
            "lower" => (Func::Lower, 1),
            "len" => (Func::Len, 1),
            _ => {
                let err = self
                    .error(
                        CheckErrorKind::BadCall,
                        expr,
                        format!("unknown function `{name}`"),
                        "not a function",
                    )
                    .with_help(
                        did_you_mean(name, ["min", "max", "clamp", "abs", "lower", "len"])
                            .unwrap_or_else(|| {
                                "the functions are min, max, clamp, abs, lower and len".to_string()
                            }),
                    );
                self.report(err);
                return None;
            }
        };
        if args.len() != arity {
            let err = self.error(
                CheckErrorKind::BadCall,
                expr,
                format!(
                    "`{name}` takes {arity} argument{}, found {}",
                    if arity == 1 { "" } else { "s" },
                    args.len()
                ),
                "wrong number of arguments",
            );
            self.report(err);
            return None;
        }
        match func {
            Func::Lower => {
                let (typed, ty) = self.expr(&args[0], None, ctx)?;
                if !matches!(ty, Ty::Text) {
                    self.mismatch(
                        &args[0],
                        format!("`lower` takes text, but this is {}", ty.describe()),
                        "not text",
                        None,
                    );
                    return None;
                }
                Some((TypedExpr::Call(func, vec![typed]), Ty::Text))
            }
            Func::Len => {
                let arg = &args[0];
                match &arg.kind {
                    ExprKind::Name(n) if self.lists.contains_key(n) => {
                        self.used_lists.insert(n.clone());
                        let len = self.lists.get(n).map_or(0, RawList::len);
                        Some((TypedExpr::ConstLen(len), Ty::Number))
                    }
                    ExprKind::List(items) => Some((TypedExpr::ConstLen(items.len()), Ty::Number)),
                    _ => {
                        let (typed, ty) = self.expr(arg, None, ctx)?;
                        match (typed, ty) {
                            (TypedExpr::Field(id), Ty::TextList | Ty::NumberList) => {
                                Some((TypedExpr::FieldLen(id), Ty::Number))
                            }
                            (_, ty) => {
                                self.mismatch(
                                    arg,
                                    format!("`len` takes a list, but this is {}", ty.describe()),
                                    "not a list",
                                    None,
                                );
                                None
                            }
                        }
                    }
                }
            }
            _ => {
                let mut typed = Vec::with_capacity(args.len());
                let mut ok = true;
                for arg in args {
                    match self.arith_operand(arg, ctx) {
                        Some(t) => typed.push(t),
                        None => ok = false,
                    }
                }
                ok.then_some((TypedExpr::Call(func, typed), Ty::Number))
            }
        }
    }
}
