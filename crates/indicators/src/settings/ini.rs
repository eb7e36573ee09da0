//! The INI dialect of the reference calculator's settings file.
//!
//! Cardinal 0.0.8 reads its settings with the `config` crate (0.13), which parses INI with
//! `rust-ini` (0.18, default options) and then merges every section into one tree, reading a
//! dotted section name such as `[R003.procurement_method_details]` as a path. Analysts already
//! have such files, so this parser reproduces that dialect rather than a generic INI one:
//!
//! * a comment is a line whose first non-blank character is `;` or `#` (there are no inline
//!   comments: `threshold = 15 # default` has the value `15 # default`, as in the reference);
//! * keys end at `=` or `:`, values at the end of the line; both are trimmed;
//! * a value may be quoted with `"` or `'` (the quotes are removed, the rest of the line is kept);
//! * backslash escapes `\0 \a \b \t \r \n \xHHHH`, a backslash before a line break joins lines,
//!   any other escaped character stands for itself;
//! * a repeated key or section merges, the last value winning.
//!
//! The one leniency: the reference rejects a comment that does not start in the first column;
//! this parser accepts it, as it cannot change the meaning of a file the reference accepts.

use std::collections::BTreeMap;

use super::SettingsError;

/// A node of the merged settings tree: the shape `config` builds before deserializing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// A property value, always a string in INI; typed later, like `config` does.
    Scalar(String),
    /// A section (or nested section).
    Table(BTreeMap<String, Node>),
}

impl Node {
    fn table_mut(&mut self) -> &mut BTreeMap<String, Node> {
        if !matches!(self, Node::Table(_)) {
            *self = Node::Table(BTreeMap::new());
        }
        match self {
            Node::Table(map) => map,
            Node::Scalar(_) => unreachable!("just replaced by a table"),
        }
    }
}

/// `(section, key and value)`: a section header has no property; `None` is the general section.
type Entry = (Option<String>, Option<(String, String)>);

struct Parser<'a> {
    chars: std::str::Chars<'a>,
    ch: Option<char>,
    line: usize,
    col: usize,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        let mut parser = Parser {
            chars: text.chars(),
            ch: None,
            line: 1,
            col: 0,
        };
        parser.bump();
        parser
    }

    fn bump(&mut self) {
        self.ch = self.chars.next();
        match self.ch {
            Some('\n') => {
                self.line += 1;
                self.col = 0;
            }
            Some(_) => self.col += 1,
            None => {}
        }
    }

    fn error(&self, message: impl Into<String>) -> SettingsError {
        SettingsError::Syntax {
            line: self.line,
            column: self.col,
            message: message.into(),
        }
    }

    fn skip_whitespace(&mut self) {
        while let Some(c) = self.ch {
            if !c.is_whitespace() {
                break;
            }
            self.bump();
        }
    }

    fn skip_blanks_on_line(&mut self) {
        while let Some(c) = self.ch {
            if c == '\n' || c == '\r' || !c.is_whitespace() {
                break;
            }
            self.bump();
        }
    }

    fn skip_comment(&mut self) {
        while let Some(c) = self.ch {
            self.bump();
            if c == '\n' {
                break;
            }
        }
    }

    /// Reads until one of `ends` (not consumed), applying backslash escapes.
    fn read_until(&mut self, ends: &[Option<char>]) -> Result<String, SettingsError> {
        let mut out = String::new();
        while !ends.contains(&self.ch) {
            match self.ch {
                None => {
                    return Err(self.error(format!(
                        "expected one of {ends:?}, found the end of the file"
                    )));
                }
                Some('\\') => {
                    self.bump();
                    let Some(escaped) = self.ch else {
                        return Err(self.error("a backslash at the end of the file"));
                    };
                    match escaped {
                        '0' => out.push('\0'),
                        'a' => out.push('\x07'),
                        'b' => out.push('\x08'),
                        't' => out.push('\t'),
                        'r' => out.push('\r'),
                        'n' => out.push('\n'),
                        '\n' => {}
                        'x' => {
                            let mut code = String::with_capacity(4);
                            for _ in 0..4 {
                                self.bump();
                                match self.ch {
                                    None => return Err(self.error("an incomplete \\x escape")),
                                    Some(c) => code.push(c),
                                }
                            }
                            let c = u32::from_str_radix(&code, 16)
                                .ok()
                                .and_then(char::from_u32)
                                .ok_or_else(|| self.error("an invalid \\x escape"))?;
                            out.push(c);
                        }
                        other => out.push(other),
                    }
                }
                Some(c) => out.push(c),
            }
            self.bump();
        }
        Ok(out)
    }

    fn read_value(&mut self) -> Result<String, SettingsError> {
        self.bump(); // '=' or ':'
        self.skip_blanks_on_line();
        let eol = [Some('\n'), Some('\r'), None];
        match self.ch {
            None => Ok(String::new()),
            Some(quote @ ('"' | '\'')) => {
                self.bump();
                let quoted = self.read_until(&[Some(quote)])?;
                self.bump();
                let rest = self.read_until(&eol)?;
                Ok(quoted + &rest)
            }
            Some(_) => self.read_until(&eol),
        }
    }

    /// Parses into ordered `(section, key, value)` entries; `None` is the general section.
    fn parse(mut self) -> Result<Vec<Entry>, SettingsError> {
        let mut entries = Vec::new();
        let mut key = String::new();
        let mut section: Option<String> = None;
        self.skip_whitespace();
        while let Some(c) = self.ch {
            match c {
                ';' | '#' if key.is_empty() => self.skip_comment(),
                '[' => {
                    self.bump();
                    let name = self.read_until(&[Some(']')])?;
                    let name = name.trim().to_string();
                    entries.push((Some(name.clone()), None));
                    section = Some(name);
                    self.bump();
                }
                '=' | ':' => {
                    if key.is_empty() {
                        return Err(self.error("a value without a key"));
                    }
                    let value = self.read_value()?;
                    entries.push((
                        section.clone(),
                        Some((std::mem::take(&mut key), value.trim().to_string())),
                    ));
                }
                _ => {
                    key = self.read_until(&[Some('='), Some(':')])?.trim().to_string();
                }
            }
            self.skip_whitespace();
        }
        Ok(entries)
    }
}

