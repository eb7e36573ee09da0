//! The real binary, killed: a write that returned success survives `kill -9` and a restart,
//! and SIGTERM lets in-flight requests finish and closes the database cleanly.

use crate::both_backends;
use crate::support::{Backend, TestDb, csrf_from};
use reqwest::StatusCode;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tianguis::repository::{Database, DbOptions, users};
use tianguis::service::audit::{Verification, verify};
use tianguis::service::demo::DEMO_PASSWORD;

/// A port nobody listens on now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running `tianguis serve` process.
pub struct Node {
    /// The process.
    pub child: Child,
    /// Its base URL.
    pub base: String,
    /// Its log so far: a thread drains stderr, so a chatty node never blocks on a full pipe.
    log: Arc<Mutex<String>>,
    drain: Option<std::thread::JoinHandle<()>>,
}

impl Node {
    /// Everything the process wrote to stderr, once it has exited.
    pub fn log_after_exit(&mut self) -> String {
        if let Some(drain) = self.drain.take() {
            let _ = drain.join();
        }
        self.log.lock().unwrap().clone()
    }
}

impl Drop for Node {
    /// A failing test must not leave its server running.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A node with the demo institution (its accounts) and none of the simulated year: the crash
/// tests need an administrator, not 300 tenders, and seeding those in a debug build takes
/// minutes on a slow machine (issue 13).
async fn start_node(db_url: &str) -> Node {
    start_node_with(db_url, &["--demo", "--demo-tenders", "0"], free_port()).await
}

/// Starts the binary on `port` with extra `serve` arguments and waits until it is healthy.
///
/// It waits for a condition, not for a fixed time: until `/healthz` answers or the process
/// exits (a failure to start fails at once, with its log). The bound is only a guard against a
/// hung process, far above any machine's start-up time.
pub async fn start_node_with(db_url: &str, extra: &[&str], port: u16) -> Node {
    let bind = format!("127.0.0.1:{port}");
    let mut args = vec!["serve", "--db", db_url, "--bind", &bind];
    args.extend_from_slice(extra);
    let child = Command::new(env!("CARGO_BIN_EXE_tianguis"))
        .args(&args)
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start tianguis");
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(900);
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let mut child = child;
    let log: Arc<Mutex<String>> = Arc::default();
    let stderr = child.stderr.take().expect("piped stderr");
    let sink = log.clone();
    let drain = std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            let mut log = sink.lock().unwrap();
            log.push_str(&line);
            log.push('\n');
        }
    });
    let mut node = Node {
        child,
        base,
        log,
        drain: Some(drain),
    };
    loop {
        if let Ok(r) = client.get(format!("{}/healthz", node.base)).send().await
            && r.status() == StatusCode::OK
        {
            break;
        }
        if let Ok(Some(status)) = node.child.try_wait() {
            let log = node.log_after_exit();
            panic!("the node exited before it became healthy ({status}):\n{log}");
        }
        assert!(Instant::now() < deadline, "node did not become healthy");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    node
}

