//! The integration-test harness: a real Tianguis node on a real database (an SQLite file or a
//! database in a throwaway PostgreSQL cluster), served over real HTTP on a random port.

pub mod pg;

use std::net::SocketAddr;
use tianguis::api::AppState;
use tianguis::config::Config;
use tianguis::domain::time::Timestamp;
use tianguis::repository::{sessions, users};
use tianguis::service::auth::{random_token, token_hash};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Which engine a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An SQLite file in a temporary directory.
    Sqlite,
    /// A fresh database in the shared throwaway cluster.
    Postgres,
}

/// A database for one test: its address and what keeps it alive.
pub struct TestDb {
    /// `sqlite://…` or `postgres://…`.
    pub url: String,
    /// The temporary directory of an SQLite file.
    pub dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// A new empty database, or `None` when PostgreSQL is unavailable (the test is skipped).
    pub async fn new(backend: Backend) -> Option<TestDb> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("tianguis.db").display());
                Some(TestDb {
                    url,
                    dir: Some(dir),
                })
            }
            Backend::Postgres => {
                let cluster = pg::cluster()?;
                Some(TestDb {
                    url: cluster.fresh_database().await,
                    dir: None,
                })
            }
        }
    }
}

/// A running node.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// Its shared state (database handle included).
    pub state: AppState,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
    _db: TestDb,
}

impl TestApp {
    /// A node with the demo institution seeded.
    pub async fn start(backend: Backend) -> Option<TestApp> {
        Self::start_with(backend, |_| {}).await
    }

    /// A node with the demo seeded and the configuration adjusted by `tweak`.
    pub async fn start_with(backend: Backend, tweak: impl FnOnce(&mut Config)) -> Option<TestApp> {
        let db = TestDb::new(backend).await?;
        let mut config = Config {
            db_url: db.url.clone(),
            demo: true,
            db_max_connections: 8,
            ..Config::default()
        };
        tweak(&mut config);
        let state = tianguis::server::prepare(config)
            .await
            .expect("node starts");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr: SocketAddr = listener.local_addr().expect("addr");
        let (tx, rx) = oneshot::channel::<()>();
        let serve_state = state.clone();
        let task = tokio::spawn(async move {
            tianguis::server::serve_until(serve_state, listener, async {
                let _ = rx.await;
            })
            .await
            .expect("server runs");
        });
        Some(TestApp {
            base: format!("http://{addr}"),
            state,
            shutdown: Some(tx),
            task: Some(task),
            _db: db,
        })
    }

    /// Absolute URL of a path.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// The JSON body of an anonymous `GET` (public pages and API).
    pub async fn get_json(&self, path: &str) -> serde_json::Value {
        reqwest::get(self.url(path))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// A browser-like client: keeps cookies, does not follow redirects.
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(120))
            .build()
            .expect("client")
    }

    /// Id of a demo account.
    pub async fn user_id(&self, username: &str) -> i64 {
        let mut conn = self.state.db.read().await.expect("conn");
        users::find_for_login(&mut conn, username)
            .await
            .expect("query")
            .unwrap_or_else(|| panic!("no user {username}"))
            .0
            .id
    }

    /// A personal API token of a demo account, created through the service.
    pub async fn token_for(&self, username: &str) -> String {
        let id = self.user_id(username).await;
        let mut conn = self.state.db.read().await.expect("conn");
        let user = users::find(&mut conn, id).await.expect("q").expect("user");
        drop(conn);
        tianguis::service::tokens::create(&self.state.db, &user, "tests", None)
            .await
            .expect("token")
            .token
    }

    /// A signed-in browser session for a demo account, stored directly (no password hashing),
    /// returned as (cookie value, anti-forgery token).
    pub async fn session_for(&self, username: &str) -> (String, String) {
        let id = self.user_id(username).await;
        open_session(&self.state.db, id).await
    }

    /// Stops the server gracefully and waits for it.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

/// The anti-forgery token of the first form on a page.
/// A signed-in browser session of a user, stored directly in `db` (no password hashing), as
/// (cookie value, anti-forgery token); for nodes started as separate processes too.
pub async fn open_session(db: &tianguis::repository::Database, user_id: i64) -> (String, String) {
    let token = random_token();
    let csrf = random_token();
    let now = Timestamp::now();
    let mut tx = db.begin().await.expect("tx");
    sessions::insert(
        &mut tx,
        &token_hash(&token),
        user_id,
        &csrf,
        now,
        now.plus_seconds(3600),
    )
    .await
    .expect("session");
    tx.commit().await.expect("commit");
    (token, csrf)
}

/// The `Cookie` header value of a session token.
pub fn session_cookie(token: &str) -> String {
    format!("{}={token}", tianguis::api::context::SESSION_COOKIE)
}

/// The HTML of a page, as an anonymous visitor or with a session cookie.
pub async fn page_text(url: String, cookie: Option<&str>) -> String {
    let mut request = reqwest::Client::new().get(url);
    if let Some(cookie) = cookie {
        request = request.header(reqwest::header::COOKIE, cookie);
    }
    request.send().await.unwrap().text().await.unwrap()
}

/// Posts a page's form with a session cookie, without following the redirect; its status.
pub async fn post_form(url: String, cookie: &str, fields: &[(&str, &str)]) -> reqwest::StatusCode {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(url)
        .header(reqwest::header::COOKIE, cookie)
        .form(fields)
        .send()
        .await
        .unwrap()
        .status()
}

pub fn csrf_from(html: &str) -> String {
    let re = regex::Regex::new(r#"name="_csrf" value="([^"]+)""#).expect("regex");
    re.captures(html)
        .map(|c| c[1].to_string())
        .expect("page has a form with an anti-forgery token")
}

/// Signs in through the real form; returns the response to the POST.
pub async fn login(
    client: &reqwest::Client,
    app: &TestApp,
    username: &str,
    password: &str,
) -> reqwest::Response {
    let page = client
        .get(app.url("/login"))
        .send()
        .await
        .expect("login page")
        .text()
        .await
        .expect("body");
    let csrf = csrf_from(&page);
    client
        .post(app.url("/login"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("username", username),
            ("password", password),
            ("next", "/account"),
        ])
        .send()
        .await
        .expect("login post")
}

/// The `error.code` of a JSON error body, or the `data-error-code` of an error page.
pub fn error_code(body: &str) -> Option<String> {
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(body) {
        return v["error"]["code"].as_str().map(str::to_string);
    }
    let re = regex::Regex::new(r#"data-error-code="([^"]+)""#).expect("regex");
    re.captures(body).map(|c| c[1].to_string())
}

/// Declares a test that runs once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! both {
    ($name:ident, $case:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::support::TestApp::start($crate::support::Backend::Sqlite)
                    .await
                    .expect("sqlite node");
                super::$case(app).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) =
                    $crate::support::TestApp::start($crate::support::Backend::Postgres).await
                {
                    super::$case(app).await;
                }
            }
        }
    };
}

/// Like [`both!`] for cases that take the backend and set up their own node or database.
#[macro_export]
macro_rules! both_backends {
    ($name:ident, $case:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$case($crate::support::Backend::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$case($crate::support::Backend::Postgres).await;
            }
        }
    };
}
