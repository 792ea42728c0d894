//! A document type's template on the settings page: uploaded as a multipart form through the
//! same intake as documents (typed by its bytes), kept only when it is a PDF; replaced by the
//! next upload, or removed.

use std::collections::BTreeMap;

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::super::page;
use super::{RefusedFile, RemoveForm, render};
use crate::admin::guard::{Admin, StaffForm};
use crate::documents::DocumentType;
use crate::errors::Error;
use crate::http::upload_form;
use crate::organisation::guidance::MAX_TEMPLATE_BYTES;
use crate::organisation::{self, RawSettings, template};
use crate::state::AppState;
use crate::write;

fn document_type(path: &str) -> Result<DocumentType, Error> {
    DocumentType::parse(path).ok_or(Error::NotFound("document type"))
}

/// `POST /admin/settings/templates/{type}` — administrators: replaces the type's template.
/// A refused file leaves the current template as it was and says why next to the type's form.
pub async fn upload_post(
    req: HttpRequest,
    me: Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
    payload: Multipart,
) -> Result<HttpResponse, Error> {
    let document_type = document_type(&path)?;
    let limits = upload_form::FileLimits {
        max_files: 1,
        max_bytes: MAX_TEMPLATE_BYTES,
    };
    let form = upload_form::read(payload, "template", state.blobs.staging_dir(), limits).await;
    me.check_csrf(form.field("csrf").unwrap_or_default())?;
    let l = me.language();
    let mib = (MAX_TEMPLATE_BYTES / (1024 * 1024)).to_string();
    let refused = |id: &str| Some(l.text_with(id, &[("size", &mib)]));
    let error = match form.complete() {
        Err(Error::TooLarge { .. }) => refused("type-guidance-template-too-large"),
        Err(Error::Invalid(_)) => refused("type-guidance-template-wrong-type"),
        Err(e) => return Err(e),
        Ok(form) => match form.files.into_iter().next() {
            None => refused("type-guidance-template-missing"),
            Some(staged) => {
                let replaced = write::apply(&state.db, me.actor(), async |tx| {
                    template::replace(tx, &state.blobs, document_type, staged).await
                })
                .await;
                match replaced {
                    Ok(old) => {
                        template::discard(&state.blobs, old).await;
                        return Ok(page::done(
                            "/admin/settings#templates",
                            "admin-flash-template-saved",
                        ));
                    }
                    Err(Error::Invalid(_)) => refused("type-guidance-template-wrong-type"),
                    Err(Error::TooLarge { .. }) => refused("type-guidance-template-too-large"),
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
        error.map(|message| RefusedFile::Template(document_type, message)),
    )
    .await
}

/// `POST /admin/settings/templates/{type}/remove` — administrators: the buyer's page offers no
/// template for the type any more.
pub async fn remove_post(
    state: web::Data<AppState>,
    path: web::Path<String>,
    StaffForm {
        who: me,
        fields: form,
    }: StaffForm<RemoveForm, Admin>,
) -> Result<HttpResponse, Error> {
    let document_type = document_type(&path)?;
    if !form.confirmed() {
        return Ok(page::failed(
            "/admin/settings#templates",
            "admin-flash-template-not-confirmed",
        ));
    }
    let old = write::apply(&state.db, me.actor(), async |tx| {
        template::remove(tx, document_type).await
    })
    .await?;
    template::discard(&state.blobs, old).await;
    Ok(page::done(
        "/admin/settings#templates",
        "admin-flash-template-removed",
    ))
}
