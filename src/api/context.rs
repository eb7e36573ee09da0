//! Who is asking, in which language, and the checks every route shares.
//!
//! One layer resolves the caller (session cookie or API token), the language and the
//! anti-forgery token, and renders any [`AppError`] the route produced. A second, per-route
//! layer enforces the route's declared [`Access`] and, for state-changing requests made with a
//! browser's cookies, the anti-forgery token (OWASP CSRF Prevention Cheat Sheet: synchroniser
//! token per session, double-submit cookie before sign-in). API tokens need no CSRF token:
//! browsers never attach them on their own.

use super::AppState;
use super::error::AppError;
use super::page::{PageCtx, render_error_page};
use crate::domain::error_code::ErrorCode;
use crate::domain::lang::Lang;
use crate::domain::role::Access;
use crate::domain::user::User;
use crate::service::Actor;
use crate::service::auth::{self, Authenticated, constant_time_eq, random_token};
use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use std::net::SocketAddr;

/// Session cookie (HttpOnly, SameSite=Lax).
pub const SESSION_COOKIE: &str = "tianguis_session";
/// Language chosen with the switcher (for visitors).
pub const LANG_COOKIE: &str = "tianguis_lang";
/// Anti-forgery token before sign-in (double-submit cookie).
pub const CSRF_COOKIE: &str = "tianguis_csrf";
/// One-shot message shown after a redirect.
pub const FLASH_COOKIE: &str = "tianguis_flash";
/// Form field carrying the anti-forgery token.
pub const CSRF_FIELD: &str = "_csrf";
/// Header carrying the anti-forgery token (scripts and API clients using cookies).
pub const CSRF_HEADER: &str = "x-csrf-token";

/// What the platform knows about the current request.
#[derive(Debug, Clone)]
pub struct RequestContext {
    /// Interface language.
    pub lang: Lang,
    /// The authenticated caller, if any.
    pub auth: Option<Authenticated>,
    /// Whether the caller authenticated with an API token (not a cookie).
    pub via_token: bool,
    /// The raw session cookie (to sign out, or keep this session on password change).
    pub session_token: Option<String>,
    /// The visitor's double-submit anti-forgery token.
    pub anon_csrf: String,
    /// Whether `anon_csrf` is new and its cookie must be set.
    anon_csrf_is_new: bool,
    /// A one-shot message (translation key and optional argument).
    pub flash: Option<(String, Option<String>)>,
    /// Whether the route belongs to the JSON API.
    pub is_api: bool,
    /// Request method.
    pub method: Method,
    /// Path and query, to come back after switching language or signing in.
    pub path_and_query: String,
    /// Caller's network address (for rate limits and logs).
    pub client_addr: String,
}

impl RequestContext {
    /// The signed-in user.
    pub fn user(&self) -> Option<&User> {
        self.auth.as_ref().map(|a| &a.user)
    }

    /// The anti-forgery token forms on this page must carry.
    pub fn csrf_token(&self) -> &str {
        self.auth
            .as_ref()
            .and_then(|a| a.csrf_token.as_deref())
            .unwrap_or(&self.anon_csrf)
    }

    /// The signed-in user as actor, or `auth.required`.
    pub fn actor(&self) -> Result<Actor, AppError> {
        self.user()
            .cloned()
            .map(Actor::User)
            .ok_or_else(|| AppError::new(ErrorCode::AuthRequired))
    }

    /// The signed-in user, or `auth.required`.
    pub fn require_user(&self) -> Result<&User, AppError> {
        self.user()
            .ok_or_else(|| AppError::new(ErrorCode::AuthRequired))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RequestContext {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<RequestContext>()
            .cloned()
            .ok_or_else(|| AppError::new(ErrorCode::InternalError))
    }
}

/// The value of cookie `name` in the request headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim_matches('"').to_string())
}

/// A `Set-Cookie` value with the platform's attributes: HttpOnly, SameSite=Lax, Path=/, and
/// Secure when configured. `max_age` None makes a browser-session cookie; 0 deletes it.
pub fn set_cookie(name: &str, value: &str, max_age: Option<u64>, secure: bool) -> HeaderValue {
    let mut text = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age {
        text.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        text.push_str("; Secure");
    }
    HeaderValue::from_str(&text)
        .unwrap_or_else(|_| HeaderValue::from_static("invalid=1; Max-Age=0"))
}

fn is_api_path(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/") && path != "/api/docs"
}

