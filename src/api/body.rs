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
