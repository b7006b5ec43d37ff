//! Describing checked expressions in words a rep can read: the condition as written,
//! and the same condition with the record's values in place of the fields.

use crate::check::{ConstList, FieldId, Func, ListRef, Policy, TypedExpr, Value};
use crate::eval::{eval, Out, Truth, Val};
use crate::io::format_number;
use crate::record::Record;
use crate::syntax::ast::ArithOp;

/// A value as a policy author would write it.
pub fn value_text(policy: &Policy, value: &Value) -> String {
    val_text(policy, &Val::of(value))
}

fn val_text(policy: &Policy, val: &Val<'_>) -> String {
    match val {
        Val::Number(n) => format_number(*n),
        Val::Text(t) => format!("{t:?}"),
        Val::Bool(b) => b.to_string(),
        Val::Enum(e) => policy.schema.enum_name(*e).to_string(),
        Val::TextList(items) => format!(
            "[{}]",
            items
                .iter()
                .map(|i| format!("{i:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Val::NumberList(items) => format!(
            "[{}]",
            items
                .iter()
                .map(|n| format_number(*n))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn list_text(policy: &Policy, list: &ConstList) -> String {
    let items: Vec<String> = match list {
        ConstList::Numbers(v) => v.iter().map(|n| format_number(*n)).collect(),
        ConstList::Texts(v) => v.iter().map(|t| format!("{t:?}")).collect(),
        ConstList::Enums(v) => v
            .iter()
            .map(|e| policy.schema.enum_name(*e).to_string())
            .collect(),
    };
    format!("[{}]", items.join(", "))
}

fn prec(e: &TypedExpr) -> u8 {
    match e {
        TypedExpr::Or(..) => 1,
        TypedExpr::And(..) => 2,
        TypedExpr::Not(_) => 3,
        TypedExpr::Compare(..)
        | TypedExpr::In { .. }
        | TypedExpr::Between(..)
        | TypedExpr::Is { .. } => 4,
        TypedExpr::Arith(ArithOp::Add | ArithOp::Sub, ..) => 5,
        TypedExpr::Arith(..) => 6,
        TypedExpr::Neg(_) => 7,
        _ => 8,
    }
}

/// How fields are shown: by name, or by the record's value.
#[derive(Clone, Copy)]
enum Fields<'r> {
    Names,
    Values(&'r Record),
}

fn field_text(policy: &Policy, id: FieldId, fields: Fields<'_>) -> String {
    let name = &policy.schema.fields[id].name;
    match fields {
        Fields::Names => name.clone(),
        Fields::Values(record) => match record.values.get(id).and_then(Option::as_ref) {
            Some(v) => value_text(policy, v),
            None => format!("{name} (missing)"),
        },
    }
}

fn text(policy: &Policy, e: &TypedExpr, min: u8, fields: Fields<'_>) -> String {
    let p = prec(e);
    let t = |x: &TypedExpr, m: u8| text(policy, x, m, fields);
    let s = match e {
        TypedExpr::Number(n) => format_number(*n),
        TypedExpr::Text(s) => format!("{s:?}"),
        TypedExpr::Bool(b) => b.to_string(),
        TypedExpr::Enum(id) => policy.schema.enum_name(*id).to_string(),
        TypedExpr::Field(id) => field_text(policy, *id, fields),
        TypedExpr::Score => "score".to_string(),
        TypedExpr::Neg(x) => format!("-{}", t(x, 7)),
        TypedExpr::Not(x) => format!("not {}", t(x, 3)),
        TypedExpr::Arith(op, l, r) => format!("{} {} {}", t(l, p), op.symbol(), t(r, p + 1)),
        TypedExpr::And(l, r) => format!("{} and {}", t(l, p), t(r, p + 1)),
        TypedExpr::Or(l, r) => format!("{} or {}", t(l, p), t(r, p + 1)),
        TypedExpr::Compare(op, l, r) => format!("{} {} {}", t(l, 5), op.symbol(), t(r, 5)),
        TypedExpr::In {
            item,
            list,
            negated,
        } => {
            let list = match list {
                ListRef::Const(_, Some(name)) => name.clone(),
                ListRef::Const(list, None) => list_text(policy, list),
                ListRef::Field(id) => field_text(policy, *id, fields),
            };
            format!(
                "{} {}in {list}",
                t(item, 5),
                if *negated { "not " } else { "" }
            )
        }
        TypedExpr::Between(x, lo, hi) => {
            format!("{} between {} and {}", t(x, 5), t(lo, 5), t(hi, 5))
        }
        TypedExpr::Is { field, present } => format!(
            "{} is {}",
            policy.schema.fields[*field].name,
            if *present { "present" } else { "missing" }
        ),
        TypedExpr::Call(func, args) => {
            let name = match func {
                Func::Min => "min",
                Func::Max => "max",
                Func::Clamp => "clamp",
                Func::Abs => "abs",
                Func::Lower => "lower",
                Func::Len => "len",
            };
            let args: Vec<String> = args.iter().map(|a| t(a, 0)).collect();
            format!("{name}({})", args.join(", "))
        }
        TypedExpr::ConstLen(n) => n.to_string(),
        TypedExpr::FieldLen(id) => format!("len({})", field_text(policy, *id, fields)),
    };
    if p < min {
        format!("({s})")
    } else {
        s
    }
}

/// The expression as written (names, not values).
pub fn expr_text(policy: &Policy, e: &TypedExpr) -> String {
    text(policy, e, 0, Fields::Names)
}

/// The expression with the record's values in place of its fields.
pub fn expr_with_values(policy: &Policy, e: &TypedExpr, record: &Record) -> String {
    text(policy, e, 0, Fields::Values(record))
}

/// An atomic condition of a rule, shown with the record's values, and its truth.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Fact {
    /// The condition as written.
    pub condition: String,
    /// The same with the record's values.
    pub with_values: String,
    /// Its truth for this record.
    pub truth: Truth,
}

/// The atomic conditions (comparisons, `in`, `between`, `is`, bool fields) of `e`, in order.
pub fn facts(policy: &Policy, e: &TypedExpr, record: &Record) -> Vec<Fact> {
    let mut out = Vec::new();
    collect_facts(policy, e, record, &mut out);
    out
}

fn collect_facts(policy: &Policy, e: &TypedExpr, record: &Record, out: &mut Vec<Fact>) {
    match e {
        TypedExpr::And(l, r) | TypedExpr::Or(l, r) => {
            collect_facts(policy, l, record, out);
            collect_facts(policy, r, record, out);
        }
        TypedExpr::Not(x) => collect_facts(policy, x, record, out),
        _ => out.push(Fact {
            condition: expr_text(policy, e),
            // A bare bool field reads better as `in_merger = true` than as `true`.
            with_values: match e {
                TypedExpr::Field(f) => format!(
                    "{} = {}",
                    policy.schema.fields[*f].name,
                    field_text(policy, *f, Fields::Values(record))
                ),
                _ => expr_with_values(policy, e, record),
            },
            truth: crate::eval::truth(&eval(e, record, 0.0)),
        }),
    }
}

/// The value an expression has for a record, as text (`unknown` when it has none).
pub fn result_text(policy: &Policy, e: &TypedExpr, record: &Record) -> String {
    match eval(e, record, 0.0) {
        Out::Known(v) => val_text(policy, &v),
        Out::Unknown(_) => "unknown".to_string(),
    }
}

/// Every field an expression reads, each once, in reading order.
pub fn fields_read(e: &TypedExpr) -> Vec<FieldId> {
    let mut out = Vec::new();
    walk_fields(e, &mut out);
    out
}

fn walk_fields(e: &TypedExpr, out: &mut Vec<FieldId>) {
    let mut push = |f: FieldId| {
        if !out.contains(&f) {
            out.push(f);
        }
    };
    match e {
        TypedExpr::Field(f) | TypedExpr::FieldLen(f) => push(*f),
        TypedExpr::Is { field, .. } => push(*field),
        TypedExpr::In { item, list, .. } => {
            walk_fields(item, out);
            if let ListRef::Field(f) = list {
                if !out.contains(f) {
                    out.push(*f);
                }
            }
        }
        TypedExpr::Neg(x) | TypedExpr::Not(x) => walk_fields(x, out),
        TypedExpr::Arith(_, l, r)
        | TypedExpr::And(l, r)
        | TypedExpr::Or(l, r)
        | TypedExpr::Compare(_, l, r) => {
            walk_fields(l, out);
            walk_fields(r, out);
        }
        TypedExpr::Between(x, lo, hi) => {
            walk_fields(x, out);
            walk_fields(lo, out);
            walk_fields(hi, out);
        }
        TypedExpr::Call(_, args) => args.iter().for_each(|a| walk_fields(a, out)),
        _ => {}
    }
}
