"""Step suggestions: asks an OpenAI-compatible chat model how to get a todo done.

This is the only place the API talks to the model. It sends one chat-completion request and reads
the answer as a list of steps, one per line.
"""

import httpx2

from .settings import Settings

_SYSTEM_PROMPT = (
    "You help people finish their todos. Answer with three to five short, concrete steps, "
    "one per line, without numbering."
)
_TIMEOUT = httpx2.Timeout(30.0, connect=5.0)
_MAX_STEPS = 10


class AssistantError(Exception):
    """The model could not be reached or gave no usable answer; the message says why."""


async def suggest_steps(settings: Settings, title: str) -> list[str]:
    """Steps that would get the todo with this title done.

    Requires ``settings.openai_api_key``; raises ``AssistantError`` when the request fails.
    """
    if settings.openai_api_key is None:
        raise AssistantError("OPENAI_API_KEY is not set")
    url = settings.openai_base_url.rstrip("/") + "/chat/completions"
    payload = {
        "model": settings.openai_model,
        "messages": [
            {"role": "system", "content": _SYSTEM_PROMPT},
            {"role": "user", "content": title},
        ],
    }
    headers = {"Authorization": f"Bearer {settings.openai_api_key}"}
    try:
        async with httpx2.AsyncClient(timeout=_TIMEOUT) as client:
            response = await client.post(url, json=payload, headers=headers)
    except httpx2.HTTPError as error:
        raise AssistantError(f"model request failed: {type(error).__name__}") from error
    if response.status_code != 200:
        raise AssistantError(f"model answered HTTP {response.status_code}")
    try:
        content = response.json()["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError) as error:
        raise AssistantError("model answer has no message content") from error
    if not isinstance(content, str):
        raise AssistantError("model answer has no message content")
    steps = [line.strip(" -*\t") for line in content.splitlines()]
    steps = [step for step in steps if step]
    if not steps:
        raise AssistantError("model answer is empty")
    return steps[:_MAX_STEPS]