/// A signed-in admin client and its anti-forgery token.
async fn admin_session(base: &str) -> (reqwest::Client, String) {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let page = client
        .get(format!("{base}/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_from(&page);
    let r = client
        .post(format!("{base}/login"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("username", "admin"),
            ("password", DEMO_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = client
        .get(format!("{base}/account"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_from(&page);
    (client, csrf)
}

async fn kill_nine(backend: Backend) {
    let Some(db) = TestDb::new(backend).await else {
        return;
    };
    let mut node = start_node(&db.url).await;
    let (client, csrf) = admin_session(&node.base).await;
    let acknowledged: Arc<Mutex<Vec<String>>> = Arc::default();
    let mut writers = Vec::new();
    for w in 0..4 {
        let client = client.clone();
        let csrf = csrf.clone();
        let base = node.base.clone();
        let acknowledged = acknowledged.clone();
        writers.push(tokio::spawn(async move {
            for n in 0.. {
                let username = format!("crash-{w}-{n}");
                let result = client
                    .post(format!("{base}/api/users"))
                    .header("x-csrf-token", &csrf)
                    .json(&serde_json::json!({
                        "username": username,
                        "display_name": "Crash test",
                        "roles": ["observer"],
                        "password": "Clave-de-prueba-2026"
                    }))
                    .send()
                    .await;
                match result {
                    Ok(r) if r.status() == StatusCode::CREATED => {
                        acknowledged.lock().unwrap().push(username)
                    }
                    Ok(r) => panic!("unexpected status {}", r.status()),
                    Err(_) => break, // the server is gone
                }
            }
        }));
    }
    // Let writes flow until some are acknowledged (a condition, whatever the machine's speed),
    // then pull the plug mid-stream.
    while acknowledged.lock().unwrap().len() < 8 {
        assert!(
            writers.iter().any(|w| !w.is_finished()),
            "every writer stopped before the kill"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    node.child.kill().expect("kill -9");
    node.child.wait().unwrap();
    for w in writers {
        w.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() >= 4,
        "some writes were acknowledged ({})",
        acknowledged.len()
    );

    // Restart on the same database: every acknowledged write is there, the chain is intact.
    let mut restarted = start_node(&db.url).await;
    let database = Database::connect(&db.url, &DbOptions::default())
        .await
        .unwrap();
    let mut conn = database.read().await.unwrap();
    for username in &acknowledged {
        assert!(
            users::find_for_login(&mut conn, username)
                .await
                .unwrap()
                .is_some(),
            "acknowledged user {username} was lost"
        );
    }
    drop(conn);
    assert!(matches!(
        verify(&database).await.unwrap(),
        Verification::Intact { .. }
    ));
    database.close().await;
    let (client, _) = admin_session(&restarted.base).await;
    let r = client
        .get(format!("{}/admin/users?search=crash-0-0", restarted.base))
        .send()
        .await
        .unwrap();
    assert!(r.text().await.unwrap().contains("crash-0-0"));
    restarted.child.kill().unwrap();
    restarted.child.wait().unwrap();
}
both_backends!(acknowledged_writes_survive_kill_9, kill_nine);

async fn graceful(backend: Backend) {
    let Some(db) = TestDb::new(backend).await else {
        return;
    };
    let mut node = start_node(&db.url).await;
    let mut requests = Vec::new();
    let answered = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    for _ in 0..40 {
        let url = format!("{}/api/docs", node.base);
        let answered = answered.clone();
        requests.push(tokio::spawn(async move {
            let client = reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .unwrap();
            match client.get(url).send().await {
                Ok(r) => {
                    answered.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let status = r.status();
                    Some((
                        status,
                        r.text().await.map(|t| t.trim_end().ends_with("</html>")),
                    ))
                }
                Err(_) => None,
            }
        }));
    }
    // Signal once the server is answering (a condition, not a fixed delay): the other requests
    // are then in flight, and every response already started must be finished.
    while answered.load(std::sync::atomic::Ordering::SeqCst) == 0 {
        assert!(
            requests.iter().any(|r| !r.is_finished()),
            "every request failed before the server answered"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // SAFETY: sending a signal to our own child process.
    unsafe {
        libc::kill(node.child.id() as i32, libc::SIGTERM);
    }
    let status = node.child.wait().unwrap();
    assert!(status.success(), "clean exit on SIGTERM: {status:?}");
    let mut served = 0;
    for r in requests {
        if let Some((status, complete)) = r.await.unwrap() {
            assert_eq!(status, StatusCode::OK);
            assert!(matches!(complete, Ok(true)), "a started response was cut");
            served += 1;
        }
    }
    assert!(served > 0, "requests in flight were served");
    let stderr = node.log_after_exit();
    assert!(stderr.contains("stopped cleanly"), "{stderr}");
    if backend == Backend::Sqlite {
        let wal = db.dir.as_ref().unwrap().path().join("tianguis.db-wal");
        assert!(
            !wal.exists() || std::fs::metadata(&wal).unwrap().len() == 0,
            "the WAL was checkpointed on close"
        );
    }
}
both_backends!(sigterm_shuts_down_gracefully, graceful);
