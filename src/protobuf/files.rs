//! Reading `.proto` files from disk: a schema with the files it imports, read from beside it (as
//! the registry holds a schema with its references).

use std::path::Path;

use super::parse::{Imported, Problem, parse};
use super::schema::Schema;
use crate::source::{FileId, SourceMap};

/// A schema file and what it imports, read from the folder it is in.
pub(crate) fn read(sources: &SourceMap, file: FileId) -> Result<Schema, Vec<Problem>> {
    let source = sources.get(file);
    let folder = source.path.parent().unwrap_or(Path::new(""));
    let shown_folder = Path::new(&source.name).parent().unwrap_or(Path::new(""));
    let name = source.path.file_name().map_or_else(|| source.name.clone(), |n| n.to_string_lossy().into_owned());
    let load = |import: &str| {
        let text = std::fs::read_to_string(folder.join(import)).ok()?;
        Some(Imported { shown: shown_folder.join(import).display().to_string(), text, reference: None })
    };
    parse(&source.name, &name, &source.text, &load)
}
