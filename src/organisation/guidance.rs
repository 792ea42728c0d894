//! What helps a buyer find the right document of each type: a short help text in German and in
//! English (the portal's own text unless staff wrote one) and an optional template to fill in
//! (a PDF, kept in the blob store like documents, so it works on local files and S3 alike).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::documents::model::DocumentType;
use crate::errors::{Error, FieldProblem, Rule};
use crate::i18n::Language;
use crate::storage::BlobKey;

/// Longest help text: a few sentences under a type's name, not a manual.
pub const MAX_HELP_CHARS: usize = 600;

/// The largest template accepted: a form of a few pages.
pub const MAX_TEMPLATE_BYTES: u64 = 5 * 1024 * 1024;

/// What staff set for one type; absent parts fall back to the portal's defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TypeGuidance {
    /// The German help text, when staff wrote one.
    pub help_de: Option<String>,
    /// The English help text, when staff wrote one.
    pub help_en: Option<String>,
    /// The template to download, if there is one.
    pub template: Option<TemplateFile>,
}

/// A type's template, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TemplateFile {
    /// Its blob.
    pub blob_key: String,
    /// The cleaned file name the buyer's download gets.
    pub file_name: String,
    /// Its size.
    pub size_bytes: u64,
    /// SHA-256 of its bytes, hex (backups check the copy against it).
    pub sha256: String,
    /// When it was uploaded (ms).
    pub uploaded_at: i64,
}

impl TemplateFile {
    /// Where its bytes are.
    pub fn key(&self) -> BlobKey {
        BlobKey::from_stored(self.blob_key.clone())
    }
}

impl TypeGuidance {
    /// The text staff wrote for `l`, if any.
    pub fn custom_help(&self, l: Language) -> Option<&str> {
        match l {
            Language::De => self.help_de.as_deref(),
            Language::En => self.help_en.as_deref(),
        }
    }

    /// Whether nothing is set (the entry can go).
    pub fn is_empty(&self) -> bool {
        self.help_de.is_none() && self.help_en.is_none() && self.template.is_none()
    }
}

/// The help text of `document_type` in `l`: what staff wrote, else the portal's own
/// (`type-guidance-help-<TYPE>`).
pub fn help_text(
    guidance: &BTreeMap<DocumentType, TypeGuidance>,
    document_type: DocumentType,
    l: Language,
) -> String {
    guidance
        .get(&document_type)
        .and_then(|g| g.custom_help(l))
        .map_or_else(
            || l.text(&format!("type-guidance-help-{}", document_type.as_str())),
            str::to_owned,
        )
}

/// A help text as typed: trimmed, line breaks kept as `\n`; empty means "the default". The
/// field is named `field` in the 422 of anything longer than [`MAX_HELP_CHARS`] or holding
/// other control characters.
pub fn parse_help(field: &str, text: &str) -> Result<Option<String>, FieldProblem> {
    // Any line break (CR LF, CR, LF) is kept as LF.
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().count() > MAX_HELP_CHARS {
        return Err(FieldProblem::new(
            field,
            Rule::TooLong {
                max: MAX_HELP_CHARS,
            },
        ));
    }
    if text.chars().any(|c| c.is_control() && c != '\n') {
        return Err(FieldProblem::new(field, Rule::ControlCharacters));
    }
    Ok(Some(text.to_owned()))
}

/// The help texts of a form or patch (by type name and language) applied over `current`;
/// templates are kept. Every wrong field is named (`helpTexts.<TYPE>.<de|en>`).
pub fn apply_help_texts(
    current: &BTreeMap<DocumentType, TypeGuidance>,
    texts: &BTreeMap<(String, Language), String>,
) -> Result<BTreeMap<DocumentType, TypeGuidance>, Vec<FieldProblem>> {
    let mut guidance = current.clone();
    let mut problems = Vec::new();
    for ((code, l), text) in texts {
        let field = format!("helpTexts.{code}.{}", l.code());
        let Some(document_type) = DocumentType::parse(code) else {
            problems.push(FieldProblem::new(field, Rule::UnknownDocumentType));
            continue;
        };
        match parse_help(&field, text) {
            Ok(help) => {
                let entry = guidance.entry(document_type).or_default();
                match l {
                    Language::De => entry.help_de = help,
                    Language::En => entry.help_en = help,
                }
            }
            Err(problem) => problems.push(problem),
        }
    }
    guidance.retain(|_, g| !g.is_empty());
    if problems.is_empty() {
        Ok(guidance)
    } else {
        Err(problems)
    }
}

/// Whether a template of `size` bytes, typed as `is_pdf` by its bytes, may be kept; the 422
/// names `template` otherwise.
pub fn check_template(is_pdf: bool, size: u64) -> Result<(), Error> {
    if !is_pdf {
        return Err(Error::invalid("template", Rule::TemplateKind));
    }
    if size > MAX_TEMPLATE_BYTES {
        return Err(Error::TooLarge {
            what: "the template",
            max: MAX_TEMPLATE_BYTES,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_texts_are_trimmed_limited_and_one_kind_of_line_break() {
        assert_eq!(parse_help("f", "  \r\n "), Ok(None));
        assert_eq!(parse_help("f", " a\r\nb "), Ok(Some("a\nb".to_owned())));
        assert!(parse_help("f", &"x".repeat(MAX_HELP_CHARS)).is_ok());
        assert!(parse_help("f", &"x".repeat(MAX_HELP_CHARS + 1)).is_err());
        assert!(parse_help("f", "a\u{7}b").is_err());
    }

    #[test]
    fn an_empty_text_falls_back_to_the_default_and_unknown_types_are_named() {
        let mut texts = BTreeMap::new();
        texts.insert(
            ("AML_DECLARATION".to_owned(), Language::De),
            "Bitte".to_owned(),
        );
        texts.insert(("AML_DECLARATION".to_owned(), Language::En), String::new());
        let saved = apply_help_texts(&BTreeMap::new(), &texts).unwrap();
        let aml = &saved[&DocumentType::AmlDeclaration];
        assert_eq!(aml.help_de.as_deref(), Some("Bitte"));
        assert_eq!(aml.help_en, None);

        texts.insert(("NOPE".to_owned(), Language::De), "x".to_owned());
        let problems = apply_help_texts(&saved, &texts).unwrap_err();
        assert_eq!(problems[0].field, "helpTexts.NOPE.de");
    }
}