/// Splits a key the way `config` reads a path: `a.b.c`; anything that is not a plain dotted
/// path of identifiers is one key.
fn path_of(key: &str) -> Vec<&str> {
    let parts: Vec<&str> = key.split('.').collect();
    let identifier = |p: &&str| {
        !p.is_empty()
            && p.chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
    };
    if parts.len() > 1 && parts.iter().all(identifier) {
        parts
    } else {
        vec![key]
    }
}

fn set(root: &mut Node, path: &[&str], value: Node) {
    let map = root.table_mut();
    match path {
        [] => {}
        [last] => match value {
            Node::Table(incoming) => {
                let target = map
                    .entry((*last).to_string())
                    .or_insert_with(|| Node::Table(BTreeMap::new()));
                for (k, v) in incoming {
                    set(target, &[k.as_str()], v);
                }
            }
            scalar => {
                map.insert((*last).to_string(), scalar);
            }
        },
        [first, rest @ ..] => {
            let child = map
                .entry((*first).to_string())
                .or_insert_with(|| Node::Table(BTreeMap::new()));
            set(child, rest, value);
        }
    }
}

/// Parses INI text into the merged tree the settings are read from.
///
/// # Errors
/// [`SettingsError::Syntax`] with the line and column where the text stops being INI.
pub fn parse(text: &str) -> Result<Node, SettingsError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let entries = Parser::new(text).parse()?;
    let mut root = Node::Table(BTreeMap::new());
    for (section, property) in entries {
        match (section, property) {
            (Some(section), None) => {
                set(&mut root, &path_of(&section), Node::Table(BTreeMap::new()))
            }
            (Some(section), Some((key, value))) => {
                let mut table = BTreeMap::new();
                table.insert(key, Node::Scalar(value));
                set(&mut root, &path_of(&section), Node::Table(table));
            }
            (None, Some((key, value))) => set(&mut root, &path_of(&key), Node::Scalar(value)),
            (None, None) => {}
        }
    }
    Ok(root)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(node: &Node) -> &BTreeMap<String, Node> {
        match node {
            Node::Table(map) => map,
            Node::Scalar(s) => panic!("expected a table, got {s:?}"),
        }
    }

    #[test]
    fn sections_keys_and_dotted_sections_merge_like_config() {
        let root = parse(
            "currency = USD\n; comment\n[R003]\nthreshold = 10\n[R003.procurement_method_details]\nLicitación de Seguros = 10\nx: 5\n[R028]\n",
        )
        .unwrap();
        let root = table(&root);
        assert_eq!(root["currency"], Node::Scalar("USD".into()));
        let r003 = table(&root["R003"]);
        assert_eq!(r003["threshold"], Node::Scalar("10".into()));
        let details = table(&r003["procurement_method_details"]);
        assert_eq!(details["Licitación de Seguros"], Node::Scalar("10".into()));
        assert_eq!(details["x"], Node::Scalar("5".into()));
        assert!(table(&root["R028"]).is_empty());
    }

    #[test]
    fn values_keep_hash_signs_quotes_and_escapes() {
        let root =
            parse("[R003]\nthreshold = 15 # default\nname = \"a b\" c\nesc = a\\tb\n").unwrap();
        let r003 = table(&table(&root)["R003"]).clone();
        assert_eq!(r003["threshold"], Node::Scalar("15 # default".into()));
        assert_eq!(r003["name"], Node::Scalar("a b c".into()));
        assert_eq!(r003["esc"], Node::Scalar("a\tb".into()));
    }

    #[test]
    fn last_value_wins_and_sections_merge() {
        let root =
            parse("[R025]\npercentile = 50\n[R024]\n[R025]\npercentile = 60\nthreshold = 0.1\n")
                .unwrap();
        let r025 = table(&table(&root)["R025"]).clone();
        assert_eq!(r025["percentile"], Node::Scalar("60".into()));
        assert_eq!(r025["threshold"], Node::Scalar("0.1".into()));
    }

    #[test]
    fn syntax_errors_have_positions() {
        let error = parse("[R003]\n= 5\n").unwrap_err();
        assert_eq!(error.code(), "settings.syntax");
        assert!(
            matches!(error, SettingsError::Syntax { line: 2, .. }),
            "{error:?}"
        );
        assert!(parse("[R003\n").is_err());
        assert!(parse("[R003]\nthreshold").is_err());
    }
}
