//! Reading query strings: a parameter the route does not know is a 422 naming it, and a value
//! of the wrong kind is a 422 naming its parameter in plain words (never the parser's own).

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use serde::de::DeserializeOwned;

use crate::errors::{Error, Rule};

/// The query of an operation that takes no parameters: any parameter is a 422 naming it.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoParameters {}

/// A query string read as `T`, whose struct denies unknown fields.
pub struct Query<T>(pub T);

impl<T> std::ops::Deref for Query<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = Error;
    type Future = Ready<Result<Query<T>, Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(parse(req.query_string()).map(Query))
    }
}

/// Parses a query string, naming the parameter that is unknown or has the wrong kind of value.
pub fn parse<T: DeserializeOwned>(query: &str) -> Result<T, Error> {
    let pairs = url::form_urlencoded::parse(query.as_bytes());
    let deserializer = serde_urlencoded::Deserializer::new(pairs);
    serde_path_to_error::deserialize(deserializer).map_err(|e| {
        let path = e.path().to_string();
        let message = e.into_inner().to_string();
        if let Some(name) = unknown_parameter(&message) {
            return Error::invalid(name, Rule::UnknownParameter);
        }
        let field = if path == "." || path == "?" {
            "query".to_owned()
        } else {
            path
        };
        Error::invalid(field, plain(&message))
    })
}

/// The name in serde's "unknown field `name`, expected ...".
fn unknown_parameter(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("unknown field `")?;
    rest.split_once('`').map(|(name, _)| name)
}

/// The parser's complaint about a value, in the words of the API.
fn plain(message: &str) -> Rule {
    let number = [
        "invalid digit",
        "number too large",
        "number too small",
        "empty string",
    ];
    if number.iter().any(|n| message.contains(n)) {
        Rule::WholeNumber
    } else if message.starts_with("duplicate field") {
        Rule::RepeatedParameter
    } else {
        Rule::Malformed("has a value of the wrong kind".into())
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::parse;
    use crate::errors::{Error, Rule};

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Sample {
        #[allow(dead_code)]
        limit: Option<u32>,
    }

    fn problem(query: &str) -> (String, Rule) {
        match parse::<Sample>(query) {
            Err(Error::Invalid(mut list)) => {
                let p = list.remove(0);
                (p.field, p.rule)
            }
            other => panic!("expected a 422, got {other:?}"),
        }
    }

    #[test]
    fn an_unknown_parameter_is_named() {
        assert_eq!(
            problem("limit=2&kycMode=NT24_LED"),
            ("kycMode".into(), Rule::UnknownParameter)
        );
    }

    #[test]
    fn a_value_of_the_wrong_kind_names_its_parameter_in_plain_words() {
        assert_eq!(problem("limit=abc"), ("limit".into(), Rule::WholeNumber));
        assert_eq!(problem("limit=-1"), ("limit".into(), Rule::WholeNumber));
    }

    #[test]
    fn an_operation_without_parameters_names_the_first_one_sent() {
        match parse::<super::NoParameters>("version=3") {
            Err(Error::Invalid(list)) => {
                assert_eq!(list[0].field, "version");
                assert_eq!(list[0].rule, Rule::UnknownParameter);
            }
            other => panic!("expected a 422, got {other:?}"),
        }
        assert!(parse::<super::NoParameters>("").is_ok());
    }

    #[test]
    fn known_parameters_pass() {
        assert!(parse::<Sample>("limit=5").is_ok());
        assert!(parse::<Sample>("").is_ok());
    }
}
