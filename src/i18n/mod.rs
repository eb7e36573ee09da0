//! Translations (Project Fluent) for every user-facing text, Spanish first.
//!
//! The message files are compiled into the binary (`locales/{es,en}/main.ftl`), so the platform
//! needs no files or network at run time. A missing key renders as the key itself and is
//! logged; the test suite fails before that can ship (see `tests` below and `tests/it/i18n.rs`).

use crate::domain::lang::Lang;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::collections::BTreeSet;

/// The embedded message files, by language.
pub const SOURCES: [(Lang, &str); 2] = [
    (Lang::Es, include_str!("../../locales/es/main.ftl")),
    (Lang::En, include_str!("../../locales/en/main.ftl")),
];

/// Failures loading the message files (only possible if a file shipped broken).
#[derive(Debug, thiserror::Error)]
pub enum I18nError {
    /// A message file does not parse.
    #[error("the {lang} message file has syntax errors: {errors}")]
    Syntax {
        /// Language code.
        lang: &'static str,
        /// The parser's complaints.
        errors: String,
    },
    /// A key is defined twice.
    #[error("the {lang} message file defines a key twice: {errors}")]
    Duplicate {
        /// Language code.
        lang: &'static str,
        /// The duplicates.
        errors: String,
    },
}

/// All loaded languages.
pub struct I18n {
    bundles: Vec<(Lang, FluentBundle<FluentResource>)>,
}

impl std::fmt::Debug for I18n {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("I18n")
            .field(
                "languages",
                &self.bundles.iter().map(|b| b.0).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl I18n {
    /// Loads the embedded message files.
    pub fn load() -> Result<I18n, I18nError> {
        let mut bundles = Vec::new();
        for (lang, source) in SOURCES {
            let resource = FluentResource::try_new(source.to_string()).map_err(|(_, errors)| {
                I18nError::Syntax {
                    lang: lang.code(),
                    errors: format!("{errors:?}"),
                }
            })?;
            let langid = lang.code().parse().map_err(|e| I18nError::Syntax {
                lang: lang.code(),
                errors: format!("{e:?}"),
            })?;
            let mut bundle = FluentBundle::new_concurrent(vec![langid]);
            // No Unicode isolation marks: the texts go into HTML and JSON where they would
            // show up as stray characters in copy-pasted text and tests.
            bundle.set_use_isolating(false);
            bundle
                .add_resource(resource)
                .map_err(|errors| I18nError::Duplicate {
                    lang: lang.code(),
                    errors: format!("{errors:?}"),
                })?;
            bundles.push((lang, bundle));
        }
        Ok(I18n { bundles })
    }

    fn bundle(&self, lang: Lang) -> &FluentBundle<FluentResource> {
        self.bundles
            .iter()
            .find(|(l, _)| *l == lang)
            .or_else(|| self.bundles.first())
            .map(|(_, b)| b)
            .expect("at least one language is always loaded")
    }

    /// Whether `key` exists in `lang`.
    pub fn has(&self, lang: Lang, key: &str) -> bool {
        self.bundle(lang).has_message(key)
    }

    /// The message `key` in `lang`.
    pub fn t(&self, lang: Lang, key: &str) -> String {
        self.format(lang, key, None)
    }

    /// The message `key` in `lang` with named arguments.
    pub fn t_args(&self, lang: Lang, key: &str, args: &[(&str, String)]) -> String {
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            fluent_args.set(*name, argument(value));
        }
        let mut text = self.format(lang, key, Some(&fluent_args));
        for (_, value) in args {
            text = one_final_period(text, value);
        }
        text
    }

    fn format(&self, lang: Lang, key: &str, args: Option<&FluentArgs<'_>>) -> String {
        let bundle = self.bundle(lang);
        let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
            tracing::warn!(key, lang = lang.code(), "missing translation");
            return key.to_string();
        };
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, args, &mut errors);
        if !errors.is_empty() {
            tracing::warn!(
                key,
                lang = lang.code(),
                ?errors,
                "translation formatting error"
            );
        }
        text.into_owned()
    }
}

/// A message argument: an integer written the canonical way (`1`, `175`, not `007` or a
/// reference) is passed as a number, so that plural selectors (`[one]`) choose by it — passed
/// as text, "1" never matched `one` and pages said "1 resultados" (issue 13).
fn argument(value: &str) -> FluentValue<'static> {
    match value.parse::<i64>() {
        Ok(n) if n.to_string() == value => FluentValue::from(n),
        _ => FluentValue::from(value.to_string()),
    }
}

