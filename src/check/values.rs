//! Example and `with { ... }` values: each constant typed by its field.

use super::checker::Checker;
use super::error::{did_you_mean, CheckError, CheckErrorKind};
use super::policy::{FieldId, FieldType, Value};
use crate::syntax::ast::{Constant, ConstantKind, FieldValue};

impl Checker<'_> {
    /// Types the fields of an example or a `with` block.
    pub(crate) fn field_values(&mut self, fields: &[FieldValue]) -> Vec<(FieldId, Value)> {
        let mut values: Vec<(FieldId, Value)> = Vec::new();
        for fv in fields {
            let Some(id) = self.schema.field_id(&fv.name.text) else {
                let err = CheckError::new(
                    self.sources,
                    CheckErrorKind::UnknownField,
                    fv.name.span,
                    format!("unknown field `{}`", fv.name.text),
                    "not in the record",
                )
                .with_help(
                    did_you_mean(&fv.name.text, self.schema.index.keys().map(String::as_str))
                        .unwrap_or_else(|| {
                            "examples name fields of the `record` block".to_string()
                        }),
                );
                self.report(err);
                continue;
            };
            if values.iter().any(|(f, _)| *f == id) {
                let err = CheckError::new(
                    self.sources,
                    CheckErrorKind::DuplicateName,
                    fv.name.span,
                    format!("field `{}` is given twice", fv.name.text),
                    "given again here",
                );
                self.report(err);
                continue;
            }
            if let Some(value) = self.constant_value(id, &fv.value) {
                values.push((id, value));
            }
        }
        values
    }

    fn constant_value(&mut self, id: FieldId, constant: &Constant) -> Option<Value> {
        let field = &self.schema.fields[id];
        let (name, ty) = (field.name.clone(), field.ty.clone());
        let value = match (&ty, &constant.kind) {
            (FieldType::Number, ConstantKind::Number(n)) => Some(Value::Number(*n)),
            (FieldType::Text, ConstantKind::Text(t)) => Some(Value::Text(t.clone())),
            (FieldType::Bool, ConstantKind::Bool(b)) => Some(Value::Bool(*b)),
            (FieldType::Enum(values), ConstantKind::Name(n)) => {
                match self.schema.enum_id(n).filter(|v| values.contains(v)) {
                    Some(v) => Some(Value::Enum(v)),
                    None => {
                        let options: Vec<String> = values
                            .iter()
                            .map(|v| self.schema.enum_name(*v).to_string())
                            .collect();
                        let err = CheckError::new(
                            self.sources,
                            CheckErrorKind::UnknownEnumValue,
                            constant.span,
                            format!("`{n}` is not a value of `{name}`"),
                            "unknown value",
                        )
                        .with_help(
                            did_you_mean(n, options.iter().map(String::as_str)).unwrap_or_else(
                                || format!("`{name}` is one of: {}", options.join(", ")),
                            ),
                        );
                        self.report(err);
                        return None;
                    }
                }
            }
            (FieldType::TextList, ConstantKind::List(items)) => items
                .iter()
                .map(|c| match &c.kind {
                    ConstantKind::Text(t) => Some(t.clone()),
                    _ => None,
                })
                .collect::<Option<Vec<_>>>()
                .map(Value::TextList),
            (FieldType::NumberList, ConstantKind::List(items)) => items
                .iter()
                .map(|c| match &c.kind {
                    ConstantKind::Number(n) => Some(*n),
                    _ => None,
                })
                .collect::<Option<Vec<_>>>()
                .map(Value::NumberList),
            _ => None,
        };
        if value.is_none() {
            let help = match (&ty, &constant.kind) {
                (FieldType::Enum(_), ConstantKind::Text(t)) => {
                    Some(format!("enum values are names: drop the quotes, `{t}`"))
                }
                (FieldType::Text, ConstantKind::Name(n)) => {
                    Some(format!("text is quoted: \"{n}\""))
                }
                _ => None,
            };
            let err = CheckError::new(
                self.sources,
                CheckErrorKind::TypeMismatch,
                constant.span,
                format!("field `{name}` is {}, but this value is not", ty.describe()),
                "wrong type",
            )
            .with_help_opt(help);
            self.report(err);
        }
        value
    }
}
