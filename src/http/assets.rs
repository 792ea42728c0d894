//! Versions of the stylesheets and scripts the pages name: each URL carries one (`?v=…`)
//! derived from the file's content, so a browser keeps the file for good under that URL and
//! fetches the new one the first time a page of a new release names it.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use sha2::{Digest, Sha256};

/// A version of `files`' content: 12 hex digits of their SHA-256, changing whenever any does.
pub fn version_of(files: &[&str]) -> String {
    let digest = files
        .iter()
        // Each file's length first, so that no two lists of files read as one another.
        .fold(Sha256::new(), |hash, file| {
            hash.chain_update((file.len() as u64).to_le_bytes())
                .chain_update(file)
        })
        .finalize();
    hex::encode(&digest[..6])
}

/// The version a file's URL asks for.
#[derive(serde::Deserialize)]
struct Requested {
    v: Option<String>,
}

/// A stylesheet or script the pages name by its version.
pub struct Asset {
    content_type: &'static str,
    body: &'static str,
    version: fn() -> &'static str,
}

impl Asset {
    /// A stylesheet whose current version `version` gives.
    pub const fn stylesheet(body: &'static str, version: fn() -> &'static str) -> Asset {
        Asset {
            content_type: "text/css; charset=utf-8",
            body,
            version,
        }
    }

    /// A script whose current version `version` gives.
    pub const fn script(body: &'static str, version: fn() -> &'static str) -> Asset {
        Asset {
            content_type: "text/javascript; charset=utf-8",
            body,
            version,
        }
    }

    /// `GET` of the file, for anyone (see [`Asset::serve`]).
    pub fn route(&'static self) -> actix_web::Route {
        web::get().to(move |request: HttpRequest| async move { self.serve(&request) })
    }

    /// The file, answered to `request`. Under its current version it never changes, so
    /// browsers keep it for a year without asking again (another release's file has another
    /// URL). Anything else (no version, or another release's, asked of this process by a page
    /// another instance served during an upgrade) is not kept: a browser that kept this content
    /// under that URL would show it with the wrong pages.
    fn serve(&self, request: &HttpRequest) -> HttpResponse {
        HttpResponse::Ok()
            .content_type(self.content_type)
            .insert_header((
                header::CACHE_CONTROL,
                cache_control(requested_version(request).as_deref(), (self.version)()),
            ))
            .body(self.body)
    }
}

/// The version `request`'s URL asks for (`?v=…`), if any.
pub fn requested_version(request: &HttpRequest) -> Option<String> {
    web::Query::<Requested>::from_query(request.query_string())
        .ok()
        .and_then(|query| query.into_inner().v)
}

/// How long a browser may keep a file asked for under `requested` when `current` is its
/// version (see [`Asset::serve`]): for good under the current version, which names this
/// content only; not at all under another or none, which may name another content.
pub fn cache_control(requested: Option<&str>, current: &str) -> &'static str {
    if requested == Some(current) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    }
}

#[cfg(test)]
mod tests {
    use super::{cache_control, version_of};

    #[test]
    fn only_the_current_version_is_kept_for_good() {
        let current = version_of(&["a"]);
        assert_eq!(
            cache_control(Some(&current), &current),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(cache_control(None, &current), "no-cache");
        assert_eq!(
            cache_control(Some(&version_of(&["b"])), &current),
            "no-cache"
        );
    }

    #[test]
    fn the_version_names_the_content() {
        let version = version_of(&["a { color: red }", "b"]);
        assert_eq!(version.len(), 12);
        assert!(version.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(version, version_of(&["a { color: red }", "b"]));
        assert_ne!(version, version_of(&["a { color: blue }", "b"]));
        assert_ne!(version, version_of(&["a { color: red }", "c"]));
        assert_ne!(version_of(&["ab", "c"]), version_of(&["a", "bc"]));
    }
}
