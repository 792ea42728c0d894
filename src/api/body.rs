//! Reading JSON request bodies: broken JSON is a 400, a wrong shape a 422 naming the field.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::buyers::from_json;
use crate::errors::{Error, Rule};

/// A parsed JSON body and its canonical text (keys sorted), whose hash identifies the request
/// for idempotency whatever the caller's key order or spacing.
pub struct JsonBody {
    /// The parsed body.
    pub value: Value,
    /// Canonical text.
    pub canonical: String,
}

impl JsonBody {
    /// Parses `bytes` of a PATCH: there is no change without a body.
    pub fn parse_patch(bytes: &[u8]) -> Result<JsonBody, Error> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(Error::invalid("body", Rule::Required));
        }
        JsonBody::parse(bytes)
    }

    /// Parses `bytes`; an empty body counts as `{}` (for POSTs that take no input).
    pub fn parse(bytes: &[u8]) -> Result<JsonBody, Error> {
        let value = if bytes.iter().all(u8::is_ascii_whitespace) {
            Value::Object(serde_json::Map::new())
        } else {
            serde_json::from_slice(bytes)
                .map_err(|e| Error::Malformed(format!("the body is not valid JSON: {e}")))?
        };
        if !value.is_object() {
            return Err(Error::invalid("body", Rule::JsonObject));
        }
        let value = whole_numbers_as_integers(value);
        let canonical = value.to_string();
        Ok(JsonBody { value, canonical })
    }

    /// The body as `T`.
    pub fn to<T: DeserializeOwned>(&self) -> Result<T, Error> {
        from_json(self.value.clone())
    }

    /// The idempotency fingerprint of the body.
    pub fn fingerprint(&self) -> String {
        crate::idempotency::fingerprint(&[self.canonical.as_bytes()])
    }
}

/// JSON does not tell `71.0` from `71` (nor does JSON Schema's `integer`), but serde's integer
/// fields do: numbers without a fraction that fit an `i64` become integers, everywhere in the
/// body, before any field is read.
fn whole_numbers_as_integers(value: Value) -> Value {
    match value {
        Value::Number(n) if !n.is_i64() && !n.is_u64() => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Value::from(f as i64),
            _ => Value::Number(n),
        },
        Value::Array(items) => {
            Value::Array(items.into_iter().map(whole_numbers_as_integers).collect())
        }
        Value::Object(fields) => Value::Object(
            fields
                .into_iter()
                .map(|(k, v)| (k, whole_numbers_as_integers(v)))
                .collect(),
        ),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_floats_read_as_integers_and_fractions_stay() {
        let body =
            JsonBody::parse(br#"{"a": 71.0, "b": [2.0, 2.5], "c": {"d": -0.0}, "e": 1e300}"#)
                .map(|b| b.value);
        let Ok(value) = body else { panic!("parses") };
        assert_eq!(value["a"], Value::from(71));
        assert_eq!(value["b"][0], Value::from(2));
        assert_eq!(value["b"][1], Value::from(2.5));
        assert_eq!(value["c"]["d"], Value::from(0));
        assert!(value["e"].is_f64());
    }

    #[test]
    fn a_patch_needs_a_body() {
        assert!(JsonBody::parse_patch(b"  ").is_err());
        assert!(JsonBody::parse(b"").is_ok());
    }
}
