//! Streams one URL into a `.part` file over HTTP(S), resuming what an earlier, interrupted
//! transfer left (`Range: bytes=N-`), so a dropped connection near the end of a multi-gigabyte
//! checkpoint does not restart it from zero.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use thiserror::Error;

use super::progress::DownloadProgress;

/// The HTTP client and retry policy used for downloads.
pub(crate) struct Http {
    /// Follows redirects (Hugging Face `resolve/main` answers with a CDN redirect), reads
    /// `HTTPS_PROXY`/`NO_PROXY`, does not turn 4xx/5xx into errors (statuses are handled here).
    pub(crate) agent: ureq::Agent,
    /// Transfers tried per download; an interrupted one is resumed by the next.
    pub(crate) attempts: u32,
}

impl Http {
    /// Production settings: proxy from the environment, generous timeouts.
    pub(crate) fn new() -> Self {
        Self::with_proxy(ureq::Proxy::try_from_env())
    }

    /// `proxy` (`None`: connect directly, as tests against 127.0.0.1 must).
    pub(crate) fn with_proxy(proxy: Option<ureq::Proxy>) -> Self {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .proxy(proxy)
            .max_redirects(10)
            .timeout_connect(Some(Duration::from_secs(30)))
            .timeout_recv_response(Some(Duration::from_secs(60)))
            .timeout_per_read(Some(Duration::from_secs(60)))
            .user_agent(concat!("eobench/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Self { agent, attempts: 5 }
    }
}

/// Why a download did not produce a complete `.part` file.
#[derive(Debug, Error)]
pub enum DownloadError {
    /// No response: DNS, connection refused, TLS, proxy, timeout.
    #[error("request failed: {message}")]
    Request {
        /// The client's message.
        message: String,
    },
    /// The server answered with an error status.
    #[error("server answered HTTP {status}")]
    Status {
        /// The status code.
        status: u16,
    },
    /// The transfer stopped before the end; what was received is kept for resuming.
    #[error("transfer interrupted at byte {at}{}: {message}", total.map(|t| format!(" of {t}")).unwrap_or_default())]
    Interrupted {
        /// Bytes of the file on disk.
        at: u64,
        /// Full size, when known.
        total: Option<u64>,
        /// What happened.
        message: String,
    },
    /// The partial file cannot be written.
    #[error("cannot write {}: {source}", path.display())]
    Io {
        /// The `.part` file.
        path: PathBuf,
        /// The error.
        source: io::Error,
    },
}

impl DownloadError {
    /// Whether another attempt may get further (the server was reachable and sent data).
    fn retryable(&self) -> bool {
        matches!(self, Self::Interrupted { .. })
    }
}

/// Downloads `url` into `part`, resuming from the bytes `part` already holds. On success `part`
/// holds the whole file; on failure it keeps what arrived, for the next call to resume.
pub(crate) fn download(
    http: &Http,
    url: &str,
    part: &Path,
    progress: &mut dyn DownloadProgress,
) -> Result<(), DownloadError> {
    let mut attempt = 1;
    loop {
        match transfer(http, url, part, progress) {
            Err(e) if e.retryable() && attempt < http.attempts => {
                progress.warn(&format!("{url}: {e}; retrying"));
                attempt += 1;
            }
            result => return result,
        }
    }
}

fn header<'a>(resp: &'a ureq::http::Response<ureq::Body>, name: &str) -> Option<&'a str> {
    resp.headers().get(name).and_then(|v| v.to_str().ok())
}

/// `Content-Range: bytes <start>-<end>/<total>` → `(start, total)`; `bytes */<total>` → `(None,
/// total)`. `total` is `None` for `*`.
fn content_range(value: &str) -> Option<(Option<u64>, Option<u64>)> {
    let rest = value.trim().strip_prefix("bytes")?.trim_start();
    let (range, total) = rest.split_once('/')?;
    let total = total.trim().parse().ok();
    let start = match range.trim() {
        "*" => None,
        r => Some(r.split_once('-')?.0.trim().parse().ok()?),
    };
    Some((start, total))
}

