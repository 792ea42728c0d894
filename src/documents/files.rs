//! The files of one upload: one file, or several photos of one document (the pages of an
//! extract, an ID's front and back).

use super::inspect::FileKind;
use super::intake::StagedFile;
use super::model::DocumentFile;
use crate::errors::{Error, Rule};

/// The most files one document version may carry.
pub const MAX_FILES: usize = 10;

/// The received files of one upload: at least one, at most [`MAX_FILES`], and a PDF only on
/// its own (its pages are already one document; several files are photos).
pub struct StagedFiles(Vec<StagedFile>);

impl StagedFiles {
    /// The files in the order they came.
    pub fn new(files: Vec<StagedFile>) -> Result<StagedFiles, Error> {
        if files.is_empty() {
            return Err(Error::invalid("file", Rule::Required));
        }
        if files.len() > MAX_FILES {
            return Err(Error::invalid(
                "file",
                Rule::TooManyFiles { max: MAX_FILES },
            ));
        }
        if files.len() > 1 && files.iter().any(|f| f.kind == FileKind::Pdf) {
            return Err(Error::invalid("file", Rule::PdfAlone));
        }
        Ok(StagedFiles(files))
    }

    /// The files, first to last.
    pub fn iter(&self) -> impl Iterator<Item = &StagedFile> {
        self.0.iter()
    }

    /// Their bytes together.
    pub fn total_bytes(&self) -> u64 {
        self.0.iter().map(|f| f.size).sum()
    }

    /// What the document's JSON lists.
    pub fn described(&self) -> Vec<DocumentFile> {
        self.0
            .iter()
            .map(|f| DocumentFile {
                file_name: f.file_name.clone(),
                content_type: f.kind.content_type().to_owned(),
                size_bytes: i64::try_from(f.size).unwrap_or(i64::MAX),
                sha256: f.sha256.clone(),
            })
            .collect()
    }
}
