"""The mixed load of `bench/soak.py` (Locust). Not run on its own: soak.py passes the tokens,
keys and ids through the environment and reads the acknowledged cases back.

Users, by weight: grid workers reporting cases through the API (5), community staff reading
queues and cases and accepting reports (3), a leader reading the assessment figures (1), a
partner system using Open311 (1). Every write carries an Idempotency-Key and is retried with
the same key on a connection error, a 5xx or a 429 (as a phone app or a partner would), so a
fault costs a retry, never a second case. A request counts as failed only when its last try
failed; each retried try is listed under "<name> (retry)".
"""

from __future__ import annotations

import json
import os
import random
import time
import uuid

from locust import HttpUser, between, events, task

WORKER = os.environ["SOAK_WORKER_TOKEN"]
STAFF = os.environ["SOAK_STAFF_TOKEN"]
LEADER = os.environ["SOAK_LEADER_TOKEN"]
OPEN311_KEY = os.environ["SOAK_OPEN311_KEY"]
GRIDS = json.loads(os.environ["SOAK_GRIDS"])
ITEMS = json.loads(os.environ["SOAK_ITEMS"])
SERVICES = json.loads(os.environ["SOAK_SERVICES"])
POINT = json.loads(os.environ["SOAK_POINT"])  # [lon, lat] inside the partner's area
ACKED = os.environ["SOAK_ACKED"]  # file: one line per acknowledged case
TRIES = 8

acknowledged: list[dict] = []
TEXTS = ["楼道堆放杂物,堵塞消防通道", "小区路灯不亮已经三天", "垃圾桶满了没人清运", "井盖松动有安全隐患",
         "广场舞噪音扰民", "占道经营影响通行", "下水道堵塞污水外溢", "电动车楼道充电"]


def _retry(user, method, path, name, ok=(200, 201), **kw):
    """Send until a final answer; only the last try counts for `name`."""
    for attempt in range(TRIES):
        last = attempt == TRIES - 1
        with user.client.request(method, path, name=name if attempt == 0 else f"{name} (retry)",
                                 catch_response=True, **kw) as resp:
            code = resp.status_code
            if code in ok:
                resp.success()
                return resp
            transient = code == 0 or code >= 500 or code == 429
            if transient and not last:
                resp.failure(f"transient {code}") if attempt else resp.success()
                time.sleep(min(2 ** attempt * 0.25, 4))
                continue
            resp.failure(f"{code}: {resp.text[:200]}")
            return resp
    return None


class GridWorker(HttpUser):
    weight = 5
    wait_time = between(0.5, 1.5)

    @task
    def report(self):
        key = f"soak-{uuid.uuid4().hex}"
        body = {"item": random.choice(ITEMS), "grid": random.choice(GRIDS),
                "text": "压测:" + random.choice(TEXTS)}
        resp = _retry(self, "POST", "/api/v1/cases/", "POST /cases/", ok=(201,), json=body,
                      headers={"Authorization": f"Bearer {WORKER}", "Idempotency-Key": key})
        if resp is not None and resp.status_code == 201:
            data = resp.json()
            acknowledged.append({"key": key, "id": data["id"], "number": data["number"]})


class CommunityStaff(HttpUser):
    weight = 3
    wait_time = between(0.5, 2)

    def on_start(self):
        self.auth = {"Authorization": f"Bearer {STAFF}"}

    @task(3)
    def queue(self):
        queue = random.choice(["accept", "dispatch", "in_progress", "all"])
        _retry(self, "GET", f"/api/v1/cases/?queue={queue}", "GET /cases/?queue=", headers=self.auth)

    @task(1)
    def queue_counts(self):
        _retry(self, "GET", "/api/v1/cases/queues/", "GET /cases/queues/", headers=self.auth)

    @task(2)
    def accept_one(self):
        resp = _retry(self, "GET", "/api/v1/cases/?queue=accept", "GET /cases/?queue=", headers=self.auth)
        if resp is None or resp.status_code != 200:
            return
        rows = resp.json().get("results", [])
        if not rows:
            return
        case = random.choice(rows[:10])
        detail = _retry(self, "GET", f"/api/v1/cases/{case['id']}/", "GET /cases/{id}/", headers=self.auth)
        if detail is None or detail.status_code != 200:
            return
        version = detail.json()["case"]["version"] if "case" in detail.json() else detail.json().get("version")
        # 409: somebody else (or this one's earlier try) acted first: an answer, not an error.
        _retry(self, "POST", f"/api/v1/cases/{case['id']}/accept/", "POST /cases/{id}/accept/",
               ok=(200, 409), json={"version": version}, headers=self.auth)


class Leader(HttpUser):
    weight = 1
    wait_time = between(2, 5)

    @task
    def assessment(self):
        month = time.strftime("%Y-%m")
        _retry(self, "GET", f"/api/v1/assessment/?month={month}", "GET /assessment/",
               headers={"Authorization": f"Bearer {LEADER}"})


class Partner(HttpUser):
    weight = 1
    wait_time = between(1, 3)

    @task(2)
    def services(self):
        _retry(self, "GET", "/open311/v2/services.json", "GET open311 services")

    @task(2)
    def requests_list(self):
        # A partner polls for what changed lately (the spec's default window is 90 days, 1000 rows).
        since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 900))
        _retry(self, "GET", f"/open311/v2/requests.json?api_key={OPEN311_KEY}&start_date={since}",
               "GET open311 requests (last 15 min)")

    @task(1)
    def post_request(self):
        data = {"api_key": OPEN311_KEY, "service_code": random.choice(SERVICES),
                "long": POINT[0] + random.uniform(-0.002, 0.002), "lat": POINT[1] + random.uniform(-0.002, 0.002),
                "description": "压测:" + random.choice(TEXTS)}
        key = f"soak-o311-{uuid.uuid4().hex}"
        _retry(self, "POST", "/open311/v2/requests.json", "POST open311 request", ok=(200, 201),
               data=data, headers={"Idempotency-Key": key})


@events.quitting.add_listener
def _write_acked(environment, **kw):
    with open(ACKED, "w", encoding="utf-8") as out:
        for row in acknowledged:
            out.write(json.dumps(row) + "\n")
