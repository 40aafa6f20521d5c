//! Password login against a real xntop: the users file holds only an argon2id hash, a wrong password is 401, the
//! right one gives a session cookie that opens the API, logout needs the CSRF token and ends the session, the
//! UI redirects to /login without a session, five failures from one address give 429, and bursts of concurrent
//! guesses never get more password checks than that budget.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Stdio;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use common::{tmpdir, xntop};

struct Resp {
    status: u16,
    head: String,
    body: String,
}

impl Resp {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
}

fn request(port: u16, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Resp {
    request_on(
        TcpStream::connect(("127.0.0.1", port)).unwrap(),
        port,
        method,
        path,
        headers,
        body,
    )
}

/// A request on a connection already open.
fn request_on(
    mut s: TcpStream,
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Resp {
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut req =
        format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    s.write_all(req.as_bytes()).unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    let (head, body) = resp.split_once("\r\n\r\n").unwrap_or((&resp, ""));
    Resp {
        status: head.split_whitespace().nth(1).unwrap().parse().unwrap(),
        head: head.to_string(),
        body: body.to_string(),
    }
}

fn login(port: u16, password: &str) -> Resp {
    login_on(
        TcpStream::connect(("127.0.0.1", port)).unwrap(),
        port,
        password,
    )
}

fn login_on(s: TcpStream, port: u16, password: &str) -> Resp {
    let body = serde_json::json!({ "username": "admin", "password": password }).to_string();
    request_on(
        s,
        port,
        "POST",
        "/login",
        &[("Content-Type", "application/json")],
        &body,
    )
}

/// One login per password, all at once from 127.0.0.1: every connection is opened first, then the requests are
/// released together.
fn burst(port: u16, passwords: &[String]) -> Vec<Resp> {
    let gate = Arc::new(Barrier::new(passwords.len()));
    let threads: Vec<_> = passwords
        .iter()
        .map(|pw| {
            let (pw, gate) = (pw.clone(), Arc::clone(&gate));
            std::thread::spawn(move || {
                let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
                gate.wait();
                login_on(s, port, &pw)
            })
        })
        .collect();
    threads.into_iter().map(|t| t.join().unwrap()).collect()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn login_session_csrf_logout_and_rate_limit() {
    let dir = tmpdir("weblogin");
    let data = dir.join("data");
    let port = free_port();
    let password = "correct horse battery staple";
    let mut child = xntop()
        .args([
            "--replay-loop",
            "-g",
            "0",
            "-w",
            &format!("127.0.0.1:{port}"),
        ])
        .arg("-d")
        .arg(&data)
        .args(["--admin-password", password])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    common::wait_listening(port);

    let users = std::fs::read_to_string(data.join("users.json")).unwrap();
    assert!(users.contains("$argon2id$"), "{users}");
    assert!(
        !users.contains(password),
        "the clear password is never stored"
    );

    // No session: the UI goes to /login, the API is 401.
    let r = request(port, "GET", "/", &[], "");
    assert_eq!((r.status, r.header("location")), (303, Some("/login")));
    assert_eq!(request(port, "GET", "/login", &[], "").status, 200);
    assert_eq!(
        request(port, "GET", "/api/v1/interfaces", &[], "").status,
        401
    );

    assert_eq!(login(port, "wrong").status, 401);
    let ok = login(port, password);
    assert_eq!(ok.status, 200, "{}", ok.body);
    let set_cookie = ok.header("set-cookie").unwrap().to_string();
    for attr in ["xntop_session=", "HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(set_cookie.contains(attr), "{set_cookie}");
    }
    let cookie = set_cookie.split(';').next().unwrap().to_string();
    assert_eq!(cookie.len(), "xntop_session=".len() + 64, "256-bit id");
    let csrf = serde_json::from_str::<serde_json::Value>(&ok.body).unwrap()["csrf_token"]
        .as_str()
        .unwrap()
        .to_string();
    let with_cookie = [("Cookie", cookie.as_str())];
    let r = request(port, "GET", "/api/v1/interfaces", &with_cookie, "");
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(request(port, "GET", "/", &with_cookie, "").status, 200);
    let s = request(port, "GET", "/session", &with_cookie, "");
    assert!(s.body.contains(&csrf), "{}", s.body);

    // A form login works too and redirects to the UI.
    let form = format!("username=admin&password={}", password.replace(' ', "+"));
    let r = request(
        port,
        "POST",
        "/login",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        &form,
    );
    assert_eq!((r.status, r.header("location")), (303, Some("/")));
    // A cross-origin post is refused before anything else; the same host and port under another scheme is
    // another origin.
    for origin in [
        "http://evil.example".to_string(),
        format!("https://127.0.0.1:{port}"),
    ] {
        let r = request(
            port,
            "POST",
            "/login",
            &[("Content-Type", "application/json"), ("Origin", &origin)],
            "{}",
        );
        assert_eq!(r.status, 403, "{origin}");
    }

    // Logout needs the CSRF token, then the cookie is dead.
    assert_eq!(
        request(port, "POST", "/logout", &with_cookie, "").status,
        403
    );
    let r = request(
        port,
        "POST",
        "/logout",
        &[("Cookie", cookie.as_str()), ("X-CSRF-Token", csrf.as_str())],
        "",
    );
    assert_eq!(r.status, 204);
    assert!(r.header("set-cookie").unwrap().contains("Max-Age=0"));
    assert_eq!(
        request(port, "GET", "/api/v1/interfaces", &with_cookie, "").status,
        401
    );

    // Rate limit: 5 failures in a minute, then 429 even for the right password. The first wrong password above
    // still counts: the logins since did not reset the budget.
    for _ in 0..4 {
        assert_eq!(login(port, "nope").status, 401);
    }
    let r = login(port, password);
    assert_eq!(r.status, 429, "{}", r.body);
    assert!(r.header("retry-after").is_some());

    child.kill().unwrap();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
}

/// The finding: 200 simultaneous wrong passwords from one address got 199 × 401 and let the right one in.
/// Now each attempt is counted before argon2 runs: over any number of bursts the address gets at most
/// `MAX_FAILURES` (5) password checks a minute, every other attempt is a 429 with `Retry-After` that runs none, and
/// the right password sent once the budget is spent is refused like any guess.
#[test]
fn concurrent_guesses_never_pass_the_budget() {
    const BUDGET: u64 = 5;
    let port = free_port();
    let password = "the right one";
    let token = "burst-test-token-0123456789";
    let (child, dir) = common::serve_demo(
        "weblogin-burst",
        port,
        &["--admin-password", password, "--api-token", token],
        &[],
    );
    let started = Instant::now();
    let wrong: Vec<String> = (0..200).map(|i| format!("guess {i}")).collect();
    let (mut unauthorized, mut refused) = (0u64, 0u64);
    let mut tally = |resps: &[Resp]| {
        for r in resps {
            match r.status {
                401 => unauthorized += 1,
                429 => {
                    refused += 1;
                    assert!(r.header("retry-after").is_some(), "{}", r.head);
                }
                s => panic!("a guess got {s}: {}", r.body),
            }
        }
        resps
            .iter()
            .any(|r| r.body.contains("too many failed logins"))
    };
    // Bursts of 200 until the address's budget is spent (the first burst alone may not spend it: attempts that
    // find a check running for their address are refused without counting).
    let mut spent = false;
    for _ in 0..20 {
        spent = tally(&burst(port, &wrong));
        if spent {
            break;
        }
    }
    assert!(spent, "20 bursts never spent the budget");
    // One more burst with the right password in the middle: it comes after the budget is spent, so it is a 429.
    let mut mixed = wrong.clone();
    mixed[100] = password.to_string();
    let resps = burst(port, &mixed);
    assert_eq!(resps[100].status, 429, "{}", resps[100].body);
    tally(&resps);
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "the test ran past the limit's window"
    );

    let (status, text) = common::http_get(port, "/metrics", Some(token)).unwrap();
    assert_eq!(status, 200);
    let checks = common::prom_sample(&text, "xntop_web_login_verifications_total");
    assert_eq!(
        unauthorized, BUDGET,
        "a budget of {BUDGET} failures a minute"
    );
    assert_eq!(checks, unauthorized, "every password check is a 401 here");
    let refusals: u64 = ["budget", "address_busy", "server_busy"]
        .iter()
        .map(|r| {
            common::prom_sample(
                &text,
                &format!("xntop_web_login_refused_total{{reason=\"{r}\"}}"),
            )
        })
        .sum();
    assert_eq!(refusals, refused, "every 429 is counted, none ran argon2");
    common::stop_serving(child, &dir);
}

#[test]
fn disable_login_serves_ui_and_api_openly() {
    let dir = tmpdir("webopen");
    let port = free_port();
    let mut child = xntop()
        .args([
            "--replay-loop",
            "-g",
            "0",
            "-l",
            "-w",
            &format!("127.0.0.1:{port}"),
        ])
        .arg("-d")
        .arg(dir.join("data"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    common::wait_listening(port);
    let r = request(port, "GET", "/", &[], "");
    assert_eq!(r.status, 200);
    assert!(r.body.contains("/assets/js/app.js"));
    assert_eq!(
        request(port, "GET", "/api/v1/interfaces", &[], "").status,
        200
    );
    assert_eq!(
        request(
            port,
            "GET",
            "/assets/vendor/uplot/uPlot.iife.min.js",
            &[],
            ""
        )
        .status,
        200
    );
    assert!(
        !dir.join("data/users.json").exists(),
        "no users file without login"
    );
    child.kill().unwrap();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
}