/// Drops the sentence's period after an argument that ends with its own ("Droguería Central,
/// S.A." then "." gave "S.A.."): the abbreviation's period closes the sentence too (RAE,
/// *Diccionario panhispánico de dudas*, «abreviatura» 4; *The Chicago Manual of Style* 6.14).
/// Issue 13. Every message with arguments goes through here, so no page or notification can
/// produce the double period.
fn one_final_period(text: String, value: &str) -> String {
    if !value.ends_with('.') || value.ends_with("..") {
        return text;
    }
    text.replace(&format!("{value}."), value)
}

/// The message ids defined in a Fluent source (for completeness tests).
pub fn keys_of(source: &str) -> BTreeSet<String> {
    let resource = match FluentResource::try_new(source.to_string()) {
        Ok(r) | Err((r, _)) => r,
    };
    resource
        .entries()
        .filter_map(|entry| match entry {
            fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_string()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::error_code::ErrorCode;
    use crate::domain::role::Role;
    use crate::domain::validation::FieldCode;

    #[test]
    fn files_load() {
        I18n::load().unwrap();
    }

    #[test]
    fn counts_choose_the_plural_form() {
        // Issue 13: "1 resultados".
        let i18n = I18n::load().unwrap();
        let count = |lang, n: &str| i18n.t_args(lang, "results-count", &[("count", n.into())]);
        assert_eq!(count(Lang::Es, "1"), "1 resultado");
        assert_eq!(count(Lang::Es, "2"), "2 resultados");
        assert_eq!(count(Lang::En, "1"), "1 result");
        assert_eq!(count(Lang::En, "0"), "0 results");
        // Text that only looks numeric is passed through as typed.
        let code = i18n.t_args(Lang::Es, "results-count", &[("count", "007".into())]);
        assert!(code.starts_with("007 "), "{code}");
    }

    #[test]
    fn a_name_ending_in_a_period_ends_the_sentence() {
        // Issue 13: firm names ended in "S.A..".
        let i18n = I18n::load().unwrap();
        let args = [
            ("lot", "1".to_string()),
            ("title", "Guantes".to_string()),
            ("supplier", "Droguería Central, S.A.".to_string()),
        ];
        for lang in Lang::ALL {
            let text = i18n.t_args(lang, "notification-award-decided", &args);
            assert!(text.ends_with("Droguería Central, S.A."), "{text}");
            assert!(!text.contains(".."), "{text}");
        }
        let plain = i18n.t_args(Lang::En, "flash-signed-in", &[("name", "Ana".into())]);
        assert_eq!(plain, "Welcome, Ana.");
    }

    #[test]
    fn both_languages_define_the_same_keys() {
        let es = keys_of(SOURCES[0].1);
        let en = keys_of(SOURCES[1].1);
        let only_es: Vec<_> = es.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&es).collect();
        assert!(only_es.is_empty(), "keys missing in English: {only_es:?}");
        assert!(only_en.is_empty(), "keys missing in Spanish: {only_en:?}");
    }

    #[test]
    fn every_error_field_and_role_is_translated() {
        let i18n = I18n::load().unwrap();
        for lang in Lang::ALL {
            for code in ErrorCode::ALL {
                assert!(i18n.has(lang, &code.message_key()), "{lang:?} {code}");
            }
            for code in FieldCode::ALL {
                assert!(i18n.has(lang, &code.message_key()), "{lang:?} {code:?}");
            }
            for role in Role::ALL {
                assert!(i18n.has(lang, &role.label_key()), "{lang:?} {role:?}");
                let actor = format!("audit-actor-{}", role.code());
                assert!(i18n.has(lang, &actor), "{lang:?} {actor}");
            }
            // Issue 13: every event kind the log records reads as a sentence that names who
            // acted (and the record, where there is one).
            for action in crate::domain::audit::AuditAction::ALL {
                let key = action.message_key();
                assert!(i18n.has(lang, &key), "{lang:?} {key}");
                let text = i18n.t_args(
                    lang,
                    &key,
                    &[("actor", "ACTOR".into()), ("record", "RECORD".into())],
                );
                assert!(text.starts_with("ACTOR "), "{lang:?} {key}: {text}");
            }
        }
    }

    #[test]
    fn arguments_are_substituted() {
        let i18n = I18n::load().unwrap();
        let text = i18n.t_args(Lang::En, "flash-signed-in", &[("name", "Ana".into())]);
        assert!(text.contains("Ana"), "{text}");
        assert_eq!(i18n.t(Lang::Es, "no-such-key"), "no-such-key");
    }
}
