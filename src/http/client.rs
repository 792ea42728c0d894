//! What a request tells about its client: the language its browser asks for, and its address
//! (for rate limits).

use actix_web::HttpRequest;
use actix_web::http::header;

use crate::config::{TrustedProxies, canonical};
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

/// The client's address: the peer's, unless the peer is a trusted proxy. Then it is the
/// rightmost `X-Forwarded-For` entry that is not a trusted proxy itself: each proxy appends
/// the address it saw, so everything right of that entry was written by proxies we trust,
/// and everything left of it by the client, who may write anything there.
pub fn address(req: &HttpRequest, proxies: &TrustedProxies) -> String {
    let Some(peer) = req.peer_addr().map(|a| canonical(a.ip())) else {
        return String::new();
    };
    if !proxies.contains(peer) {
        return peer.to_string();
    }
    let forwarded = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .collect::<Vec<_>>();
    let mut client = peer.to_string();
    for entry in forwarded.iter().rev() {
        match parse_entry(entry) {
            Some(address) if proxies.contains(address) => client = address.to_string(),
            Some(address) => return address.to_string(),
            // Not an address: what a trusted proxy passed on as the client's, verbatim.
            None => return (*entry).to_owned(),
        }
    }
    client
}

/// An `X-Forwarded-For` entry: an address, perhaps with a port (`[::1]:443`, `10.0.0.1:80`).
fn parse_entry(entry: &str) -> Option<std::net::IpAddr> {
    if let Ok(address) = entry.parse::<std::net::IpAddr>() {
        return Some(canonical(address));
    }
    entry
        .parse::<std::net::SocketAddr>()
        .ok()
        .map(|s| canonical(s.ip()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn from(peer: &str, forwarded: Option<&str>, proxies: &str) -> String {
        let mut req = TestRequest::default().peer_addr(peer.parse().unwrap());
        if let Some(value) = forwarded {
            req = req.insert_header(("X-Forwarded-For", value));
        }
        address(
            &req.to_http_request(),
            &TrustedProxies::parse(proxies).unwrap(),
        )
    }

    #[test]
    fn without_a_trusted_proxy_the_header_is_ignored() {
        assert_eq!(from("192.0.2.1:5000", Some("203.0.113.7"), ""), "192.0.2.1");
    }

    #[test]
    fn the_rightmost_untrusted_entry_is_the_client_whatever_the_client_wrote_left_of_it() {
        let proxies = "10.0.0.0/8";
        assert_eq!(
            from("10.0.0.1:1", Some("203.0.113.7"), proxies),
            "203.0.113.7"
        );
        assert_eq!(
            from("10.0.0.1:1", Some("198.51.100.66, 203.0.113.7"), proxies),
            "203.0.113.7",
            "a client that writes its own header gets its real address appended"
        );
        assert_eq!(
            from(
                "10.0.0.1:1",
                Some("1.2.3.4, 203.0.113.7, 10.0.0.9"),
                proxies
            ),
            "203.0.113.7",
            "a chain of trusted proxies is walked through"
        );
    }

    #[test]
    fn a_header_of_proxies_only_or_none_leaves_the_leftmost_proxy() {
        assert_eq!(
            from("10.0.0.1:1", Some("10.0.0.9"), "10.0.0.0/8"),
            "10.0.0.9"
        );
        assert_eq!(from("10.0.0.1:1", None, "10.0.0.0/8"), "10.0.0.1");
    }

    #[test]
    fn entries_with_ports_and_mapped_addresses_are_understood() {
        assert_eq!(
            from("[::ffff:10.0.0.1]:1", Some("203.0.113.7:4431"), "10.0.0.1"),
            "203.0.113.7"
        );
    }
}
