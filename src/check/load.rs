//! Loading: reads the main file, follows `use`, parses every file, and returns the
//! items in policy order (a used file's items stand where its `use` stands).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use miette::Diagnostic;
use thiserror::Error;

use super::error::{CheckError, CheckErrorKind};
use crate::source::{FileId, SourceMap, Span};
use crate::syntax::ast::{Header, Item, PolicyFile};
use crate::syntax::{self, ParseError};

/// The main policy file could not be read.
#[derive(Debug, Error, Diagnostic)]
#[error("cannot read policy file `{path}`: {message}")]
#[diagnostic(
    code(sweetspot::load::io),
    help("check the path; policy files are UTF-8 text ending in `.icp`")
)]
pub struct LoadError {
    /// The path as given.
    pub path: String,
    /// Why.
    pub message: String,
}

/// Any error that stops a policy from loading.
#[derive(Debug, Error, Diagnostic)]
pub enum PolicyError {
    /// The file could not be read.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Load(#[from] LoadError),
    /// Syntax.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Syntax(#[from] ParseError),
    /// Names, types, structure.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Check(#[from] CheckError),
}

impl PolicyError {
    /// The diagnostic code as text.
    pub fn code_str(&self) -> String {
        self.code().map(|c| c.to_string()).unwrap_or_default()
    }
}

/// The parsed files of one policy.
pub(crate) struct Loaded {
    pub sources: SourceMap,
    /// The main file's header.
    pub header: Option<Header>,
    /// Items of all files in policy order.
    pub items: Vec<Item>,
    /// Items' files that were reached through `use` (not the main file).
    pub used_files: Vec<FileId>,
}

/// Where a file's text comes from.
pub(crate) enum Origin<'a> {
    /// A path on disk.
    Path(&'a Path),
    /// Text handed in by a library user; `use` resolves against the working folder.
    Text { name: &'a str, text: &'a str },
}

pub(crate) fn load(origin: Origin<'_>, errors: &mut Vec<PolicyError>) -> Option<Loaded> {
    let mut loader = Loader {
        sources: SourceMap::default(),
        stack: Vec::new(),
        stack_names: Vec::new(),
        seen: Vec::new(),
        items: Vec::new(),
        used_files: Vec::new(),
        errors,
    };
    let (name, path, text) = match origin {
        Origin::Path(path) => match read(path) {
            Ok(text) => (path.display().to_string(), path.to_path_buf(), text),
            Err(message) => {
                loader.errors.push(
                    LoadError {
                        path: path.display().to_string(),
                        message,
                    }
                    .into(),
                );
                return None;
            }
        },
        Origin::Text { name, text } => (name.to_string(), PathBuf::new(), text.to_string()),
    };
    let header = loader.file(name, path, text, true);
    Some(Loaded {
        sources: loader.sources,
        header,
        items: loader.items,
        used_files: loader.used_files,
    })
}

/// The most files a policy may `use`, directly or through other used files.
pub const MAX_USED_FILES: usize = 64;

fn read(path: &Path) -> Result<String, String> {
    use std::io::Read;
    if path.is_dir() {
        return Err("it is a directory".to_string());
    }
    let file = std::fs::File::open(path).map_err(|e| io_message(&e))?;
    if !file.metadata().map_err(|e| io_message(&e))?.is_file() {
        return Err("it is not a regular file".to_string());
    }
    // One byte past the limit is enough for the parser to report the file as too large.
    let mut bytes = Vec::new();
    file.take(crate::syntax::limits::MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io_message(&e))?;
    if bytes.len() > crate::syntax::limits::MAX_FILE_BYTES {
        // Too large: the parser says so (the text itself is not looked at).
        return Ok(String::from_utf8_lossy(&bytes).into_owned());
    }
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "not valid UTF-8 (byte {} is invalid)",
            e.utf8_error().valid_up_to()
        )
    })
}

struct Loader<'e> {
    sources: SourceMap,
    /// Canonical paths of the files being loaded, innermost last (for cycles).
    stack: Vec<PathBuf>,
    /// The same files by their shown names.
    stack_names: Vec<String>,
    /// Canonical paths already included (a file reached twice is included once).
    seen: Vec<PathBuf>,
    items: Vec<Item>,
    used_files: Vec<FileId>,
    errors: &'e mut Vec<PolicyError>,
}

impl Loader<'_> {
    fn file(&mut self, name: String, path: PathBuf, text: String, main: bool) -> Option<Header> {
        let canonical = path.canonicalize().unwrap_or_else(|_| path.clone());
        let id = self.sources.add(name, path.clone(), Arc::from(text));
        if !main {
            self.used_files.push(id);
        }
        let parsed = {
            let source = self.sources.file(id);
            syntax::parse(source)
        };
        let file: PolicyFile = match parsed {
            Ok(file) => file,
            Err(errs) => {
                self.errors.extend(errs.into_iter().map(PolicyError::from));
                return None;
            }
        };
        if let (false, Some(header)) = (main, &file.header) {
            self.errors.push(
                CheckError::new(
                    &self.sources,
                    CheckErrorKind::Header,
                    header.span,
                    "a used file has no `policy` header",
                    "header in a used file",
                )
                .with_help(
                    "remove this line; the policy's name and version belong to the main file",
                )
                .into(),
            );
        }
        self.stack.push(canonical.clone());
        self.stack_names.push(self.sources.file(id).name.clone());
        self.seen.push(canonical);
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        for item in file.items {
            if let Item::Use(target, span) = &item {
                self.use_file(&base, &target.value, target.span.to(*span));
            }
            self.items.push(item);
        }
        self.stack.pop();
        self.stack_names.pop();
        file.header
    }

    fn use_file(&mut self, base: &Path, target: &str, span: Span) {
        let path = base.join(target);
        let canonical = path.canonicalize().unwrap_or_else(|_| path.clone());
        if self.stack.contains(&canonical) {
            let chain: Vec<String> = self
                .stack_names
                .iter()
                .cloned()
                .chain(std::iter::once(path.display().to_string()))
                .collect();
            self.errors.push(
                CheckError::new(
                    &self.sources,
                    CheckErrorKind::UseCycle,
                    span,
                    format!("`use \"{target}\"` leads back to a file that is being loaded"),
                    "this use closes a cycle",
                )
                .with_help(format!(
                    "the files use each other in a circle: {}; move the shared items into a file that uses none of them",
                    chain.join(" → ")
                ))
                .into(),
            );
            return;
        }
        if self.seen.contains(&canonical) {
            return;
        }
        if self.used_files.len() >= MAX_USED_FILES {
            self.errors.push(
                CheckError::new(
                    &self.sources,
                    CheckErrorKind::TooManyFiles,
                    span,
                    format!("a policy may use at most {MAX_USED_FILES} files; `{target}` would be one more"),
                    "one file too many",
                )
                .with_help("merge small used files into larger ones")
                .into(),
            );
            return;
        }
        match read(&path) {
            Ok(text) => {
                let name = path.display().to_string();
                self.file(name, path, text, false);
            }
            Err(message) => self.errors.push(
                CheckError::new(
                    &self.sources,
                    CheckErrorKind::UseMissing,
                    span,
                    format!("cannot read used file `{}`: {message}", path.display()),
                    "used here",
                )
                .with_help("paths in `use` are relative to the file that uses them")
                .into(),
            ),
        }
    }
}

/// A short reason for an I/O error, without the OS error number.
fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}
