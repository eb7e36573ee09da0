//! Reloading after a form POST repeats nothing (issue 13, foundation point 2: "tested on bids,
//! awards, proposals, users"). Each form answers 303 to a page that confirms what happened;
//! fetching that page again, as a browser's reload does, records nothing more: the same number
//! of records and the same audit head. The bid form's case is in `forms`.

use crate::both;
use crate::esourcing::{As, item};
use crate::support::{TestApp, session_cookie};
use reqwest::StatusCode;
use reqwest::header::LOCATION;
use serde_json::json;
use std::sync::Arc;
use tianguis::repository::{Conn, audit, awards, catalogue, contracts, users};

/// A browser signed in as one demo user: its session in a cookie jar, so the flash cookie a
/// redirect sets is sent back like a browser would, and the session's anti-forgery token.
struct Browser<'a> {
    app: &'a TestApp,
    client: reqwest::Client,
    csrf: String,
}

/// What a repeated action would change: the audit log's head and a count of the records the
/// form creates.
type Fingerprint = (i64, i64);

impl<'a> Browser<'a> {
    async fn signed_in(app: &'a TestApp, username: &str) -> Browser<'a> {
        let (token, csrf) = app.session_for(username).await;
        let jar = reqwest::cookie::Jar::default();
        jar.add_cookie_str(&session_cookie(&token), &app.base.parse().unwrap());
        let client = reqwest::Client::builder()
            .cookie_provider(Arc::new(jar))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Browser { app, client, csrf }
    }

    async fn fingerprint(&self, count: &impl AsyncFn(&mut Conn) -> i64) -> Fingerprint {
        let mut conn = self.app.state.db.read().await.unwrap();
        let (seq, _) = audit::head(&mut conn).await.unwrap();
        (seq, count(&mut conn).await)
    }

    /// Posts a form and checks the pattern: a 303 to a page that confirms the action, where
    /// following the redirect repeats nothing, then a reload of that page that changes nothing
    /// at all. (The first read may record what time alone decides: the tender page finalises
    /// awards whose standstill is over, `system:standstill`.) Returns the redirect's target and
    /// the fingerprints before and after the POST.
    async fn post_then_reload(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        count: impl AsyncFn(&mut Conn) -> i64,
    ) -> (String, Fingerprint, Fingerprint) {
        let before = self.fingerprint(&count).await;
        let mut form = vec![("_csrf", self.csrf.as_str())];
        form.extend_from_slice(fields);
        let r = self
            .client
            .post(self.app.url(path))
            .form(&form)
            .send()
            .await
            .unwrap();
        let status = r.status();
        assert_eq!(
            status,
            StatusCode::SEE_OTHER,
            "{path}: {}",
            r.text().await.unwrap()
        );
        let target = r.headers()[LOCATION].to_str().unwrap().to_string();
        let after = self.fingerprint(&count).await;
        assert!(after.0 > before.0, "{path}: the action was recorded");
        let read = async || {
            let r = self.client.get(self.app.url(&target)).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::OK, "{target}");
            r.text().await.unwrap()
        };
        let html = read().await;
        assert!(
            html.contains(r#"class="flash" role="status""#),
            "{target} confirms what {path} did:\n{html}"
        );
        let followed = self.fingerprint(&count).await;
        assert_eq!(followed.1, after.1, "following the redirect of {path}");
        read().await;
        assert_eq!(
            self.fingerprint(&count).await,
            followed,
            "reloading {target} repeats nothing of {path}"
        );
        (target, before, after)
    }
}

/// The id in a redirect target such as `/admin/users/42` or `/catalogue/proposals/7`.
fn last_id(target: &str) -> i64 {
    target
        .trim_end_matches(|c: char| !c.is_ascii_digit())
        .rsplit('/')
        .next()
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("no id in {target}"))
}

