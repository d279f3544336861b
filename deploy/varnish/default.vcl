# Varnish 7.1 in front of the oncosite app servers (README "Production").
#
# What it caches: only responses the app marks `Cache-Control: public` (public pages, static files), for as long as
# s-maxage says; the app purges them by surrogate key (vmod xkey, from Debian's varnish-modules) the moment what
# they show changes. Everything else passes: the admin, forms, previews, POSTs, and any request carrying the
# session or messages cookie (a logged-in editor, a visitor who has sent a request).
#
# Configure: the backend below (host, port, Host header of the health probe), and the `purgers` ACL (the addresses
# of the app servers that send purges). Tests render this file with their own gunicorn's port and ACL
# (tests/varnish.py). Run: varnishd -a :80 -f /etc/varnish/default.vcl -s malloc,1g
vcl 4.1;

import std;
import xkey;

# One gunicorn. For several, declare one backend each and put them in a directors.round_robin() in vcl_init.
backend app {
    .host = "127.0.0.1";
    .port = "8000";
    .connect_timeout = 2s;
    .first_byte_timeout = 30s;
    # /healthz answers 503 when that server cannot reach the database: Varnish then serves stale pages.
    .probe = {
        .request = "GET /healthz HTTP/1.1"
                   "Host: 127.0.0.1"
                   "Connection: close";
        .interval = 1s;
        .timeout = 1s;
        .window = 3;
        .threshold = 2;
        .initial = 2;
    }
}

# Who may purge: the app servers (and the task worker's host). Anyone else gets 403.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    # Internal flags: never from a client.
    if (req.restarts == 0) {
        unset req.http.X-Backend-Sick;
        unset req.http.X-Refresh;
    }

    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Purging is not allowed from this address"));
        }
        if (req.http.Surrogate-Key) {
            # Hard purge (not soft): a purged page must never be served again, not even while refetched.
            return (synth(200, "Purged " + xkey.purge(req.http.Surrogate-Key)));
        }
        return (purge);  # no keys: the URL given
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # Staff, forms, confirmations, previews, health checks: always the app.
    if (req.url ~ "^/(admin|orders|preview)/"
        || req.url ~ "^/tumours/[^/]+/(request-test|feedback)/"
        || req.url ~ "^/tests/[^/]+/request/"
        || req.url ~ "^/healthz") {
        return (pass);
    }
    # A session (logged in, or a request sent) or a message: the page may be about this visitor.
    if (req.http.Authorization || req.http.Cookie ~ "(^|;\s*)(sessionid|messages)=") {
        return (pass);
    }
    # Any other cookie (a CSRF token, analytics) changes nothing a public page shows.
    unset req.http.Cookie;
    if (req.http.X-Refresh) {
        set req.hash_always_miss = true;
    }
    return (hash);
}

sub vcl_hit {
    # Past its stale-while-revalidate window (none for a page whose scheduled change is due) with the app up:
    # fetch it anew now rather than serve it stale. While the app is down, the grace (stale-if-error) serves it.
    if (obj.ttl < 0s && !req.http.X-Backend-Sick && std.healthy(req.backend_hint)
        && obj.ttl + std.duration(obj.http.X-Stale-While-Revalidate, 0s) < 0s) {
        set req.http.X-Refresh = "1";
        return (restart);
    }
    return (deliver);
}

sub vcl_backend_response {
    if (bereq.uncacheable) {
        return (deliver);
    }
    # Only what the app says is public; never a response that sets a cookie.
    if (beresp.http.Set-Cookie
        || beresp.http.Cache-Control !~ "(?i)\bpublic\b"
        || beresp.http.Cache-Control ~ "(?i)private|no-store|no-cache") {
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
    # beresp.ttl comes from s-maxage. Kept past it, for stale-if-error, while every app server is down.
    set beresp.grace = 0s;
    if (beresp.http.Cache-Control ~ "stale-if-error=[0-9]+") {
        set beresp.grace = std.duration(regsub(beresp.http.Cache-Control, ".*stale-if-error=([0-9]+).*", "\1s"), 0s);
    }
    set beresp.http.X-Stale-While-Revalidate = "0s";
    if (beresp.http.Cache-Control ~ "stale-while-revalidate=[0-9]+") {
        set beresp.http.X-Stale-While-Revalidate =
            regsub(beresp.http.Cache-Control, ".*stale-while-revalidate=([0-9]+).*", "\1s");
    }
    # xkey indexes the object by the keys in its xkey header.
    if (beresp.http.Surrogate-Key) {
        set beresp.http.xkey = beresp.http.Surrogate-Key;
    }
    return (deliver);
}

sub vcl_deliver {
    # An error from the app (or no app at all) for a cacheable page: look again, accepting any stale copy.
    if (resp.status >= 500 && !req.http.X-Backend-Sick && req.method != "PURGE" && !req.http.Cookie
        && (req.method == "GET" || req.method == "HEAD")) {
        set req.http.X-Backend-Sick = "1";
        unset req.http.X-Refresh;
        return (restart);
    }
    if (obj.hits > 0) {
        set resp.http.X-Cache = "hit";
    } else {
        set resp.http.X-Cache = "miss";
    }
    # Internal: the keys and the revalidation window are for this cache only.
    unset resp.http.Surrogate-Key;
    unset resp.http.xkey;
    unset resp.http.X-Stale-While-Revalidate;
}