/// Resolves the [`RequestContext`] and renders errors (outer layer of every route).
pub async fn context_layer(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let headers = req.headers().clone();
    let path = req.uri().path().to_string();
    let is_api = is_api_path(&path);
    let client_addr = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".to_string());
    let cookie_lang = cookie(&headers, LANG_COOKIE);
    let accept_language = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let header_lang = Lang::negotiate(None, cookie_lang.as_deref(), accept_language.as_deref());

    let mut via_token = false;
    let mut session_token = None;
    let auth = match headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        Some(value) => {
            via_token = true;
            let token = value.strip_prefix("Bearer ").unwrap_or("").trim();
            match auth::token_user(&state.db, token).await {
                Ok(a) => Some(a),
                Err(e) => {
                    let err = AppError::from(e);
                    return no_store(render(&state, header_lang, is_api, &req, err, None));
                }
            }
        }
        None => match cookie(&headers, SESSION_COOKIE) {
            Some(token) => {
                let resolved = auth::session_user(&state.db, &state.config.auth, &token).await;
                match resolved {
                    Ok(found) => {
                        if found.is_some() {
                            session_token = Some(token);
                        }
                        found
                    }
                    Err(e) => {
                        return no_store(render(&state, header_lang, is_api, &req, e.into(), None));
                    }
                }
            }
            None => None,
        },
    };
    let lang = Lang::negotiate(
        auth.as_ref().and_then(|a| a.user.locale),
        cookie_lang.as_deref(),
        accept_language.as_deref(),
    );
    let (anon_csrf, anon_csrf_is_new) = match cookie(&headers, CSRF_COOKIE).filter(|c| {
        c.len() >= 32
            && c.len() <= 64
            && c.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    }) {
        Some(existing) => (existing, false),
        None => (random_token(), true),
    };
    let flash = cookie(&headers, FLASH_COOKIE).and_then(|raw| parse_flash(&raw));
    let had_flash = flash.is_some();
    let stale_session_cookie =
        cookie(&headers, SESSION_COOKIE).is_some() && session_token.is_none() && !via_token;
    let context = RequestContext {
        lang,
        auth,
        via_token,
        session_token,
        anon_csrf,
        anon_csrf_is_new,
        flash,
        is_api,
        method: req.method().clone(),
        path_and_query: req
            .uri()
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".to_string()),
        client_addr,
    };
    req.extensions_mut().insert(context.clone());
    let mut response = next.run(req).await;

    if let Some(err) = response.extensions_mut().remove::<AppError>() {
        response = render_with_context(&state, &context, err);
    }
    let is_public_read = response.extensions().get::<PublicRead>().is_some();
    let secure = state.config.secure_cookies;
    let headers = response.headers_mut();
    if context.anon_csrf_is_new && !is_api {
        headers.append(
            header::SET_COOKIE,
            set_cookie(CSRF_COOKIE, &context.anon_csrf, None, secure),
        );
    }
    if stale_session_cookie {
        headers.append(
            header::SET_COOKIE,
            set_cookie(SESSION_COOKIE, "", Some(0), secure),
        );
    }
    let is_html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let sets_flash = headers
        .get_all(header::SET_COOKIE)
        .iter()
        .any(|v| v.as_bytes().starts_with(FLASH_COOKIE.as_bytes()));
    if had_flash && is_html && !sets_flash {
        headers.append(
            header::SET_COOKIE,
            set_cookie(FLASH_COOKIE, "", Some(0), secure),
        );
    }
    if needs_no_store(&context, is_public_read, headers) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(NO_STORE));
    }
    headers.insert(
        header::CONTENT_LANGUAGE,
        HeaderValue::from_static(context.lang.code()),
    );
    headers.insert(
        header::VARY,
        HeaderValue::from_static("Cookie, Accept-Language"),
    );
    response
}

const NO_STORE: &str = "no-store";

/// An answer to a request that presented credentials, refused before it had a context.
fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(NO_STORE));
    response
}

/// Whether an answer must not be kept by the browser or a shared cache (issue 13): every answer
/// to a signed-in request (session cookie or API token), and every `/api` answer that is not a
/// read of public data. Static files that say `public` are the same bytes for everyone and
/// keep their caching.
fn needs_no_store(context: &RequestContext, is_public_read: bool, headers: &HeaderMap) -> bool {
    let shared = headers
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("public"));
    if shared {
        return false;
    }
    context.auth.is_some() || (context.is_api && !is_public_read)
}