/// A low-value purchase (no call for bids) is awarded directly, then its contract signed.
async fn awards(app: TestApp) {
    let buyer = As::user(&app, "compras").await;
    let id = buyer
        .create_published(json!({
            "title": "Compra de baja cuantía de guantes para emergencias",
            "description": "Reposición urgente de existencias del servicio.",
            "method": "baja_cuantia",
            "justification": "Reposición urgente: las existencias no cubren la semana.",
            "items": [{"lot": 1, "catalogue_item_id": item(&app, "MQ-0001").await,
                       "quantity": "1000", "unit_price": "10.00"}],
            "lot_titles": {"1": "Guantes"}
        }))
        .await;
    let (lot, tender_item) = buyer.first_lot_and_item(id).await;
    let (_, supplier) = As::user(&app, "proveedor1").await.get("/api/me").await;
    let supplier = supplier["supplier_id"].as_i64().unwrap().to_string();

    let awards_of_tender =
        async |conn: &mut Conn| awards::of_tender(conn, id).await.unwrap().len() as i64;
    let browser = Browser::signed_in(&app, "compras").await;
    let (_, before, after) = browser
        .post_then_reload(
            &format!("/tenders/{id}/lots/{lot}/award"),
            &[("supplier_id", &supplier), ("amount", "9500.00")],
            awards_of_tender,
        )
        .await;
    assert_eq!(after.1, before.1 + 1, "one award");

    // Its contract, once the award is final.
    app.state.advance_clock(86_400);
    let mut conn = app.state.db.read().await.unwrap();
    let award = awards::of_tender(&mut conn, id).await.unwrap()[0].id;
    drop(conn);
    let contracts_of_tender =
        async |conn: &mut Conn| contracts::of_tender(conn, id).await.unwrap().len() as i64;
    let (_, before, after) = browser
        .post_then_reload(
            &format!("/awards/{award}/contract"),
            &[
                ("start", "2027-01-04"),
                ("end", "2027-03-31"),
                ("payment_terms", "Pago a 30 días de la recepción conforme."),
                ("milestone_item", &tender_item.to_string()),
                ("milestone_quantity", "1000"),
                ("milestone_due", "2027-01-15"),
            ],
            contracts_of_tender,
        )
        .await;
    assert_eq!(after.1, before.1 + 1, "one contract");
}
both!(reloading_after_an_award_repeats_nothing, awards);

/// A buyer proposes a catalogue entry; an administrator approves it.
async fn proposals(app: TestApp) {
    let proposals = async |conn: &mut Conn| {
        let all = catalogue::proposals(conn, None, 10_000).await.unwrap();
        all.len() as i64
    };
    let (target, before, after) = Browser::signed_in(&app, "compras")
        .await
        .post_then_reload(
            "/catalogue/proposals",
            &[
                ("action", "new"),
                ("code", "MED-9901"),
                ("kind", "medicine"),
                ("name", "Ibuprofeno"),
                ("strength", "400 mg"),
                ("form", "tableta"),
                ("presentation", "Caja con 100 tabletas"),
                ("unit", "tableta"),
                ("atc_code", "M01AE01"),
                ("level_of_care", "1"),
                ("justification", "Analgésico de la lista básica que falta."),
            ],
            proposals,
        )
        .await;
    assert_eq!(after.1, before.1 + 1, "one proposal");

    let items =
        async |conn: &mut Conn| catalogue::list(conn, None, None, 0, 1).await.unwrap().total;
    let pid = last_id(&target);
    let (_, before, after) = Browser::signed_in(&app, "admin")
        .await
        .post_then_reload(
            &format!("/catalogue/proposals/{pid}/review"),
            &[
                ("outcome", "approve"),
                ("decision", "Aprobada: consta en la guía."),
            ],
            items,
        )
        .await;
    assert_eq!(after.1, before.1 + 1, "one new catalogue entry");
}
both!(reloading_after_a_proposal_repeats_nothing, proposals);

/// An administrator creates an account, edits it, resets its password and deactivates it.
async fn users(app: TestApp) {
    let accounts = async |conn: &mut Conn| users::count(conn).await.unwrap();
    let admin = Browser::signed_in(&app, "admin").await;
    let (target, before, after) = admin
        .post_then_reload(
            "/admin/users",
            &[
                ("username", "ana.lopez"),
                ("display_name", "Ana López"),
                ("email", "ana.lopez@example.gt"),
                ("roles", "analyst"),
                ("password", "una-clave-larga-2026"),
            ],
            accounts,
        )
        .await;
    assert_eq!(after.1, before.1 + 1, "one account");
    let user = last_id(&target);
    for (path, fields) in [
        (
            format!("/admin/users/{user}"),
            vec![
                ("username", "ana.lopez"),
                ("display_name", "Ana María López"),
                ("email", "ana.lopez@example.gt"),
                ("roles", "analyst"),
            ],
        ),
        (
            format!("/admin/users/{user}/password"),
            vec![("password", "otra-clave-larga-2026")],
        ),
        (
            format!("/admin/users/{user}/active"),
            vec![("active", "false")],
        ),
    ] {
        let (_, before, after) = admin.post_then_reload(&path, &fields, &accounts).await;
        assert_eq!(after.1, before.1, "{path} adds no account");
    }
}
both!(reloading_after_a_user_form_repeats_nothing, users);
