//! Download path tests against a local HTTP server started by each test (127.0.0.1:0, one
//! thread, `Connection: close`), with a temporary cache passed explicitly.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

use super::cache::{Cache, cache_dir_from};
use super::download::Http;
use super::progress::DownloadProgress;
use super::release::{ReleaseError, fetch_release_with};
use super::resolve::{Release, WeightsSource, resolve_with};
use super::sha::sha256_file;

/// One request as the server saw it.
#[derive(Clone, Debug)]
struct Seen {
    path: String,
    range: Option<String>,
}

/// How the test server misbehaves.
#[derive(Clone, Default)]
struct Behaviour {
    /// Close the connection after this many body bytes, on the first `/file` response only.
    drop_once_after: Option<usize>,
    /// Answer 200 with the whole file even when asked for a range.
    ignore_range: bool,
}

/// Serves `content` at `/file`; `/redirect` answers 302 to `/file`; anything else is 404.
struct Server {
    port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    fn start(content: Vec<u8>, behaviour: Behaviour) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let dropped = AtomicBool::new(false);
        thread::spawn(move || {
            // Bounded: no test makes more than a handful of requests.
            for stream in listener.incoming().take(16) {
                let Ok(stream) = stream else { continue };
                serve(stream, port, &content, &behaviour, &dropped, &log);
            }
        });
        Self { port, seen }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

fn serve(
    mut stream: TcpStream,
    port: u16,
    content: &[u8],
    behaviour: &Behaviour,
    dropped: &AtomicBool,
    log: &Mutex<Vec<Seen>>,
) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let head = String::from_utf8_lossy(&head).to_string();
    let path = head.split_whitespace().nth(1).unwrap_or("").to_string();
    let range = head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case("range")
            .then(|| v.trim().to_string())
    });
    log.lock().unwrap().push(Seen {
        path: path.clone(),
        range: range.clone(),
    });
    let len = content.len();
    let (status, headers, body): (&str, String, &[u8]) = match path.as_str() {
        "/redirect" => (
            "302 Found",
            format!("Location: http://127.0.0.1:{port}/file\r\n"),
            b"",
        ),
        "/file" => {
            let start = range
                .as_deref()
                .filter(|_| !behaviour.ignore_range)
                .and_then(|r| r.strip_prefix("bytes=")?.strip_suffix('-')?.parse().ok());
            match start {
                Some(s) if s >= len => (
                    "416 Range Not Satisfiable",
                    format!("Content-Range: bytes */{len}\r\n"),
                    b"",
                ),
                Some(s) => (
                    "206 Partial Content",
                    format!("Content-Range: bytes {s}-{}/{len}\r\n", len - 1),
                    &content[s..],
                ),
                None => ("200 OK", String::new(), content),
            }
        }
        _ => ("404 Not Found", String::new(), b""),
    };
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let body = match behaviour.drop_once_after {
        Some(n) if path == "/file" && !dropped.swap(true, Ordering::SeqCst) => &body[..n],
        _ => body,
    };
    let _ = stream.write_all(body);
    let _ = stream.flush();
    let _ = stream.shutdown(std::net::Shutdown::Both);
}

/// Records progress calls and warnings.
#[derive(Default)]
struct Recorder {
    starts: Vec<(String, Option<u64>, u64)>,
    bytes: u64,
    finishes: usize,
    warnings: Vec<String>,
}

impl DownloadProgress for Recorder {
    fn start(&mut self, url: &str, total: Option<u64>, resumed_from: u64) {
        self.starts.push((url.to_string(), total, resumed_from));
    }
    fn advance(&mut self, bytes: u64) {
        self.bytes += bytes;
    }
    fn finish(&mut self) {
        self.finishes += 1;
    }
    fn warn(&mut self, message: &str) {
        self.warnings.push(message.to_string());
    }
}

/// Pseudo-random bytes, large enough to need several reads.
fn content(len: usize) -> Vec<u8> {
    let mut x: u32 = 12345;
    (0..len)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (x >> 16) as u8
        })
        .collect()
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn release(url: String, sha256: Option<String>) -> Release {
    Release {
        url,
        sha256,
        file: "model.pth".into(),
    }
}

fn direct() -> Http {
    Http::with_proxy(None)
}

fn fetch(
    http: &Http,
    release: &Release,
    cache: &Cache,
    progress: &mut Recorder,
) -> Result<PathBuf, ReleaseError> {
    fetch_release_with(http, "tiny", release, cache, progress).map(|f| f.path)
}

fn weights_files(cache: &Cache) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(cache.weights_dir())
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