fn parse_flash(raw: &str) -> Option<(String, Option<String>)> {
    let decoded = percent_encoding::percent_decode_str(raw)
        .decode_utf8()
        .ok()?;
    let (key, arg) = match decoded.split_once('|') {
        Some((k, a)) => (k.to_string(), Some(a.chars().take(200).collect())),
        None => (decoded.to_string(), None),
    };
    // Only our own message keys: a forged cookie cannot inject text of its choosing.
    (key.starts_with("flash-")
        && key.len() < 64
        && key.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'))
    .then_some((key, arg))
}

/// A `Set-Cookie` for a one-shot message shown on the next page.
pub fn flash_cookie(key: &str, arg: Option<&str>, secure: bool) -> HeaderValue {
    let value = match arg {
        Some(a) => format!("{key}|{a}"),
        None => key.to_string(),
    };
    let encoded = percent_encoding::utf8_percent_encode(&value, percent_encoding::NON_ALPHANUMERIC)
        .to_string();
    set_cookie(FLASH_COOKIE, &encoded, Some(60), secure)
}

fn render(
    state: &AppState,
    lang: Lang,
    is_api: bool,
    req: &Request,
    err: AppError,
    _user: Option<&User>,
) -> Response {
    let context = RequestContext {
        lang,
        auth: None,
        via_token: false,
        session_token: None,
        anon_csrf: String::new(),
        anon_csrf_is_new: false,
        flash: None,
        is_api,
        method: req.method().clone(),
        path_and_query: req.uri().path().to_string(),
        client_addr: String::new(),
    };
    render_with_context(state, &context, err)
}

/// Turns an [`AppError`] into the translated JSON or HTML response.
pub fn render_with_context(state: &AppState, ctx: &RequestContext, err: AppError) -> Response {
    let i18n = &state.i18n;
    let lang = ctx.lang;
    // Browsers asking for a page that needs a sign-in are sent to the sign-in form instead.
    if err.code == ErrorCode::AuthRequired && !ctx.is_api && ctx.method == Method::GET {
        let next = super::page::query_escape(&ctx.path_and_query);
        return Redirect::to(&format!("/login?next={next}")).into_response();
    }
    let message = i18n.t(lang, &err.code.message_key());
    let fields: Vec<serde_json::Value> = err
        .fields
        .iter()
        .map(|f| {
            serde_json::json!({
                "field": f.field,
                "code": f.code.as_str(),
                "message": i18n.t(lang, &f.code.message_key()),
            })
        })
        .collect();
    let violations: Vec<serde_json::Value> = err
        .rules
        .iter()
        .map(|v| {
            let mut v = v.clone();
            let message = rule_message(i18n, lang, &state.rulebook, &v);
            if let Some(obj) = v.as_object_mut() {
                obj.insert("message".into(), message.into());
            }
            v
        })
        .collect();
    let mut response = if ctx.is_api {
        let mut details = err
            .details
            .as_deref()
            .cloned()
            .unwrap_or_else(|| serde_json::json!({}));
        if let Some(obj) = details.as_object_mut() {
            if !fields.is_empty() {
                obj.insert("fields".into(), serde_json::Value::Array(fields));
            }
            if !violations.is_empty() {
                obj.insert(
                    "violations".into(),
                    serde_json::Value::Array(violations.clone()),
                );
            }
            if let Some(wait) = err.retry_after {
                obj.insert("retry_after_secs".into(), wait.into());
            }
        }
        let details = match &details {
            serde_json::Value::Object(o) if o.is_empty() => serde_json::Value::Null,
            _ => details,
        };
        let body = serde_json::json!({
            "error": {"code": err.code.as_str(), "message": message, "details": details}
        });
        (err.status(), axum::Json(body)).into_response()
    } else {
        let page = PageCtx::new(state, ctx);
        let mut field_messages: Vec<(String, String)> = err
            .fields
            .iter()
            .map(|f| (f.field.clone(), i18n.t(lang, &f.code.message_key())))
            .collect();
        for v in &violations {
            field_messages.push((
                rule_field(v["code"].as_str().unwrap_or_default()).to_string(),
                v["message"].as_str().unwrap_or_default().to_string(),
            ));
        }
        let html = render_error_page(&page, err.status(), err.code, &message, &field_messages);
        (err.status(), axum::response::Html(html)).into_response()
    };
    if let Some(wait) = err.retry_after
        && let Ok(v) = HeaderValue::from_str(&wait.to_string())
    {
        response.headers_mut().insert(header::RETRY_AFTER, v);
    }
    if err.code == ErrorCode::AuthRequired && ctx.is_api {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"tianguis\""),
        );
    }
    response
}

