//! Where deliveries may go. A webhook URL is chosen by an API client, so unchecked it would let
//! anyone with a token make the portal send requests into its own network (the cloud metadata
//! service at 169.254.169.254, an admin port on loopback) and read the outcome from the
//! delivery log. Unless the operator allows private networks, internal addresses are refused
//! when an endpoint is registered (its name resolved then) and again at every connection: the
//! delivery client resolves names through [`GuardedResolver`], which drops internal addresses,
//! so a name that later resolves inward (DNS rebinding) reaches nothing either.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::errors::{Error, Rule};

/// Whether deliveries may go to internal addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NetworkPolicy {
    /// Allow loopback, private, link-local and other internal addresses.
    pub allow_private: bool,
}

/// Why a target was refused.
#[derive(Debug, thiserror::Error)]
#[error("the address is inside a private or reserved network")]
pub struct InternalAddress;

/// Whether `ip` is not a public Internet address: loopback, RFC 1918 and unique local,
/// link-local (cloud metadata services live there), carrier-grade NAT, unspecified, broadcast,
/// multicast, documentation, benchmarking and reserved ranges, and IPv6 forms that embed such
/// an IPv4 address (mapped, compatible, NAT64).
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => internal_v4(v4),
        IpAddr::V6(v6) => internal_v6(v6),
    }
}

fn internal_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0 // "this network"
        || (a == 100 && (64..128).contains(&b)) // carrier-grade NAT
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (18..20).contains(&b)) // benchmarking
        || a >= 240 // reserved
}

fn internal_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return internal_v4(v4);
    }
    let segments = ip.segments();
    // ::a.b.c.d (deprecated IPv4-compatible) and 64:ff9b::a.b.c.d (NAT64) carry an IPv4 address.
    let embedded = Ipv4Addr::from(u32::from_be_bytes(
        ip.octets()[12..16].try_into().unwrap_or([0; 4]),
    ));
    if segments[..6] == [0; 6] && !ip.is_loopback() && !ip.is_unspecified() {
        return internal_v4(embedded);
    }
    if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return internal_v4(embedded);
    }
    ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (segments[0] & 0xfe00) == 0xfc00 // unique local
        || (segments[0] & 0xffc0) == 0xfe80 // link-local
        || (segments[0] & 0xffc0) == 0xfec0 // site-local (deprecated)
        || segments[0] == 0x2001 && segments[1] == 0x0db8 // documentation
}

impl NetworkPolicy {
    /// Whether a connection to `ip` is allowed.
    pub fn permits(self, ip: IpAddr) -> bool {
        self.allow_private || !is_internal(ip)
    }

    /// Refuses, as a 422 on `url`, a URL whose host is or resolves to an internal address. A
    /// name that does not resolve (yet) is accepted: every connection is checked again.
    pub async fn check_registration(self, url: &reqwest::Url) -> Result<(), Error> {
        if self.allow_private {
            return Ok(());
        }
        let refused = || Error::invalid("url", Rule::UrlInternal);
        match url.host() {
            Some(url::Host::Ipv4(ip)) if !self.permits(IpAddr::V4(ip)) => Err(refused()),
            Some(url::Host::Ipv6(ip)) if !self.permits(IpAddr::V6(ip)) => Err(refused()),
            Some(url::Host::Domain(name)) => {
                let port = url.port_or_known_default().unwrap_or(443);
                // Bounded: a name server that does not answer must not hold the request.
                let resolved = tokio::time::timeout(
                    std::time::Duration::from_secs(3),
                    tokio::net::lookup_host((name, port)),
                )
                .await
                .ok()
                .and_then(Result::ok)
                .map(|addrs| addrs.collect::<Vec<_>>())
                .unwrap_or_default();
                if resolved.iter().any(|a| !self.permits(a.ip())) {
                    Err(refused())
                } else {
                    Ok(())
                }
            }
            _ => Ok(()),
        }
    }

    /// At send time: refuses a URL whose host is an internal address literal (names are checked
    /// as they are resolved).
    pub fn check_literal(self, url: &reqwest::Url) -> Result<(), InternalAddress> {
        let ip = match url.host() {
            Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip),
            Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip),
            _ => return Ok(()),
        };
        if self.permits(ip) {
            Ok(())
        } else {
            Err(InternalAddress)
        }
    }
}

/// Resolves names with the system resolver and keeps only public addresses; none left is an
/// error ([`InternalAddress`]), so the connection is never made.
pub struct GuardedResolver;

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let resolved: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> = resolved
                .into_iter()
                .filter(|a| !is_internal(a.ip()))
                .collect();
            if public.is_empty() {
                return Err(Box::new(InternalAddress) as Box<dyn std::error::Error + Send + Sync>);
            }
            let addrs: Addrs = Box::new(public.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn internal(text: &str) -> bool {
        is_internal(text.parse().unwrap())
    }

    #[test]
    fn internal_addresses_of_every_kind_are_recognised() {
        for address in [
            "127.0.0.1",
            "127.8.9.10",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "0.1.2.3",
            "100.64.0.1",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "fc00::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "64:ff9b::a9fe:a9fe",
        ] {
            assert!(internal(address), "{address} should be internal");
        }
    }

    #[test]
    fn public_addresses_are_not_internal() {
        for address in [
            "8.8.8.8",
            "1.1.1.1",
            "172.32.0.1",
            "100.128.0.1",
            "2a00:1450:4001:80b::200e",
            "::ffff:8.8.8.8",
        ] {
            assert!(!internal(address), "{address} should be public");
        }
    }

    #[tokio::test]
    async fn registration_refuses_internal_literals_and_names_unless_allowed() {
        let strict = NetworkPolicy {
            allow_private: false,
        };
        for url in [
            "http://127.0.0.1:9/hook",
            "http://[::1]/hook",
            "http://169.254.169.254/latest/meta-data",
            "http://0.0.0.0/",
            "http://[::ffff:10.0.0.1]/",
            "http://localhost:8080/hook",
        ] {
            let url = reqwest::Url::parse(url).unwrap();
            assert!(strict.check_registration(&url).await.is_err(), "{url}");
        }
        let open = NetworkPolicy {
            allow_private: true,
        };
        let url = reqwest::Url::parse("http://127.0.0.1:9/hook").unwrap();
        assert!(open.check_registration(&url).await.is_ok());
    }
}
