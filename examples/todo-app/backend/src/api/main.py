"""The Todo API application.

Run it from the ``backend/`` directory with

    uvicorn src.api.main:app --host 0.0.0.0 --port 8000

or ``python -m src.api.main``. It listens on port 8000, answers ``/health`` (liveness) and
``/ready`` (readiness), serves the ``/api/todos`` routes from ``todos.py``, logs JSON lines to
standard output (``log.py``) and reads its configuration from the environment (``settings.py``).
On SIGTERM or SIGINT uvicorn stops accepting connections, lets requests in flight finish, then
runs the shutdown half of ``lifespan``.
"""

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse

from . import log
from .settings import Settings, cors_origins, log_level
from .store import TodoStore
from .todos import router as todos_router

log.configure(log_level())
logger = logging.getLogger("todo.api")

PROBE_PATHS = frozenset({"/health", "/ready"})


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Logs start and stop and points out configuration that is missing."""
    settings = Settings.from_env()
    logger.info("todo api started", extra={"missing": settings.missing()})
    if settings.better_auth_secret is None:
        logger.warning("BETTER_AUTH_SECRET is not set: writes are accepted without a token")
    yield
    logger.info("todo api stopped", extra={"todos": len(app.state.store.list())})


app = FastAPI(title="Todo API", version="1.0.0", lifespan=lifespan)
app.state.store = TodoStore()
app.add_middleware(
    CORSMiddleware,
    allow_origins=cors_origins(),
    allow_methods=["GET", "POST", "PATCH", "DELETE"],
    allow_headers=["Authorization", "Content-Type"],
)
app.include_router(todos_router)


@app.middleware("http")
async def log_requests(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """Logs each request with its status and duration; probes only at debug level."""
    started = time.perf_counter()
    response = await call_next(request)
    level = logging.DEBUG if request.url.path in PROBE_PATHS else logging.INFO
    logger.log(
        level,
        "request",
        extra={
            "method": request.method,
            "path": request.url.path,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
        },
    )
    return response


@app.get("/health")
def health() -> dict[str, str]:
    """Liveness: the process is up and serving requests."""
    return {"status": "ok"}


@app.get("/ready")
def ready() -> JSONResponse:
    """Readiness: 200 when the required configuration is present, 503 naming what is missing."""
    missing = Settings.from_env().missing()
    if missing:
        return JSONResponse({"status": "unavailable", "missing": missing}, status_code=503)
    return JSONResponse({"status": "ready"})


if __name__ == "__main__":
    import uvicorn

    uvicorn.run(
        "src.api.main:app",
        host="0.0.0.0",
        port=8000,
        log_config=None,
        timeout_graceful_shutdown=20,
    )
