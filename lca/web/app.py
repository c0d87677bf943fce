"""The workbench's HTTP side (Starlette): a static page and a small JSON API over a Workbench.

Every response carries a strict Content-Security-Policy (``default-src 'self'``): the page loads
nothing from off the machine. Request bodies are bounded (``MAX_BODY`` bytes) and each client is
rate-limited by a token bucket; values are numbers or members of a list (see
``lca.web.controls``), never expressions.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from lca.errors import CalculationError, InputError
from lca.outputs.palette import LINE_COLOURS, REFERENCE_COLOUR, STAGE_COLOURS, STAGE_NAMES
from lca.web.figures import band, break_even_km, break_even_samples, cumulative
from lca.web.workbench import WhatIfError, Workbench

STATIC = Path(__file__).parent / "static"
MAX_BODY = 64 * 1024  # bytes
RATE = 40.0  # requests per second per client, sustained
BURST = 80.0  # requests per client at once
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def palette() -> dict[str, Any]:
    """The chart colours of the page, the same as the report's PNG and SVG charts: each stage
    (in stage order) with its label and colour, and the colours of the what-if and reference
    lines (a scenario line and the reference line of ``vlca compare``'s cumulative chart)."""
    return {
        "stages": [
            {"key": s, "label": STAGE_NAMES[s], "colour": c} for s, c in STAGE_COLOURS.items()
        ],
        "lines": {"what_if": LINE_COLOURS[0], "reference": REFERENCE_COLOUR},
    }


class TokenBucket:
    """A token bucket per client address (``rate`` tokens a second up to ``burst``)."""

    def __init__(self, rate: float = RATE, burst: float = BURST) -> None:
        self.rate, self.burst = rate, burst
        self._state: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, client: str) -> bool:
        now = time.monotonic()
        with self._lock:
            tokens, last = self._state.get(client, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            ok = tokens >= 1.0
            self._state[client] = (tokens - 1.0 if ok else tokens, now)
            if len(self._state) > 10_000:  # forget idle clients
                self._state = {k: v for k, v in self._state.items() if now - v[1] < 60}
            return ok


class BadRequest(Exception):
    def __init__(self, status: int, message: str) -> None:
        self.status, self.message = status, message


async def _body(request: Request) -> dict[str, Any]:
    """The JSON body (an object), at most MAX_BODY bytes."""
    size = request.headers.get("content-length")
    if size is not None and (not size.isdigit() or int(size) > MAX_BODY):
        raise BadRequest(413, f"request body over {MAX_BODY // 1024} kB")
    data = b""
    async for chunk in request.stream():
        data += chunk
        if len(data) > MAX_BODY:
            raise BadRequest(413, f"request body over {MAX_BODY // 1024} kB")
    try:
        obj = json.loads(data or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise BadRequest(400, "the body is not JSON") from None
    if not isinstance(obj, dict):
        raise BadRequest(400, "the body must be a JSON object")
    ov = obj.get("overrides", {})
    if not isinstance(ov, dict) or len(ov) > 200:
        raise BadRequest(400, "overrides must be an object of key path -> value")
    return obj


def _json(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(data, status_code=status, headers=HEADERS)


def create_app(workbench: Workbench) -> Starlette:
    """The ASGI app over ``workbench``."""
    bucket = TokenBucket()
    wb = workbench

    def handler(fn):  # noqa: ANN001, ANN202
        async def endpoint(request: Request) -> Response:
            client = request.client.host if request.client else "?"
            if not bucket.allow(client):
                return _json({"error": "too many requests; slow down"}, 429)
            try:
                return await fn(request)
            except BadRequest as exc:
                return _json({"error": exc.message}, exc.status)
            except WhatIfError as exc:
                return _json({"errors": exc.errors}, 422)
            except (InputError, CalculationError) as exc:
                return _json({"errors": {"": str(exc)}}, 422)

        return endpoint

    async def index(request: Request) -> Response:
        return FileResponse(STATIC / "index.html", headers=HEADERS)

    async def catalogue(request: Request) -> Response:
        scen, ref = wb.default_pair()
        return _json(
            {"files": list(wb.entries), "scenario": scen, "reference": ref, **palette()}
        )

    async def controls(request: Request) -> Response:
        key = request.query_params.get("scenario", "")
        e = await run_in_threadpool(wb.entry, key)
        assert e.controls is not None
        return _json({"scenario": key, "name": e.loaded.name if e.loaded else key,
                      "controls": [c.as_json() for c in e.controls.values()]})

    async def evaluate(request: Request) -> Response:
        body = await _body(request)
        return _json(await run_in_threadpool(_evaluate, wb, body))

    async def uncertainty(request: Request) -> Response:
        body = await _body(request)
        return _json(await run_in_threadpool(_uncertainty, wb, body))

    async def scenario(request: Request) -> Response:
        body = await _body(request)
        key, ov = str(body.get("scenario", "")), body.get("overrides", {})
        text = await run_in_threadpool(wb.scenario_yaml, key, ov)
        await run_in_threadpool(wb._full_check, key, wb.check_values(wb.entry(key), ov))
        name = Path(key).stem + "-what-if.yaml"
        headers = dict(HEADERS)
        headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return Response(text, media_type="application/x-yaml", headers=headers)

    routes = [
        Route("/", index),
        Route("/api/catalogue", handler(catalogue)),
        Route("/api/controls", handler(controls)),
        Route("/api/evaluate", handler(evaluate), methods=["POST"]),
        Route("/api/uncertainty", handler(uncertainty), methods=["POST"]),
        Route("/api/scenario", handler(scenario), methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    return Starlette(routes=routes, middleware=[Middleware(SecurityHeaders)])


class SecurityHeaders:
    """ASGI middleware: the security headers on every response (static files included)."""

    def __init__(self, app) -> None:  # noqa: ANN001
        self.app = app

    async def __call__(self, scope, receive, send) -> None:  # noqa: ANN001
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message) -> None:  # noqa: ANN001
            if message["type"] == "http.response.start":
                have = {k.lower() for k, _ in message.get("headers", [])}
                extra = [
                    (k.lower().encode(), v.encode())
                    for k, v in HEADERS.items()
                    if k.lower().encode() not in have
                ]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _evaluate(wb: Workbench, body: dict[str, Any]) -> dict[str, Any]:
    """Figures of the what-if, the scenario as loaded and the reference; timings in ms."""
    t0 = time.perf_counter()
    key, ref = str(body.get("scenario", "")), str(body.get("reference", ""))
    ov = body.get("overrides", {})
    now = wb.evaluate(key, ov)
    t1 = time.perf_counter()
    loaded = wb.evaluate(key, {})
    reference = wb.evaluate(ref, {})
    until = max(now["distance_km"], reference["distance_km"]) * 1.25
    e = wb.entry(key)
    assert e.controls is not None
    changed = [
        {"path": p, "label": e.controls[p].label, "was": e.controls[p].value, "now": v,
         "unit": e.controls[p].unit}
        for p, v in wb.check_values(e, ov).items()
    ]
    out = {
        "what_if": now,
        "as_loaded": loaded,
        "reference": reference,
        "changed": changed,
        "break_even_km": break_even_km(now, reference),
        "break_even_as_loaded_km": break_even_km(loaded, reference),
        "cumulative": {
            "what_if": cumulative(now, until),
            "reference": cumulative(reference, until),
        },
    }
    out["server_ms"] = {"what_if": 1000 * (t1 - t0), "all": 1000 * (time.perf_counter() - t0)}
    return out


def _uncertainty(wb: Workbench, body: dict[str, Any]) -> dict[str, Any]:
    t0 = time.perf_counter()
    key, ref = str(body.get("scenario", "")), str(body.get("reference", ""))
    ov = body.get("overrides", {})
    a = wb.monte_carlo(key, ov)
    b = wb.monte_carlo(ref, {})
    lower = float((a.pop("values") < b.pop("values")).mean())
    la, lb = a.pop("lines"), b.pop("lines")
    until = 1.25 * max(float(np.median(la[3])), float(np.median(lb[3])))
    tornado = wb.tornado(key, ov)
    return {"what_if": a, "reference": b, "share_below_reference": lower, "tornado": tornado,
            "band": {"what_if": band(la, until), "reference": band(lb, until)},
            "break_even_km": break_even_samples(la, lb),
            "server_ms": 1000 * (time.perf_counter() - t0)}