/// The translated message of a broken rule: key `rule-` + the code's suffix, with the
/// violation's parameters as arguments (`rule.period_too_short` → `rule-period-too-short`).
///
/// Parameters read as words (issue 13): method codes become the methods' names, amounts are
/// money in the rulebook's currency, dates are written in the page's language, and day kinds
/// ("calendar", "business") are translated. The citation is appended, so a refusal always says
/// where the rule comes from.
pub fn rule_message(
    i18n: &crate::i18n::I18n,
    lang: Lang,
    rulebook: &tianguis_rulebook::Rulebook,
    violation: &serde_json::Value,
) -> String {
    let code = violation["code"].as_str().unwrap_or("rule.unknown");
    let key = format!(
        "rule-{}",
        code.trim_start_matches("rule.").replace('_', "-")
    );
    let method_name = |code: &str| {
        rulebook
            .methods()
            .iter()
            .find(|m| m.code() == code)
            .map(|m| match lang {
                Lang::Es => m.name_es().to_string(),
                Lang::En => m.name_en().to_string(),
            })
            .unwrap_or_else(|| code.to_string())
    };
    let word = |name: &str, text: String| -> String {
        match name {
            "method" | "suggested" => method_name(&text),
            "value" | "min" | "max" | "sum" | "estimated_value" => {
                crate::format::money_text(&text, rulebook.currency(), lang)
            }
            "days_kind" => i18n.t(lang, &format!("days-kind-{text}")),
            n if n.ends_with("_date") || n == "published_on" || n == "effective_from" => {
                chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d")
                    .map(|d| crate::format::day(d, lang))
                    .unwrap_or(text)
            }
            _ => text,
        }
    };
    let args: Vec<(String, String)> = violation
        .as_object()
        .map(|o| {
            o.iter()
                .filter(|(k, _)| k.as_str() != "code" && k.as_str() != "citation")
                .map(|(k, v)| {
                    let text = match v {
                        serde_json::Value::String(s) => word(k, s.clone()),
                        serde_json::Value::Array(a) => a
                            .iter()
                            .map(|x| {
                                word(
                                    k,
                                    x.as_str()
                                        .map(str::to_string)
                                        .unwrap_or_else(|| x.to_string()),
                                )
                            })
                            .collect::<Vec<_>>()
                            .join(", "),
                        other => word(k, other.to_string()),
                    };
                    (k.clone(), text)
                })
                .collect()
        })
        .unwrap_or_default();
    let borrowed: Vec<(&str, String)> = args.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    let message = i18n.t_args(lang, &key, &borrowed);
    match violation["citation"]["article"].as_str() {
        Some(article) if !article.is_empty() => format!("{message} ({article})"),
        _ => message,
    }
}

/// The form field a broken rule concerns, so a page marks it there (issue 13): period rules at
/// their deadline, justification rules at the justification, and so on; a value that does not
/// fit the method is marked at the method, which is what the buyer changes.
pub fn rule_field(code: &str) -> &'static str {
    let rule = code.trim_start_matches("rule.");
    if rule.starts_with("value_") {
        "method"
    } else if rule.starts_with("clarification_") {
        "clarification_deadline"
    } else if rule.starts_with("period_")
        || rule.starts_with("bid_deadline")
        || rule.starts_with("deadline_")
    {
        "bid_deadline"
    } else if rule.starts_with("justification") {
        "justification"
    } else if rule.starts_with("exception_category") {
        "exception_category"
    } else if rule.starts_with("lot") || rule.starts_with("duplicate_lot") {
        "lots"
    } else if rule == "currency_mismatch" {
        "currency"
    } else {
        "method"
    }
}