#[test]
fn downloads_and_verifies_a_pinned_release() {
    let data = content(300_000);
    let server = Server::start(data.clone(), Behaviour::default());
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::at(dir.path());
    let rel = release(server.url("/file"), Some(sha256_hex(&data).to_uppercase()));
    let mut progress = Recorder::default();
    let fetched = fetch_release_with(&direct(), "tiny", &rel, &cache, &mut progress).unwrap();
    assert_eq!(fetched.path, dir.path().join("weights/model.pth"));
    assert!(fetched.verified && fetched.downloaded);
    assert_eq!(fetched.sha256, sha256_hex(&data));
    assert_eq!(read(&fetched.path), data);
    assert_eq!(
        progress.starts,
        vec![(server.url("/file"), Some(data.len() as u64), 0)]
    );
    assert_eq!(progress.bytes, data.len() as u64);
    assert_eq!(progress.finishes, 1);
    assert!(progress.warnings.is_empty(), "{:?}", progress.warnings);
    // Verified hash remembered; no partial file left behind.
    assert_eq!(
        weights_files(&cache),
        ["model.pth", "model.pth.lock", "model.pth.sha256"]
    );
    let sidecar = std::fs::read_to_string(dir.path().join("weights/model.pth.sha256")).unwrap();
    assert!(sidecar.starts_with(&sha256_hex(&data)), "{sidecar}");
    assert_eq!(server.requests().len(), 1);
    assert_eq!(server.requests()[0].range, None);
}

