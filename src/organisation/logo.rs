//! The organisation's logo: a PNG or JPEG (typed by its bytes, never by a name or a declared
//! type), at most 512 KiB, kept in the database so that every instance serves the same one.
//! The settings document carries its version, so pages know whether there is one without
//! reading it.

use sqlx::Row;

use super::{load_in, replace as record_settings};
use crate::db::{Db, now};
use crate::documents::inspect::FileKind;
use crate::errors::{Error, Rule};
use crate::write::WriteTx;

/// The largest logo accepted: plenty for a crisp header image, small enough to sit in a row.
pub const MAX_LOGO_BYTES: u64 = 512 * 1024;

/// The stored logo.
#[derive(Debug, Clone)]
pub struct Logo {
    /// `image/png` or `image/jpeg`.
    pub content_type: String,
    /// The image.
    pub bytes: Vec<u8>,
    /// When it was uploaded (ms); its version.
    pub updated_at: i64,
}

/// The current logo, if there is one.
pub async fn load(db: &Db) -> Result<Option<Logo>, Error> {
    let row =
        sqlx::query("SELECT content_type, bytes, updated_at FROM organisation_logo WHERE id = 1")
            .fetch_optional(db.pool())
            .await?;
    Ok(match row {
        Some(row) => Some(Logo {
            content_type: row.try_get("content_type")?,
            bytes: row.try_get("bytes")?,
            updated_at: row.try_get("updated_at")?,
        }),
        None => None,
    })
}

/// Replaces the logo with an image already typed by its bytes; 422 on `logo` for anything
/// but a PNG or JPEG of at most [`MAX_LOGO_BYTES`]. Recorded in the audit history as a
/// change of the settings.
pub async fn replace(tx: &mut WriteTx, kind: FileKind, bytes: Vec<u8>) -> Result<(), Error> {
    if !matches!(kind, FileKind::Png | FileKind::Jpeg) {
        return Err(Error::invalid("logo", Rule::LogoKind));
    }
    if bytes.len() as u64 > MAX_LOGO_BYTES {
        return Err(Error::TooLarge {
            what: "the logo",
            max: MAX_LOGO_BYTES,
        });
    }
    let at = now().millis();
    let conn = tx.conn().await?;
    sqlx::query(
        "INSERT INTO organisation_logo (id, content_type, bytes, updated_at) VALUES (1, $1, $2, $3) \
         ON CONFLICT (id) DO UPDATE SET content_type = $1, bytes = $2, updated_at = $3",
    )
    .bind(kind.content_type())
    .bind(bytes)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    let before = load_in(&mut *conn).await?;
    let after = super::OrganisationSettings {
        logo_version: Some(at),
        ..before.clone()
    };
    record_settings(tx, "logo-replaced", &before, &after).await
}

/// Removes the logo; the pages show the organisation's name alone again.
pub async fn remove(tx: &mut WriteTx) -> Result<(), Error> {
    let conn = tx.conn().await?;
    sqlx::query("DELETE FROM organisation_logo WHERE id = 1")
        .execute(&mut *conn)
        .await?;
    let before = load_in(&mut *conn).await?;
    let after = super::OrganisationSettings {
        logo_version: None,
        ..before.clone()
    };
    record_settings(tx, "logo-removed", &before, &after).await
}
