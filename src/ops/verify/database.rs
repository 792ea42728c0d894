//! The database side of a verification: an SQLite file checked against the manifest and by
//! SQLite itself, then its document rows; or the rows of a running database.

use anyhow::Context;
use sqlx::Row;

use super::{DatabaseSource, Report};
use crate::documents::store::{BlobRecord, blob_records};
use crate::ops::files;
use crate::ops::manifest::{DatabaseCopy, Manifest};
use crate::ops::progress::human_bytes;
use crate::organisation::template;

/// The document rows of the database, after checking an SQLite file against the manifest.
pub(super) async fn read_rows(
    manifest: &Manifest,
    source: &DatabaseSource,
    report: &mut Report,
) -> anyhow::Result<Option<Vec<BlobRecord>>> {
    match (source, &manifest.database) {
        (DatabaseSource::File(path), DatabaseCopy::Sqlite { sha256, size, .. }) => {
            let found = match files::digest_file(path).await {
                Ok(found) => found,
                Err(e) => {
                    report
                        .problems
                        .push(format!("database {} cannot be read: {e}", path.display()));
                    return Ok(None);
                }
            };
            if found.sha256 != *sha256 || found.size != *size {
                report.problems.push(format!(
                    "database {} is not the one the backup took ({} bytes, sha256 {}; the \
                     manifest says {size} bytes, sha256 {sha256})",
                    path.display(),
                    found.size,
                    found.sha256
                ));
                return Ok(None);
            }
            let mut copy = crate::db::open_copy(path)
                .await
                .with_context(|| format!("opening {}", path.display()))?;
            let verdict: String = sqlx::query("PRAGMA quick_check")
                .fetch_one(&mut copy)
                .await?
                .try_get(0)?;
            if verdict != "ok" {
                report.problems.push(format!(
                    "database {} fails SQLite's quick_check: {verdict}",
                    path.display()
                ));
                return Ok(None);
            }
            report.checked.push(format!(
                "database: {} matches the manifest ({}) and passes SQLite's quick_check",
                path.display(),
                human_bytes(found.size)
            ));
            let mut rows = blob_records(&mut copy).await?;
            rows.extend(template::blob_records(&mut copy).await?);
            Ok(Some(rows))
        }
        (DatabaseSource::Live(db), _) => {
            let mut rows = blob_records(db.pool())
                .await
                .context("reading the document rows (was the PostgreSQL dump restored first?)")?;
            rows.extend(template::blob_records(db.pool()).await?);
            Ok(Some(rows))
        }
        (DatabaseSource::NotHere { dump }, DatabaseCopy::Postgres { dump: entry, .. }) => {
            match (entry, dump) {
                (Some(entry), Some(path)) => match files::digest_file(path).await {
                    Ok(found) if found.sha256 == entry.sha256 && found.size == entry.size => {
                        report.checked.push(format!(
                            "database: the PostgreSQL dump {} matches the manifest ({}); its rows \
                             are checked against the blobs when `restore` runs after pg_restore",
                            path.display(),
                            human_bytes(found.size)
                        ));
                    }
                    Ok(_) => report.problems.push(format!(
                        "the PostgreSQL dump {} is not the one the backup recorded",
                        path.display()
                    )),
                    Err(e) => report.problems.push(format!(
                        "the PostgreSQL dump {} cannot be read: {e}",
                        path.display()
                    )),
                },
                _ => report.checked.push(
                    "database: PostgreSQL, not in this backup (no pg_dump file was in the folder)"
                        .to_owned(),
                ),
            }
            Ok(None)
        }
        _ => anyhow::bail!("the manifest's database does not match where it was looked for"),
    }
}
