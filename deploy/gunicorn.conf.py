"""gunicorn settings for one CivicGrid app server (`gunicorn -c deploy/gunicorn.conf.py config.wsgi`).

Every value can be overridden from the environment (the systemd unit reads /etc/civicgrid/env)."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", str(2 * multiprocessing.cpu_count())))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
worker_class = "gthread"
# Recycle workers now and then (slow leaks); the jitter keeps them from restarting together.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# Report exports and PDF bulletins can take a while; nginx waits as long (proxy_read_timeout).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# nginx on the same host is the only client; trust its X-Forwarded-* headers.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
errorlog = os.environ.get("GUNICORN_ERRORLOG", "-")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
# gunicorn's control socket (gunicornc) defaults to one path per user; several app servers on
# one host would share it, so it is off unless GUNICORN_CONTROL_SOCKET names a path.
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True
# Load the app before forking: less memory, and a broken deploy fails at start, not per request.
preload_app = True
