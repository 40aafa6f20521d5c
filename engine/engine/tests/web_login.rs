//! Password login against a real xntop: the users file holds only an argon2id hash, a wrong password is 401, the
//! right one gives a session cookie that opens the API, logout needs the CSRF token and ends the session, the
//! UI redirects to /login without a session, and five failures from one address give 429.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Stdio;
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
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
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
    let body = serde_json::json!({ "username": "admin", "password": password }).to_string();
    request(
        port,
        "POST",
        "/login",
        &[("Content-Type", "application/json")],
        &body,
    )
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
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "xntop never listened");
        std::thread::sleep(Duration::from_millis(100));
    }

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
    // A cross-origin post is refused before anything else.
    let r = request(
        port,
        "POST",
        "/login",
        &[
            ("Content-Type", "application/json"),
            ("Origin", "http://evil.example"),
        ],
        "{}",
    );
    assert_eq!(r.status, 403);

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

    // Rate limit: 5 failures in a minute, then 429 even for the right password.
    for _ in 0..5 {
        assert_eq!(login(port, "nope").status, 401);
    }
    let r = login(port, password);
    assert_eq!(r.status, 429, "{}", r.body);
    assert!(r.header("retry-after").is_some());

    child.kill().unwrap();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
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
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "xntop never listened");
        std::thread::sleep(Duration::from_millis(100));
    }
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
