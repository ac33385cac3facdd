"""Screenshot a page of a local Odoo server as a logged-in user.

    .venv/bin/python tools/screenshot.py URL OUT.png [--login admin]
        [--password admin] [--db credit_demo] [--wait 6] [--size 1400,900]
        [--click CSS_SELECTOR ...] [--devtools-port 9333]

Logs in through JSON-RPC, hands the session cookie to headless Chromium
(Debian's package) over the DevTools protocol, opens URL and saves a PNG.
--click clicks the first element matching each selector, in turn, once the
page has loaded (a notebook tab, say), and waits again before the shot.
Only for servers on this machine: the URL must be on 127.0.0.1 or localhost.
"""

import argparse
import base64
import json
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from http.cookiejar import CookieJar
from urllib.parse import urlsplit

import websocket

DEVTOOLS_PORT = 9333


def login(base, db, user, password):
    """Return the session id of a JSON-RPC login."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    payload = {
        "jsonrpc": "2.0",
        "method": "call",
        "params": {"db": db, "login": user, "password": password},
    }
    request = urllib.request.Request(
        f"{base}/web/session/authenticate",
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
    )
    answer = json.loads(opener.open(request, timeout=30).read())
    if answer.get("error"):
        sys.exit(f"login failed: {answer['error']['data']['message']}")
    return next(cookie.value for cookie in jar if cookie.name == "session_id")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("out")
    parser.add_argument("--db", default="credit_demo")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--wait", type=float, default=6.0)
    parser.add_argument("--size", default="1400,900")
    parser.add_argument("--click", action="append", default=[])
    parser.add_argument("--devtools-port", type=int, default=DEVTOOLS_PORT)
    args = parser.parse_args()

    parts = urlsplit(args.url)
    if parts.hostname not in ("127.0.0.1", "localhost"):
        sys.exit("only pages of a local server (127.0.0.1) are taken")
    browser = shutil.which("chromium")
    if not browser:
        sys.exit("chromium is not installed (Debian package chromium)")
    base = f"{parts.scheme}://{parts.netloc}"
    session_id = login(base, args.db, args.login, args.password)

    profile = tempfile.mkdtemp(prefix="credit-shot-")
    chromium = subprocess.Popen(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--remote-debugging-address=127.0.0.1",
            f"--remote-debugging-port={args.devtools_port}",
            f"--user-data-dir={profile}",
            f"--window-size={args.size}",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        target = None
        for _ in range(50):
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{args.devtools_port}/json/list", timeout=2
                ) as answer:
                    pages = [t for t in json.load(answer) if t["type"] == "page"]
                if pages:
                    target = pages[0]
                    break
            except OSError:
                pass
            time.sleep(0.2)
        if not target:
            sys.exit("chromium did not open its DevTools port")
        socket = websocket.create_connection(
            target["webSocketDebuggerUrl"], timeout=60, suppress_origin=True
        )
        message_id = 0

        def call(method, **params):
            nonlocal message_id
            message_id += 1
            socket.send(
                json.dumps({"id": message_id, "method": method, "params": params})
            )
            while True:
                answer = json.loads(socket.recv())
                if answer.get("id") == message_id:
                    return answer.get("result", {})

        call(
            "Network.setCookie",
            name="session_id",
            value=session_id,
            domain=parts.hostname,
            path="/",
        )
        call("Page.navigate", url=args.url)
        time.sleep(args.wait)
        for selector in args.click:
            found = call(
                "Runtime.evaluate",
                expression="(() => { const node = document.querySelector("
                f"{json.dumps(selector)}); if (node) node.click(); "
                "return Boolean(node); })()",
                returnByValue=True,
            )
            if not found.get("result", {}).get("value"):
                sys.exit(f"nothing matches {selector!r} on the page")
            time.sleep(args.wait)
        shot = call("Page.captureScreenshot", format="png")
        with open(args.out, "wb") as handle:
            handle.write(base64.b64decode(shot["data"]))
        socket.close()
    finally:
        chromium.terminate()
        chromium.wait(timeout=10)
        shutil.rmtree(profile, ignore_errors=True)
    print(args.out)


if __name__ == "__main__":
    main()