#[test]
fn resumes_an_interrupted_transfer_with_range() {
    let data = content(200_000);
    let server = Server::start(
        data.clone(),
        Behaviour {
            drop_once_after: Some(70_000),
            ..Behaviour::default()
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::at(dir.path());
    let rel = release(server.url("/file"), Some(sha256_hex(&data)));
    let mut progress = Recorder::default();
    let path = fetch(&direct(), &rel, &cache, &mut progress).unwrap();
    assert_eq!(read(&path), data);
    let seen = server.requests();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert_eq!(seen[0].range, None);
    assert_eq!(seen[1].range.as_deref(), Some("bytes=70000-"));
    assert_eq!(progress.starts[1].2, 70_000);
    assert!(
        progress.warnings[0].contains("interrupted"),
        "{:?}",
        progress.warnings
    );
}

#[test]
fn a_failed_run_leaves_a_part_file_the_next_run_resumes() {
    let data = content(200_000);
    let server = Server::start(
        data.clone(),
        Behaviour {
            drop_once_after: Some(50_000),
            ..Behaviour::default()
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::at(dir.path());
    let rel = release(server.url("/file"), Some(sha256_hex(&data)));
    let once = Http {
        attempts: 1,
        ..direct()
    };
    let err = fetch(&once, &rel, &cache, &mut Recorder::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("interrupted at byte 50000 of 200000") && err.contains("model.pth.part"),
        "{err}"
    );
    assert!(!cache.weights_path("model.pth").exists());
    assert_eq!(
        std::fs::metadata(dir.path().join("weights/model.pth.part"))
            .unwrap()
            .len(),
        50_000
    );
    let path = fetch(&once, &rel, &cache, &mut Recorder::default()).unwrap();
    assert_eq!(read(&path), data);
    let seen = server.requests();
    assert_eq!(seen[1].range.as_deref(), Some("bytes=50000-"));
}

#[test]
fn restarts_from_zero_when_the_server_ignores_range() {
    let data = content(100_000);
    let server = Server::start(
        data.clone(),
        Behaviour {
            ignore_range: true,
            ..Behaviour::default()
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::at(dir.path());
    std::fs::create_dir_all(cache.weights_dir()).unwrap();
    // A stale partial file from an earlier run.
    std::fs::write(dir.path().join("weights/model.pth.part"), &data[..40_000]).unwrap();
    let rel = release(server.url("/file"), Some(sha256_hex(&data)));
    let mut progress = Recorder::default();
    let path = fetch(&direct(), &rel, &cache, &mut progress).unwrap();
    assert_eq!(read(&path), data);
    let seen = server.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].range.as_deref(), Some("bytes=40000-"));
    assert_eq!(progress.starts[0].2, 0);
    assert_eq!(progress.bytes, data.len() as u64);
}

#[test]
fn a_complete_part_file_is_finished_on_416() {
    let data = content(10_000);
    let server = Server::start(data.clone(), Behaviour::default());
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::at(dir.path());
    std::fs::create_dir_all(cache.weights_dir()).unwrap();
    std::fs::write(dir.path().join("weights/model.pth.part"), &data).unwrap();
    let rel = release(server.url("/file"), Some(sha256_hex(&data)));
    let path = fetch(&direct(), &rel, &cache, &mut Recorder::default()).unwrap();
    assert_eq!(read(&path), data);
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn follows_redirects() {
    let data = content(50_000);
    let server = Server::start(data.clone(), Behaviour::default());
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::at(dir.path());
    let rel = release(server.url("/redirect"), Some(sha256_hex(&data)));
    let path = fetch(&direct(), &rel, &cache, &mut Recorder::default()).unwrap();
    assert_eq!(read(&path), data);
    let paths: Vec<String> = server.requests().into_iter().map(|s| s.path).collect();
    assert_eq!(paths, ["/redirect", "/file"]);
}

#[test]
fn checksum_mismatch_is_an_error_and_leaves_no_file() {
    let data = content(20_000);
    let server = Server::start(data.clone(), Behaviour::default());
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::at(dir.path());
    let wrong = "ab".repeat(32);
    let rel = release(server.url("/file"), Some(wrong.clone()));
    let err = fetch(&direct(), &rel, &cache, &mut Recorder::default()).unwrap_err();
    assert!(matches!(err, ReleaseError::Mismatch { .. }), "{err}");
    let text = err.to_string();
    assert!(
        text.contains(&server.url("/file"))
            && text.contains(&wrong)
            && text.contains(&sha256_hex(&data))
            && text.contains("model.pth"),
        "{text}"
    );
    assert_eq!(weights_files(&cache), ["model.pth.lock"]);
}

#[test]
fn unpinned_release_succeeds_and_reports_the_hash() {
    let data = content(20_000);
    let server = Server::start(data.clone(), Behaviour::default());
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::at(dir.path());
    let releases = BTreeMap::from([("tiny".to_string(), release(server.url("/file"), None))]);
    let mut progress = Recorder::default();
    let source = resolve_with(&direct(), "tiny", &releases, &cache, &mut progress).unwrap();
    assert_eq!(source, WeightsSource::File(cache.weights_path("model.pth")));
    let hash = sha256_hex(&data);
    assert_eq!(progress.warnings.len(), 1);
    assert!(
        progress.warnings[0].contains(&format!("sha256: {hash}")),
        "{:?}",
        progress.warnings
    );
    let fetched =
        fetch_release_with(&direct(), "tiny", &releases["tiny"], &cache, &mut progress).unwrap();
    assert!(!fetched.verified && !fetched.downloaded);
    assert_eq!(fetched.sha256, hash);
}

#[test]
fn a_cache_hit_makes_no_request() {
    let data = content(30_000);
    let server = Server::start(data.clone(), Behaviour::default());
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::at(dir.path());
    let releases = BTreeMap::from([(
        "tiny".to_string(),
        release(server.url("/file"), Some(sha256_hex(&data))),
    )]);
    for _ in 0..3 {
        let source = resolve_with(
            &direct(),
            "tiny",
            &releases,
            &cache,
            &mut Recorder::default(),
        )
        .unwrap();
        assert_eq!(source, WeightsSource::File(cache.weights_path("model.pth")));
    }
    assert_eq!(server.requests().len(), 1);
    // Without the sidecar the file is re-hashed (still no request), and the sidecar restored.
    std::fs::remove_file(dir.path().join("weights/model.pth.sha256")).unwrap();
    let fetched = fetch_release_with(
        &direct(),
        "tiny",
        &releases["tiny"],
        &cache,
        &mut Recorder::default(),
    )
    .unwrap();
    assert!(fetched.verified && !fetched.downloaded);
    assert!(dir.path().join("weights/model.pth.sha256").is_file());
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn a_corrupted_cached_file_is_downloaded_again() {
    let data = content(30_000);
    let server = Server::start(data.clone(), Behaviour::default());
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::at(dir.path());
    let rel = release(server.url("/file"), Some(sha256_hex(&data)));
    let path = fetch(&direct(), &rel, &cache, &mut Recorder::default()).unwrap();
    std::fs::write(&path, b"truncated").unwrap();
    let mut progress = Recorder::default();
    fetch(&direct(), &rel, &cache, &mut progress).unwrap();
    assert_eq!(read(&path), data);
    assert_eq!(server.requests().len(), 2);
    assert!(
        progress.warnings[0].contains("downloading it again"),
        "{:?}",
        progress.warnings
    );
}

#[test]
fn concurrent_fetches_download_once() {
    let data = content(500_000);
    let server = Server::start(data.clone(), Behaviour::default());
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::at(dir.path());
    let rel = release(server.url("/file"), Some(sha256_hex(&data)));
    let paths: Vec<PathBuf> = thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| s.spawn(|| fetch(&direct(), &rel, &cache, &mut Recorder::default())))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap().unwrap())
            .collect()
    });
    for p in &paths {
        assert_eq!(read(p), data);
    }
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn unreachable_url_names_the_url_file_and_cache_path() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/weights/model.pth");
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::at(dir.path());
    let releases = BTreeMap::from([("tiny".to_string(), release(url.clone(), None))]);
    let err = resolve_with(
        &direct(),
        "tiny",
        &releases,
        &cache,
        &mut Recorder::default(),
    )
    .unwrap_err()
    .to_string();
    let dest = cache.weights_path("model.pth");
    assert!(
        err.contains(&url)
            && err.contains(&dest.display().to_string())
            && err.contains("encoder.weights=/path/to/model.pth")
            && err.contains("Offline?"),
        "{err}"
    );
    assert!(!dest.exists());
}

#[test]
fn http_errors_name_the_status_and_the_manual_route() {
    let server = Server::start(content(10), Behaviour::default());
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::at(dir.path());
    let rel = release(server.url("/gone"), None);
    let err = fetch(&direct(), &rel, &cache, &mut Recorder::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("HTTP 404") && err.contains(&server.url("/gone")) && err.contains("model.pth"),
        "{err}"
    );
    assert_eq!(server.requests().len(), 1, "4xx is not retried");
}

#[test]
fn bad_release_fields_are_rejected_before_any_request() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::at(dir.path());
    let mut rel = release("http://127.0.0.1:9/x".into(), Some("1234".into()));
    let err = fetch(&direct(), &rel, &cache, &mut Recorder::default()).unwrap_err();
    assert!(matches!(err, ReleaseError::BadHash { .. }), "{err}");
    rel.sha256 = None;
    for bad in ["../evil.pth", "a/b.pth", "", ".."] {
        rel.file = bad.into();
        let err = fetch(&direct(), &rel, &cache, &mut Recorder::default()).unwrap_err();
        assert!(
            matches!(err, ReleaseError::BadFileName { .. }),
            "{bad}: {err}"
        );
    }
    assert!(!cache.weights_dir().exists());
}

#[test]
fn random_and_local_paths_need_no_cache_or_network() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::at(dir.path().join("unused"));
    let local = dir.path().join("local.safetensors");
    std::fs::write(&local, b"x").unwrap();
    let releases = BTreeMap::from([(
        "tiny".to_string(),
        release("http://127.0.0.1:9/x".into(), None),
    )]);
    let mut progress = Recorder::default();
    assert_eq!(
        resolve_with(&direct(), "random", &releases, &cache, &mut progress).unwrap(),
        WeightsSource::Random
    );
    assert_eq!(
        resolve_with(
            &direct(),
            local.to_str().unwrap(),
            &releases,
            &cache,
            &mut progress
        )
        .unwrap(),
        WeightsSource::File(local)
    );
    assert!(progress.starts.is_empty() && !cache.dir().exists());
}

