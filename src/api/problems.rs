//! `GET /problems/{slug}`: the page behind each problem `type` URI, saying what the problem
//! means and what the caller can do (public, like the API's documentation).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use crate::errors::Error;
use crate::http::page;
use crate::http::problem_types::{self, ProblemType};

/// Plain pages: no script, no style, no frames.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/problems")
            .wrap(page::security_headers(CONTENT_SECURITY_POLICY))
            .route("", web::get().to(list_problem_types))
            .route("/{slug}", web::get().to(explain_problem_type)),
    );
}

#[derive(Template)]
#[template(path = "problem_types.html")]
struct ProblemTypesView {
    types: &'static [ProblemType],
}

#[derive(Template)]
#[template(path = "problem_type.html")]
struct ProblemTypeView {
    problem: &'static ProblemType,
}

/// `GET /problems`: every kind of problem.
async fn list_problem_types() -> Result<HttpResponse, Error> {
    let view = ProblemTypesView {
        types: problem_types::ALL,
    };
    page::html(StatusCode::OK, &view)
}

/// `GET /problems/{slug}`: one kind of problem; 404 for a slug that is not one.
async fn explain_problem_type(slug: web::Path<String>) -> Result<HttpResponse, Error> {
    let problem = problem_types::by_slug(&slug).ok_or(Error::NotFound("problem type"))?;
    page::html(StatusCode::OK, &ProblemTypeView { problem })
}
