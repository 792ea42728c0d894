//! What a request tells about its client: the language its browser asks for, and its address
//! (for rate limits).

use actix_web::HttpRequest;
use actix_web::http::header;

use crate::i18n::Language;

/// The first of our languages the browser asks for, if it asks for one.
pub fn accepted_language(req: &HttpRequest) -> Option<Language> {
    req.headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Language::from_accept_language)
}

/// The first of our languages the browser asks for; English otherwise.
pub fn browser_language(req: &HttpRequest) -> Language {
    accepted_language(req).unwrap_or(Language::En)
}

/// The client's address, or the address the trusted proxy says it forwards for (forwarded
/// headers from anyone else are ignored, so a client cannot pick its own rate-limit bucket).
pub fn address(req: &HttpRequest, trusted_proxy: Option<std::net::IpAddr>) -> String {
    let peer = req.peer_addr().map(|a| a.ip());
    match peer {
        Some(peer) if Some(peer) == trusted_proxy => req
            .connection_info()
            .realip_remote_addr()
            .map(str::to_owned)
            .unwrap_or_else(|| peer.to_string()),
        Some(peer) => peer.to_string(),
        None => String::new(),
    }
}
