//! Reading a multipart upload form: small text fields, and files streamed through an
//! `Intake` each (never whole in memory).

use std::collections::HashMap;
use std::path::Path;

use actix_multipart::Multipart;
use futures_util::StreamExt;

use crate::documents::{Intake, IntakeError, StagedFile};
use crate::errors::{Error, Rule};

/// The longest text field accepted (dates, type names, CSRF tokens).
const MAX_TEXT_FIELD: usize = 1024;
/// The most text fields a form may carry (ours have three), so no request can grow memory.
const MAX_TEXT_FIELDS: usize = 16;

/// An upload form as received.
pub struct UploadForm {
    /// Text fields by name (those that came before a failure, if one happened).
    pub fields: HashMap<String, String>,
    /// The files, in the order they came.
    pub files: Vec<StagedFile>,
    /// Why reading stopped early (a file too large or refused, a broken body), if it did.
    pub failure: Option<Error>,
}

impl UploadForm {
    /// The form, or the failure that cut it short.
    pub fn complete(self) -> Result<UploadForm, Error> {
        match self.failure {
            Some(failure) => Err(failure),
            None => Ok(self),
        }
    }
}

impl UploadForm {
    /// A text field.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }
}

/// What files a form may carry.
#[derive(Debug, Clone, Copy)]
pub struct FileLimits {
    /// The most files (parts named as the file field).
    pub max_files: usize,
    /// The most bytes of all files together.
    pub max_bytes: u64,
}

/// Reads the whole form; each part named `file_field` is streamed into a staged file in
/// `staging_dir`. A failure stops the reading; the fields read before it are kept, so a page
/// can say which form went wrong.
pub async fn read(
    payload: Multipart,
    file_field: &str,
    staging_dir: &Path,
    limits: FileLimits,
) -> UploadForm {
    let mut form = UploadForm {
        fields: HashMap::new(),
        files: Vec::new(),
        failure: None,
    };
    if let Err(failure) = read_into(&mut form, payload, file_field, staging_dir, limits).await {
        form.failure = Some(failure);
    }
    form
}

/// Reads a form that is refused before its content matters and drops it (at most `max_bytes`),
/// so the client that is still sending it receives the answer rather than a reset connection.
pub async fn discard(mut payload: Multipart, max_bytes: u64) {
    let mut seen: u64 = 0;
    while let Some(Ok(mut field)) = payload.next().await {
        while let Some(Ok(chunk)) = field.next().await {
            seen = seen.saturating_add(chunk.len() as u64);
            if seen > max_bytes {
                return;
            }
        }
    }
}

async fn read_into(
    form: &mut UploadForm,
    mut payload: Multipart,
    file_field: &str,
    staging_dir: &Path,
    limits: FileLimits,
) -> Result<(), Error> {
    let mut received: u64 = 0;
    while let Some(field) = payload.next().await {
        let mut field =
            field.map_err(|e| Error::Malformed(format!("the multipart body is malformed: {e}")))?;
        let name = field.name().unwrap_or_default().to_owned();
        if name == file_field {
            if form.files.len() >= limits.max_files {
                return Err(Error::invalid(
                    file_field,
                    Rule::TooManyFiles {
                        max: limits.max_files,
                    },
                ));
            }
            let client_name = field
                .content_disposition()
                .and_then(|cd| cd.get_filename())
                .map(str::to_owned);
            // The limit holds for all files together: each may use what the others left.
            let left = limits.max_bytes.saturating_sub(received);
            let mut intake = Intake::begin(staging_dir, left).await?;
            while let Some(chunk) = field.next().await {
                let chunk =
                    chunk.map_err(|e| Error::Malformed(format!("the upload broke off: {e}")))?;
                intake.write(&chunk).await.map_err(|e| match e {
                    IntakeError::TooLarge { .. } => IntakeError::TooLarge {
                        max: limits.max_bytes,
                    },
                    e => e,
                })?;
            }
            let staged = intake.finish(client_name.as_deref()).await?;
            received = received.saturating_add(staged.size);
            form.files.push(staged);
        } else {
            if form.fields.len() >= MAX_TEXT_FIELDS {
                return Err(Error::Malformed("the form has too many fields".into()));
            }
            let mut value = Vec::new();
            while let Some(chunk) = field.next().await {
                let chunk =
                    chunk.map_err(|e| Error::Malformed(format!("the form broke off: {e}")))?;
                if value.len() + chunk.len() > MAX_TEXT_FIELD {
                    return Err(Error::invalid(name, Rule::TooLong { max: 1024 }));
                }
                value.extend_from_slice(&chunk);
            }
            let value =
                String::from_utf8(value).map_err(|_| Error::invalid(name.clone(), Rule::Utf8))?;
            form.fields.insert(name, value);
        }
    }
    Ok(())
}
