//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// `../shared` from the workspace root, as CI lays it out.
pub fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
}

/// Every file under `../shared/data/ocds-real`, sorted.
pub fn real_files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![shared().join("data/ocds-real")];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// A scratch directory removed at drop.
pub fn scratch() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

/// Write `text` to `dir/name` and return the path.
pub fn write(dir: &Path, name: &str, text: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path
}

/// Whether a reference tool is installed; when it is not, say so loudly, and fail under CI.
pub fn tool_available(tool: &str) -> bool {
    let ok = std::process::Command::new(tool)
        .arg("--help")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        let message =
            format!("`{tool}` is not installed (pip install ocdskit): parity test SKIPPED");
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{message}, but CI=true requires it");
        }
        eprintln!("warning: {message}");
    }
    ok
}