#[test]
fn cache_dir_follows_the_environment() {
    let os = |s: &'static str| Some(OsStr::new(s));
    let p = PathBuf::from;
    assert_eq!(
        cache_dir_from(os("/c"), os("/x"), os("/h"), false),
        Some(p("/c"))
    );
    assert_eq!(
        cache_dir_from(os("/c"), os("/x"), os("/h"), true),
        Some(p("/c"))
    );
    assert_eq!(
        cache_dir_from(None, os("/x"), os("/h"), false),
        Some(p("/x/eobench"))
    );
    assert_eq!(
        cache_dir_from(os(""), os(""), os("/h"), false),
        Some(p("/h/.cache/eobench"))
    );
    // XDG paths must be absolute.
    assert_eq!(
        cache_dir_from(None, os("rel"), os("/h"), false),
        Some(p("/h/.cache/eobench"))
    );
    assert_eq!(
        cache_dir_from(None, os("/x"), os("/h"), true),
        Some(p("/h/Library/Caches/eobench"))
    );
    assert_eq!(cache_dir_from(None, None, None, false), None);
    assert_eq!(Cache::at("/c").weights_path("m.pth"), p("/c/weights/m.pth"));
}

#[test]
fn sha256_of_a_file_matches_the_in_memory_hash() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f");
    let data = content(3 << 20);
    std::fs::write(&path, &data).unwrap();
    assert_eq!(sha256_file(&path).unwrap(), sha256_hex(&data));
}

/// Real HTTPS (TLS, CDN redirect): needs the network, so run by hand with
/// `cargo test --release -p eobench-core -- --ignored downloads_over_https`
/// (`EOBENCH_TEST_HTTPS_URL` overrides the URL).
#[test]
#[ignore = "needs network access"]
fn downloads_over_https_from_a_real_host() {
    let url = std::env::var("EOBENCH_TEST_HTTPS_URL").unwrap_or_else(|_| {
        "https://huggingface.co/google-bert/bert-base-uncased/resolve/main/config.json".into()
    });
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::at(dir.path());
    let mut progress = Recorder::default();
    let fetched = fetch_release_with(
        &Http::new(),
        "real",
        &release(url, None),
        &cache,
        &mut progress,
    )
    .unwrap();
    assert!(fetched.downloaded && std::fs::metadata(&fetched.path).unwrap().len() > 0);
}
