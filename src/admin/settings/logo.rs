//! The logo upload: a multipart form streamed through the same intake as documents (typed by
//! its bytes, never by its name), of which only PNG and JPEG up to 512 KiB are kept.

use std::collections::BTreeMap;

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::super::page;
use super::{RefusedFile, RemoveForm, render};
use crate::admin::guard::{Admin, StaffForm};
use crate::errors::Error;
use crate::http::upload_form;
use crate::organisation::{self, RawSettings, logo::MAX_LOGO_BYTES};
use crate::state::AppState;
use crate::write;

/// `POST /admin/settings/logo` — administrators: replaces the logo.
pub async fn upload_post(
    req: HttpRequest,
    me: Admin,
    state: web::Data<AppState>,
    payload: Multipart,
) -> Result<HttpResponse, Error> {
    let limits = upload_form::FileLimits {
        max_files: 1,
        max_bytes: MAX_LOGO_BYTES,
    };
    let form = upload_form::read(payload, "logo", state.blobs.staging_dir(), limits).await;
    me.check_csrf(form.field("csrf").unwrap_or_default())?;
    let l = me.language();
    let kib = (MAX_LOGO_BYTES / 1024).to_string();
    let refused = |id: &str| Some(l.text_with(id, &[("size", &kib)]));
    let logo_error = match form.complete() {
        Err(Error::TooLarge { .. }) => refused("admin-settings-logo-too-large"),
        Err(Error::Invalid(_)) => refused("admin-settings-logo-wrong-type"),
        Err(e) => return Err(e),
        Ok(form) => match form.files.into_iter().next() {
            None => refused("admin-settings-logo-missing"),
            Some(staged) => {
                let bytes = tokio::fs::read(&staged.path).await.map_err(|e| {
                    Error::Internal(anyhow::Error::new(e).context("reading a staged logo"))
                })?;
                let replaced = write::apply(&state.db, me.actor(), async |tx| {
                    organisation::logo::replace(tx, staged.kind, bytes).await
                })
                .await;
                match replaced {
                    Ok(()) => {
                        return Ok(page::done("/admin/settings", "admin-flash-logo-saved"));
                    }
                    Err(Error::Invalid(_)) => refused("admin-settings-logo-wrong-type"),
                    Err(Error::TooLarge { .. }) => refused("admin-settings-logo-too-large"),
                    Err(e) => return Err(e),
                }
            }
        },
    };
    let current = organisation::load(&state.db).await?;
    render(
        &req,
        &me,
        &current,
        StatusCode::UNPROCESSABLE_ENTITY,
        RawSettings::from_settings(&current),
        BTreeMap::new(),
        logo_error.map(RefusedFile::Logo),
    )
    .await
}

/// `POST /admin/settings/logo/remove` — administrators: the pages show the name alone again.
pub async fn remove_post(
    state: web::Data<AppState>,
    StaffForm {
        who: me,
        fields: form,
    }: StaffForm<RemoveForm, Admin>,
) -> Result<HttpResponse, Error> {
    if !form.confirmed() {
        return Ok(page::failed(
            "/admin/settings",
            "admin-flash-logo-not-confirmed",
        ));
    }
    write::apply(&state.db, me.actor(), async |tx| {
        organisation::logo::remove(tx).await
    })
    .await?;
    Ok(page::done("/admin/settings", "admin-flash-logo-removed"))
}
