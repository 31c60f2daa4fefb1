//! A rule's positive example: a text, and the secret the rule must capture in it.
//!
//! Written either as a table, `{ text = "token = acme_…", secret = "acme_…" }` (required in the
//! built-in pack: the check proves the capture group is right, not only that something
//! matched), or as a plain string, `"token = acme_…"`, meaning "must match something" (kept
//! for user rule files written before the table form).

use serde::de::{self, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    pub text: String,
    /// The secret the rule must capture; `None` for the plain-string form.
    pub secret: Option<String>,
}

impl Example {
    /// An example with its declared secret.
    pub fn capturing(text: &str, secret: &str) -> Example {
        Example {
            text: text.to_string(),
            secret: Some(secret.to_string()),
        }
    }
}

impl Serialize for Example {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.secret {
            None => s.serialize_str(&self.text),
            Some(secret) => {
                let mut m = s.serialize_map(Some(2))?;
                m.serialize_entry("text", &self.text)?;
                m.serialize_entry("secret", secret)?;
                m.end()
            }
        }
    }
}

// By hand rather than `#[serde(untagged)]`: an untagged enum reports any mistake as "did not
// match any variant", while this names the unknown or missing field.
impl<'de> Deserialize<'de> for Example {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Example, D::Error> {
        d.deserialize_any(ExampleVisitor)
    }
}

struct ExampleVisitor;

impl<'de> Visitor<'de> for ExampleVisitor {
    type Value = Example;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a string or a table { text = \"...\", secret = \"...\" }")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Example, E> {
        Ok(Example {
            text: v.to_string(),
            secret: None,
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Example, A::Error> {
        let mut text = None;
        let mut secret = None;
        while let Some(key) = map.next_key::<String>()? {
            let slot = match key.as_str() {
                "text" => &mut text,
                "secret" => &mut secret,
                other => return Err(de::Error::unknown_field(other, &["text", "secret"])),
            };
            if slot.is_some() {
                return Err(de::Error::custom(format!("duplicate field `{key}`")));
            }
            *slot = Some(map.next_value::<String>()?);
        }
        let text = text.ok_or_else(|| de::Error::missing_field("text"))?;
        let secret = secret.ok_or_else(|| de::Error::missing_field("secret"))?;
        Ok(Example {
            text,
            secret: Some(secret),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Example;

    #[derive(serde::Deserialize)]
    struct Doc {
        examples: Vec<Example>,
    }

    #[test]
    fn both_forms_parse_and_mistakes_are_named() {
        let doc: Doc =
            toml::from_str("examples = ['k = v1', { text = 'k = v2', secret = 'v2' }]").unwrap();
        assert_eq!(doc.examples[0].text, "k = v1");
        assert_eq!(doc.examples[0].secret, None);
        assert_eq!(doc.examples[1], Example::capturing("k = v2", "v2"));
        let e = toml::from_str::<Doc>("examples = [{ text = 'k', secrt = 'k' }]")
            .err()
            .unwrap();
        assert!(e.message().contains("unknown field `secrt`"), "{e}");
        let e = toml::from_str::<Doc>("examples = [{ text = 'k' }]")
            .err()
            .unwrap();
        assert!(e.message().contains("missing field `secret`"), "{e}");
    }

    #[test]
    fn json_round_trip_keeps_the_form() {
        let list = vec![
            Example::capturing("a = b", "b"),
            Example {
                text: "c".into(),
                secret: None,
            },
        ];
        let json = serde_json::to_string(&list).unwrap();
        assert_eq!(json, r#"[{"text":"a = b","secret":"b"},"c"]"#);
        let back: Vec<Example> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, list);
    }
}