fn is_state_changing(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Marks the answer to a read of a [`Access::Public`] route (open data, public pages): the only
/// answers that an anonymous request may leave to caches.
#[derive(Debug, Clone, Copy)]
pub struct PublicRead;

/// Enforces a route's [`Access`] and the anti-forgery token (inner, per-route layer).
pub async fn enforce(
    State((access, body_limit)): State<(Access, usize)>,
    req: Request,
    next: Next,
) -> Response {
    let Some(ctx) = req.extensions().get::<RequestContext>().cloned() else {
        return AppError::new(ErrorCode::InternalError).into_response();
    };
    if !access.allows(ctx.user().map(|u| &u.roles)) {
        let code = if ctx.user().is_none() {
            ErrorCode::AuthRequired
        } else {
            ErrorCode::AuthForbidden
        };
        return AppError::new(code).into_response();
    }
    if !is_state_changing(req.method()) {
        let mut response = next.run(req).await;
        if matches!(access, Access::Public) {
            // Open to anyone: the context layer may let caches keep it (issue 13).
            response.extensions_mut().insert(PublicRead);
        }
        return response;
    }
    if ctx.via_token {
        return next.run(req).await;
    }
    if ctx.user().is_none() {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        // An anonymous JSON request (public self-registration) carries no ambient credentials
        // to abuse, and a browser cannot send `application/json` cross-site without a CORS
        // preflight, which this server never grants: forgery is impossible, so no token is
        // asked for.
        if content_type.starts_with("application/json") {
            return next.run(req).await;
        }
        // Any other body than a form or an upload cannot be read by any route, so an anonymous
        // request carrying one (or none, like an API client that forgot its Content-Type) is
        // refused here as what it is, 415, rather than as a forgery (issue 13). It is refused
        // before any handler runs, as before: the anti-forgery check loses nothing.
        if !content_type.starts_with("application/x-www-form-urlencoded")
            && !content_type.starts_with("multipart/form-data")
        {
            return AppError::new(ErrorCode::RequestUnsupportedMediaType).into_response();
        }
    }
    let expected = ctx.csrf_token().to_string();
    let from_header = req
        .headers()
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    if let Some(given) = from_header {
        return if !expected.is_empty() && constant_time_eq(&given, &expected) {
            next.run(req).await
        } else {
            AppError::new(ErrorCode::CsrfInvalid).into_response()
        };
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    if content_type.starts_with("multipart/form-data") {
        // File uploads carry the token in the form's action URL: reading a multipart body here
        // would mean buffering uploads of tens of megabytes twice.
        let given = req.uri().query().and_then(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == CSRF_FIELD)
                .map(|(_, v)| v.into_owned())
        });
        return match given {
            Some(given) if !expected.is_empty() && constant_time_eq(&given, &expected) => {
                next.run(req).await
            }
            _ => AppError::new(ErrorCode::CsrfInvalid).into_response(),
        };
    }
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return AppError::new(ErrorCode::CsrfInvalid).into_response();
    }
    // Read the (size-limited) form to find the token, then hand the same bytes on.
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, body_limit).await {
        Ok(b) => b,
        Err(_) => return AppError::new(ErrorCode::RequestTooLarge).into_response(),
    };
    let given = url::form_urlencoded::parse(&bytes)
        .find(|(k, _)| k == CSRF_FIELD)
        .map(|(_, v)| v.into_owned());
    match given {
        Some(given) if !expected.is_empty() && constant_time_eq(&given, &expected) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        _ => AppError::new(ErrorCode::CsrfInvalid).into_response(),
    }
}

/// Status of a redirect after a successful form post (POST-redirect-GET).
pub const SEE_OTHER: StatusCode = StatusCode::SEE_OTHER;

/// Whether `next` is a safe place to return to: a path on this site, never another host
/// (prevents open redirects).
pub fn safe_next(next: &str) -> &str {
    if next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.contains("://")
    {
        next
    } else {
        "/"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_parsed() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; tianguis_lang=en; b=x=y"),
        );
        assert_eq!(cookie(&headers, LANG_COOKIE).as_deref(), Some("en"));
        assert_eq!(cookie(&headers, "b").as_deref(), Some("x=y"));
        assert_eq!(cookie(&headers, "missing"), None);
    }

    #[test]
    fn open_redirects_are_refused() {
        assert_eq!(safe_next("/admin/users?page=2"), "/admin/users?page=2");
        assert_eq!(safe_next("//evil.example"), "/");
        assert_eq!(safe_next("https://evil.example"), "/");
        assert_eq!(safe_next("/\\evil.example"), "/");
        assert_eq!(safe_next("javascript:alert(1)"), "/");
    }

    #[test]
    fn flash_cookie_only_carries_our_keys() {
        assert_eq!(
            parse_flash("flash-saved%7CAna"),
            Some(("flash-saved".into(), Some("Ana".into())))
        );
        assert_eq!(parse_flash("<script>"), None);
        assert_eq!(parse_flash("error-x"), None);
    }

    #[test]
    fn api_paths() {
        assert!(is_api_path("/api/users"));
        assert!(is_api_path("/api/openapi.json"));
        assert!(!is_api_path("/api/docs"));
        assert!(!is_api_path("/apiary"));
    }
}