/// One HTTP request: resumes with `Range` when `part` is non-empty and falls back to a full
/// transfer when the server ignores the range.
fn transfer(
    http: &Http,
    url: &str,
    part: &Path,
    progress: &mut dyn DownloadProgress,
) -> Result<(), DownloadError> {
    let io_err = |source| DownloadError::Io {
        path: part.to_path_buf(),
        source,
    };
    let have = fs::metadata(part).map(|m| m.len()).unwrap_or(0);
    let mut request = http.agent.get(url);
    if have > 0 {
        request = request.header("Range", format!("bytes={have}-"));
    }
    let mut resp = request.call().map_err(|e| DownloadError::Request {
        message: e.to_string(),
    })?;
    let status = resp.status().as_u16();
    let range = header(&resp, "content-range").and_then(content_range);
    let length = resp.body().content_length();
    let (mut file, offset, total) = match status {
        206 if have > 0 => match range {
            Some((Some(start), total)) if start == have => {
                let file = OpenOptions::new().append(true).open(part).map_err(io_err)?;
                (file, have, total.or(length.map(|l| have + l)))
            }
            _ => {
                // Resumed at an offset we did not ask for: start over rather than splice.
                fs::remove_file(part).map_err(io_err)?;
                return Err(DownloadError::Interrupted {
                    at: 0,
                    total: None,
                    message: format!("server resumed at the wrong offset ({range:?}); restarting"),
                });
            }
        },
        // 200 (or a 206 we did not ask for): the whole file, from byte 0; a server that
        // ignores `Range` lands here and the partial file is discarded.
        200 | 206 => {
            if have > 0 {
                progress.warn(&format!(
                    "{url}: server does not support resuming; downloading again from the start"
                ));
            }
            (File::create(part).map_err(io_err)?, 0, length)
        }
        416 if have > 0 => {
            return match range {
                // The partial file already holds everything.
                Some((_, Some(total))) if total == have => Ok(()),
                _ => {
                    fs::remove_file(part).map_err(io_err)?;
                    Err(DownloadError::Interrupted {
                        at: 0,
                        total: None,
                        message: "partial file larger than the served file; restarting".into(),
                    })
                }
            };
        }
        _ => return Err(DownloadError::Status { status }),
    };

    progress.start(url, total, offset);
    let result = copy(&mut resp, &mut file, progress);
    progress.finish();
    let written = result.map_err(|(written, source)| match source {
        Sink::Write(source) => io_err(source),
        Sink::Read(e) => DownloadError::Interrupted {
            at: offset + written,
            total,
            message: e.to_string(),
        },
    });
    let flushed = file.sync_all().map_err(io_err);
    let written = written?;
    flushed?;
    match total {
        Some(t) if offset + written != t => Err(DownloadError::Interrupted {
            at: offset + written,
            total,
            message: "connection closed early".into(),
        }),
        _ => Ok(()),
    }
}

enum Sink {
    Read(io::Error),
    Write(io::Error),
}

/// Copies the response body into `file`, reporting progress; on error returns the bytes
/// written so far.
fn copy(
    resp: &mut ureq::http::Response<ureq::Body>,
    file: &mut File,
    progress: &mut dyn DownloadProgress,
) -> Result<u64, (u64, Sink)> {
    let mut reader = resp.body_mut().as_reader();
    let mut buf = vec![0u8; 256 * 1024];
    let mut written = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => return Ok(written),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err((written, Sink::Read(e))),
        };
        file.write_all(&buf[..n])
            .map_err(|e| (written, Sink::Write(e)))?;
        written += n as u64;
        progress.advance(n as u64);
    }
}

#[cfg(test)]
mod tests {
    use super::content_range;

    #[test]
    fn parses_content_range() {
        assert_eq!(
            content_range("bytes 10-99/100"),
            Some((Some(10), Some(100)))
        );
        assert_eq!(content_range("bytes */100"), Some((None, Some(100))));
        assert_eq!(content_range("bytes 0-9/*"), Some((Some(0), None)));
        assert_eq!(content_range("items 0-9/10"), None);
    }
}
